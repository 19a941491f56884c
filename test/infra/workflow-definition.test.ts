import aslValidator from 'asl-validator';
import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InventoryStack } from '../../infra/inventory-stack.ts';
import { keys } from '../../shared/keys.ts';
import { STATE } from '../../shared/states.ts';
import { functionArn, renderDefinition, synthesize } from './support/app.ts';

type Retrier = {
  ErrorEquals: string[];
  JitterStrategy?: string;
  MaxAttempts?: number;
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
};
type State = Record<string, unknown> & {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Retry?: Retrier[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Next?: string;
};
type Definition = { StartAt: string; States: Record<string, State> };

const MAP_SETTINGS = { maxConcurrency: 250, batchSize: 12, toleratedFailurePercentage: 5 };

/** An Express execution ends after five minutes. */
const EXPRESS_LIMIT_SECONDS = 300;

/**
 * The longest pause a retrier can add: the n-th retry waits IntervalSeconds x BackoffRate^(n-1), at
 * most MaxDelaySeconds (full jitter only shortens it). ASL defaults: 1 s, rate 2, 3 attempts.
 */
const longestPauses = (retrier: Retrier) =>
  Array.from({ length: retrier.MaxAttempts ?? 3 }, (_, n) =>
    Math.min(
      (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** n,
      retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
    ),
  ).reduce((sum, pause) => sum + pause, 0);

describe('the deployed workflow definition', () => {
  let stack: InventoryStack;
  let template: Template;
  let definition: Definition;
  const state = (name: string): State => {
    const found = definition.States[name];
    if (!found) throw new Error(`no state ${name}`);
    return found;
  };
  const arnOf = (fn: { node: { defaultChild?: unknown } }) =>
    functionArn(stack.getLogicalId(fn.node.defaultChild as CfnElement));

  beforeAll(() => {
    const synthesized = synthesize({ map: MAP_SETTINGS });
    stack = synthesized.inventory;
    template = synthesized.inventoryTemplate;
    definition = renderDefinition(synthesized.inventoryTemplate) as Definition;
  });

  it('runs plan, then the scan, then reduce', () => {
    expect(definition.StartAt).toBe(STATE.plan);
    expect(state(STATE.plan)).toMatchObject({ Resource: arnOf(stack.plan), Next: STATE.scan });
    expect(state(STATE.scan).Next).toBe(STATE.reduce);
    expect(state(STATE.reduce)).toMatchObject({ Resource: arnOf(stack.reduce), End: true });
  });

  it('scans with a Distributed Map of Express children fed from the targets file in S3', () => {
    const scan = state(STATE.scan);

    expect(scan).toMatchObject({
      Type: 'Map',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': '$.plan.bucket', 'Key.$': '$.plan.targetsKey' },
      },
    });
  });

  it('takes concurrency and failure tolerance from the configuration, and the batch size from the plan', () => {
    const scan = state(STATE.scan);

    expect(scan).toMatchObject({
      MaxConcurrency: MAP_SETTINGS.maxConcurrency,
      ToleratedFailurePercentage: MAP_SETTINGS.toleratedFailurePercentage,
      ItemBatcher: {
        MaxItemsPerBatchPath: '$.plan.batchSize',
        BatchInput: { 'runId.$': '$.plan.runId', 'scanId.$': '$.plan.scanId', 'bucket.$': '$.plan.bucket' },
      },
    });
  });

  it('writes the map results to the run bucket under the map-results prefix', () => {
    expect(state(STATE.scan).ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { 'Bucket.$': '$.plan.bucket', Prefix: keys.mapResultsPrefix },
    });
  });

  it('invokes the worker for every batch, retrying Lambda throttling with full jitter', () => {
    const processor = state(STATE.scan).ItemProcessor as Definition;
    const worker = processor.States[STATE.worker];

    expect(processor.StartAt).toBe(STATE.worker);
    expect(worker).toMatchObject({ Type: 'Task', Resource: arnOf(stack.worker) });
    expect(worker?.Retry).toContainEqual(
      expect.objectContaining({
        ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException']),
        JitterStrategy: 'FULL',
      }),
    );
  });

  it.each([STATE.plan, STATE.reduce])('retries Lambda throttling of %s with full jitter', (name) => {
    expect(state(name).Retry).toContainEqual(
      expect.objectContaining({
        ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException']),
        JitterStrategy: 'FULL',
      }),
    );
  });

  it.each([STATE.plan, STATE.scan, STATE.reduce])(
    'catches every error of %s into the failure record',
    (name) => {
      expect(state(name).Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE.recordFailure },
      ]);
    },
  );

  it('records the failure in the report bucket, then fails the execution', () => {
    const bucket = stack.getLogicalId(stack.bucket.node.defaultChild as CfnElement);

    expect(state(STATE.recordFailure)).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
      Parameters: {
        Bucket: bucket,
        'Key.$': `States.Format('${keys.failuresPrefix}{}.json', $$.Execution.Name)`,
      },
      Next: STATE.fail,
      Retry: [expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 3 })],
      // a record that cannot be written must not replace the run's own error
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: STATE.fail }],
    });
    expect(state(STATE.fail)).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.failure.Error',
      CausePath: '$.failure.Cause',
    });
  });

  it('fits every attempt of the worker, each to its timeout, and every retry pause in one Express child', () => {
    // Prepare
    const scan = state(STATE.scan) as State & { ItemProcessor: Definition & { ProcessorConfig: object } };
    const resources = template.toJSON().Resources as Record<string, { Properties: { Timeout?: number } }>;
    const tasks = Object.entries(scan.ItemProcessor.States).filter(([, child]) => child.Type === 'Task');

    // Act
    const worstCase = tasks.map(([name, task]) => {
      const functionId = Object.keys(resources).find((id) => task.Resource === functionArn(id));
      const functionTimeout = functionId ? resources[functionId]?.Properties.Timeout : undefined;
      if (task.TimeoutSeconds === undefined || functionTimeout === undefined)
        throw new Error(`${name}: no TimeoutSeconds or no function timeout`);
      const retries = task.Retry ?? [];
      const attempts = 1 + retries.reduce((sum, retrier) => sum + (retrier.MaxAttempts ?? 3), 0);
      return {
        name,
        functionTimeout,
        taskTimeout: task.TimeoutSeconds,
        seconds: attempts * task.TimeoutSeconds + retries.reduce((sum, r) => sum + longestPauses(r), 0),
      };
    });

    // Assess
    expect(scan.ItemProcessor.ProcessorConfig).toMatchObject({ ExecutionType: 'EXPRESS' });
    expect(worstCase.map((task) => task.name)).toEqual([STATE.worker]);
    for (const task of worstCase) {
      expect(task.seconds, `${task.name} worst case`).toBeLessThan(EXPRESS_LIMIT_SECONDS);
      // the function times out before the task stops waiting for it, and a batch still gets a minute
      expect(task.taskTimeout).toBeGreaterThanOrEqual(task.functionTimeout);
      expect(task.functionTimeout).toBeGreaterThanOrEqual(60);
    }
  });

  it('passes asl-validator', () => {
    const result = aslValidator(structuredClone(definition));

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });
});
