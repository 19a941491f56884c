import {
  InvalidToken,
  ListExecutionsCommand,
  type ListExecutionsOutput,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Endpoint, startEndpoint, waitForExecution } from './support.ts';

const RUN_TIMEOUT_MS = 180_000;

describe('ListExecutions', () => {
  let endpoint: Endpoint;
  const names = (output: ListExecutionsOutput) =>
    (output.executions ?? []).map((execution) => execution.name);

  beforeAll(async () => {
    endpoint = await startEndpoint();
    const { sfn, server } = endpoint;
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
  afterAll(async () => {
    await endpoint?.stop();
  });

  it('lists the newest first, a page of maxResults at a time', async () => {
    const { sfn, server } = endpoint;

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
    const { sfn, server } = endpoint;
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
    const { sfn, server } = endpoint;

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
    const { sfn, server } = endpoint;

    const listing = sfn.send(
      new ListExecutionsCommand({ stateMachineArn: server.stateMachineArn, nextToken: 'not-a-token' }),
    );

    await expect(listing).rejects.toBeInstanceOf(InvalidToken);
  });
});
