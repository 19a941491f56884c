import {
  DescribeExecutionCommand,
  InvalidToken,
  ListExecutionsCommand,
  type ListExecutionsOutput,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import { LatestPointer, ReduceOutput } from '../../shared/contracts.ts';
import {
  endpointForSuite,
  expectedFunctionCount,
  expectedScannedTargets,
  readJson,
  waitForExecution,
  waitForMapRun,
} from './support.ts';

const RUN_TIMEOUT_MS = 180_000;

describe('an execution started over the Step Functions API', () => {
  const endpoint = endpointForSuite();

  it(
    'runs the workflow to SUCCEEDED, with the report summary as its output and the report in the store',
    async () => {
      const { sfn, server, store, sim, config } = endpoint();
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
      expect(report.coverage).toMatchObject({
        targets: 8,
        scanned: expectedScannedTargets(sim.fleet, config),
      });
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
      const { sfn, server, store } = endpoint();
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

describe('ListExecutions', () => {
  const names = (output: ListExecutionsOutput) =>
    (output.executions ?? []).map((execution) => execution.name);

  const endpoint = endpointForSuite();
  beforeAll(async () => {
    const { sfn, server } = endpoint();
    const start = async (name: string) => {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: server.stateMachineArn, name }),
      );
      return executionArn as string;
    };
    await waitForExecution(sfn, await start('first'));
    await sfn.send(new StopExecutionCommand({ executionArn: await start('second') }));
    await waitForExecution(sfn, await start('third'));
  }, RUN_TIMEOUT_MS);

  it('lists the newest first, a page of maxResults at a time', async () => {
    const { sfn, server } = endpoint();

    const first = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: server.stateMachineArn, maxResults: 2 }),
    );
    const second = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: server.stateMachineArn,
        maxResults: 2,
        nextToken: first.nextToken,
      }),
    );

    expect(names(first)).toEqual(['third', 'second']);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(names(second)).toEqual(['first']);
    expect(second.nextToken).toBeUndefined();
    expect(first.executions?.[0]).toMatchObject({
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:lambda-inventory-local:third',
      stateMachineArn: server.stateMachineArn,
      status: 'SUCCEEDED',
      startDate: expect.any(Date),
      stopDate: expect.any(Date),
    });
  });

  it('keeps a page where it was when executions start after it was served', async () => {
    const { sfn, server } = endpoint();
    const first = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: server.stateMachineArn, maxResults: 1 }),
    );
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: server.stateMachineArn, name: 'fourth' }),
    );
    await sfn.send(new StopExecutionCommand({ executionArn }));

    const next = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: server.stateMachineArn,
        maxResults: 1,
        nextToken: first.nextToken,
      }),
    );

    expect(names(first)).toEqual(['third']);
    expect(names(next)).toEqual(['second']);
  });

  it('lists only the executions of the status asked for', async () => {
    const { sfn, server } = endpoint();

    const succeeded = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: server.stateMachineArn, statusFilter: 'SUCCEEDED' }),
    );
    const aborted = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: server.stateMachineArn, statusFilter: 'ABORTED' }),
    );
    const running = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: server.stateMachineArn, statusFilter: 'RUNNING' }),
    );

    expect(names(succeeded)).toEqual(['third', 'first']);
    expect(names(aborted)).toEqual(expect.arrayContaining(['second']));
    expect(aborted.executions?.every((execution) => execution.status === 'ABORTED')).toBe(true);
    expect(names(running)).toEqual([]);
  });

  it('refuses a page token it did not give', async () => {
    const { sfn, server } = endpoint();

    const listing = sfn.send(
      new ListExecutionsCommand({ stateMachineArn: server.stateMachineArn, nextToken: 'not-a-token' }),
    );

    await expect(listing).rejects.toBeInstanceOf(InvalidToken);
  });
});
