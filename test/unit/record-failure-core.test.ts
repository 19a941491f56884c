import { describe, expect, it, vi } from 'vitest';
import {
  type ExecutionFailure,
  FALLBACK_ERRORS,
  recordFailure,
} from '../../functions/record-failure/record-failure.ts';
import { getJson, putJson } from '../../functions/shared/object-store.ts';
import { FailureRecord } from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { EXECUTION_ARN, EXECUTION_NAME, silentLogger, statusChangeEvent } from './record-failure-fixtures.ts';

const KEY = `reports/failures/${EXECUTION_NAME}.json`;

function recorder(described: ExecutionFailure = {}) {
  const store = new MemoryObjectStore();
  const describeExecution = vi.fn(async (_arn: string) => described);
  const run = (event = statusChangeEvent()) =>
    recordFailure({ store, describeExecution, logger: silentLogger() }, event);
  return { store, describeExecution, run };
}

describe('recordFailure', () => {
  it('writes the failure record where the Catch path writes it, from the event alone', async () => {
    // Prepare
    const { store, describeExecution, run } = recorder();

    // Act
    const output = await run();

    // Assess
    expect(output).toEqual({ key: KEY, written: true });
    expect(KEY).toBe(keys.failure(EXECUTION_NAME));
    expect(FailureRecord.parse(await getJson(store, KEY))).toEqual({
      executionName: EXECUTION_NAME,
      startedAt: '2026-12-03T03:00:00.000Z',
      failedAt: '2026-12-03T03:41:07.250Z',
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'Reduce'.",
    });
    expect(describeExecution).not.toHaveBeenCalled();
  });

  it('leaves the record the Catch path wrote as it is', async () => {
    // Prepare
    const { store, describeExecution, run } = recorder();
    const fromCatchPath = {
      executionName: EXECUTION_NAME,
      startedAt: '2026-12-03T03:00:00.000Z',
      failedAt: '2026-12-03T03:41:07.100Z',
      error: 'RunDataError',
      cause: '{"errorType":"RunDataError","errorMessage":"no targets file"}',
    };
    await putJson(store, KEY, fromCatchPath);

    // Act
    const output = await run();

    // Assess
    expect(output).toEqual({ key: KEY, written: false });
    expect(await getJson(store, KEY)).toEqual(fromCatchPath);
    expect(describeExecution).not.toHaveBeenCalled();
  });

  it('writes once when EventBridge delivers the same event twice', async () => {
    // Prepare
    const { run } = recorder();

    // Act
    const outputs = [await run(), await run()];

    // Assess
    expect(outputs.map((output) => output.written)).toEqual([true, false]);
  });

  it('asks DescribeExecution for the error and cause of a timed-out run the event gives none for', async () => {
    // Prepare
    const { store, describeExecution, run } = recorder({
      error: 'States.Timeout',
      cause: 'The execution exceeded its 82800 s TimeoutSeconds.',
    });

    // Act
    await run(statusChangeEvent({ status: 'TIMED_OUT', error: null, cause: null }));

    // Assess
    expect(describeExecution).toHaveBeenCalledExactlyOnceWith(EXECUTION_ARN);
    expect(await getJson(store, KEY)).toMatchObject({
      error: 'States.Timeout',
      cause: 'The execution exceeded its 82800 s TimeoutSeconds.',
    });
  });

  it("keeps the event's error and takes only the missing cause from DescribeExecution", async () => {
    // Prepare
    const { store, run } = recorder({ error: 'Other', cause: 'stopped by the on-call engineer' });

    // Act
    await run(statusChangeEvent({ status: 'ABORTED', error: 'Operator', cause: undefined }));

    // Assess
    expect(await getJson(store, KEY)).toMatchObject({
      error: 'Operator',
      cause: 'stopped by the on-call engineer',
    });
  });

  it.each([
    ['FAILED', 'ExecutionFailed'],
    ['TIMED_OUT', 'States.Timeout'],
    ['ABORTED', 'ExecutionAborted'],
  ] as const)('names the error of a %s run that nothing explains %s', async (status, error) => {
    // Prepare
    const { store, run } = recorder({});

    // Act
    await run(statusChangeEvent({ status, error: null, cause: null }));

    // Assess
    expect(FALLBACK_ERRORS[status]).toBe(error);
    expect(await getJson(store, KEY)).toMatchObject({
      error,
      cause: `the execution ended with status ${status} and gave no cause`,
    });
  });

  it('takes the failure time from the event when Step Functions gives no stop date', async () => {
    // Prepare
    const { store, run } = recorder();

    // Act
    await run(statusChangeEvent({ stopDate: null }));

    // Assess
    expect(await getJson(store, KEY)).toMatchObject({ failedAt: '2026-12-03T03:41:08Z' });
  });

  it('writes nothing when DescribeExecution fails, so the invocation is retried', async () => {
    // Prepare
    const { store, describeExecution, run } = recorder();
    describeExecution.mockRejectedValueOnce(
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }),
    );

    // Act
    const recording = run(statusChangeEvent({ error: null }));

    // Assess
    await expect(recording).rejects.toThrow('Rate exceeded');
    expect(store.objects.size).toBe(0);
  });
});
