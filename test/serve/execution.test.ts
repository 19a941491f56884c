import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatestPointer, ReduceOutput } from '../../shared/contracts.ts';
import {
  type Endpoint,
  expectedFunctionCount,
  readJson,
  startEndpoint,
  waitForExecution,
  waitForMapRun,
} from './support.ts';

const RUN_TIMEOUT_MS = 180_000;

describe('an execution started over the Step Functions API', () => {
  let endpoint: Endpoint;
  beforeAll(async () => {
    endpoint = await startEndpoint();
  });
  afterAll(async () => {
    await endpoint?.stop();
  });

  it(
    'runs the workflow to SUCCEEDED, with the report summary as its output and the report in the store',
    async () => {
      const { sfn, server, store, sim, config } = endpoint;
      const input = JSON.stringify({ runId: 'serve-succeeds' });

      const started = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: server.stateMachineArn, name: 'succeeds', input }),
      );
      const ended = await waitForExecution(sfn, started.executionArn as string);

      expect(started.executionArn).toBe(
        'arn:aws:states:us-east-1:000000000000:execution:lambda-inventory-local:succeeds',
      );
      expect(ended).toMatchObject({
        status: 'SUCCEEDED',
        name: 'succeeds',
        stateMachineArn: server.stateMachineArn,
        input,
        startDate: started.startDate,
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      });
      expect((ended.stopDate as Date).getTime()).toBeGreaterThanOrEqual((ended.startDate as Date).getTime());
      const output = JSON.parse(ended.output as string);
      expect(output.runId).toBe('serve-succeeds');
      const report = ReduceOutput.parse(output.report);
      expect(report.functionCount).toBe(expectedFunctionCount(sim.fleet, config));
      expect(report.coverage).toMatchObject({ targets: 8, scanned: 8 });
      const inventory = await readJson<{ functions: unknown[] }>(store, report.keys.inventoryJson);
      expect(inventory.functions).toHaveLength(report.functionCount);
      const latest = LatestPointer.parse(await readJson(store, 'reports/latest.json'));
      expect(latest.runId).toBe('serve-succeeds');
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'describes the Distributed Map Run: every target an item, every batch a child execution',
    async () => {
      const { sfn, server, store } = endpoint;
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: server.stateMachineArn,
          name: 'map-run',
          input: JSON.stringify({ runId: 'serve-map-run' }),
        }),
      );
      await waitForExecution(sfn, started.executionArn as string);

      const mapRun = await waitForMapRun(sfn, started.executionArn as string);

      // one partial per batch, written by the batch's child execution
      const partials = await store.list('runs/serve-map-run/partials/');
      expect(partials).toHaveLength(4);
      expect(mapRun.mapRunArn).toMatch(
        /^arn:aws:states:us-east-1:000000000000:mapRun:lambda-inventory-local\/Scan targets:[0-9a-f-]{36}$/,
      );
      expect(mapRun).toMatchObject({
        executionArn: started.executionArn,
        status: 'SUCCEEDED',
        maxConcurrency: 2,
        toleratedFailurePercentage: 10,
        itemCounts: {
          total: 8,
          succeeded: 8,
          failed: 0,
          pending: 0,
          running: 0,
          aborted: 0,
          resultsWritten: 8,
        },
        executionCounts: {
          total: partials.length,
          succeeded: partials.length,
          failed: 0,
          pending: 0,
          running: 0,
          resultsWritten: partials.length,
        },
      });
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      expect((mapRun.startDate as Date).getTime()).toBeGreaterThanOrEqual(
        (described.startDate as Date).getTime(),
      );
    },
    RUN_TIMEOUT_MS,
  );
});
