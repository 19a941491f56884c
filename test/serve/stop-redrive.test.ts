import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ExecutionNotRedrivable,
  ListExecutionsCommand,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { FailureRecord, ReduceOutput } from '../../shared/contracts.ts';
import {
  type Endpoint,
  endpointForSuite,
  expectedFunctionCount,
  expectedScannedTargets,
  readJson,
  startEndpoint,
  waitForExecution,
  waitForMapRun,
} from './support.ts';

const RUN_TIMEOUT_MS = 180_000;
/** Slow enough that a batch (one AssumeRole, then two regions at once) is still running when the test stops it. */
const SLOW_API_MS = 400;

async function startSlowExecution(endpoint: Endpoint, name: string, runId: string) {
  endpoint.sim.setFaults({ latencyMs: SLOW_API_MS });
  const { executionArn } = await endpoint.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: endpoint.server.stateMachineArn,
      name,
      input: JSON.stringify({ runId }),
    }),
  );
  await waitForMapRun(
    endpoint.sfn,
    executionArn as string,
    (mapRun) => mapRun.executionCounts?.running !== 0,
  );
  return executionArn as string;
}

describe('StopExecution', () => {
  it(
    'aborts a running execution with the given error and cause, aborts its Map Run, and leaves no report',
    async () => {
      const endpoint = await startEndpoint();
      try {
        const { sfn, store } = endpoint;
        const executionArn = await startSlowExecution(endpoint, 'stopped', 'serve-stopped');

        const { stopDate } = await sfn.send(
          new StopExecutionCommand({ executionArn, error: 'Operator.Stopped', cause: 'stopped by the test' }),
        );
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        const { mapRuns = [] } = await sfn.send(new ListMapRunsCommand({ executionArn }));
        const mapRun = await sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRuns[0]?.mapRunArn }));
        // closing waits for the stopped run to wind down
        await endpoint.server.close();

        expect(described).toMatchObject({
          status: 'ABORTED',
          stopDate,
          error: 'Operator.Stopped',
          cause: 'stopped by the test',
          redriveStatus: 'REDRIVABLE',
        });
        expect(described.output).toBeUndefined();
        expect(mapRun.status).toBe('ABORTED');
        expect(mapRun.itemCounts?.running).toBe(0);
        expect(mapRun.itemCounts?.aborted).toBeGreaterThan(0);
        expect(mapRun.executionCounts?.aborted).toBeGreaterThan(0);
        // no report, no latest pointer, no failure record: the Catch path does not run for a stopped execution
        expect(await store.list('reports/')).toEqual([]);
      } finally {
        await endpoint.stop();
      }
    },
    RUN_TIMEOUT_MS,
  );
});

describe('RedriveExecution', () => {
  const endpoint = endpointForSuite();

  it(
    'runs a failed execution again: RUNNING with redriveCount 1, then a complete report, then no more',
    async () => {
      const { sfn, server, store, sim, config } = endpoint();
      sim.setFaults({ latencyMs: 0 });
      store.failNextWrites((key) => key.endsWith('/targets.json'), 1);
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: server.stateMachineArn,
          name: 'fails-once',
          input: JSON.stringify({ runId: 'serve-fails-once' }),
        }),
      );
      const failed = await waitForExecution(sfn, executionArn as string);

      const { redriveDate } = await sfn.send(
        new RedriveExecutionCommand({ executionArn, clientToken: 'redrive-1' }),
      );
      const redriven = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const again = await sfn.send(new RedriveExecutionCommand({ executionArn, clientToken: 'redrive-1' }));
      const succeeded = await waitForExecution(sfn, executionArn as string);

      expect(failed).toMatchObject({
        status: 'FAILED',
        error: 'ObjectStoreError',
        redriveStatus: 'REDRIVABLE',
      });
      expect(failed.cause).toContain('injected write failure');
      const record = FailureRecord.parse(await readJson(store, 'reports/failures/fails-once.json'));
      expect(record.error).toBe('ObjectStoreError');
      expect(redriven).toMatchObject({ status: 'RUNNING', redriveCount: 1, redriveDate });
      expect(redriven.stopDate).toBeUndefined();
      expect(redriven.error).toBeUndefined();
      // the same client token is the same redrive
      expect(again.redriveDate).toEqual(redriveDate);
      expect(succeeded).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, startDate: failed.startDate });
      const report = ReduceOutput.parse(JSON.parse(succeeded.output as string).report);
      expect(report.runId).toBe('serve-fails-once');
      expect(report.functionCount).toBe(expectedFunctionCount(sim.fleet, config));
      const { executions = [] } = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: server.stateMachineArn, redriveFilter: 'REDRIVEN' }),
      );
      expect(executions.map((execution) => execution.name)).toContain('fails-once');
      // once it has succeeded, it is no longer redrivable
      const redriveSucceeded = sfn.send(new RedriveExecutionCommand({ executionArn }));
      await expect(redriveSucceeded).rejects.toBeInstanceOf(ExecutionNotRedrivable);
      await expect(redriveSucceeded).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'runs a stopped execution again from the start, so its report holds every function once',
    async () => {
      const { sfn, sim, config } = endpoint();
      const executionArn = await startSlowExecution(endpoint(), 'stopped-then-redriven', 'serve-redriven');
      await sfn.send(new StopExecutionCommand({ executionArn }));
      sim.setFaults({ latencyMs: 0 });

      await sfn.send(new RedriveExecutionCommand({ executionArn }));
      const succeeded = await waitForExecution(sfn, executionArn);
      const mapRun = await waitForMapRun(sfn, executionArn);

      expect(succeeded).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
      const report = ReduceOutput.parse(JSON.parse(succeeded.output as string).report);
      expect(report.functionCount).toBe(expectedFunctionCount(sim.fleet, config));
      expect(report.coverage).toMatchObject({
        targets: 8,
        scanned: expectedScannedTargets(sim.fleet, config),
      });
      expect(mapRun).toMatchObject({
        status: 'SUCCEEDED',
        redriveCount: 1,
        itemCounts: { total: 8, succeeded: 8, aborted: 0, pending: 0 },
      });
    },
    RUN_TIMEOUT_MS,
  );
});
