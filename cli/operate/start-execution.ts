import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { RunInput } from '../../shared/contracts.ts';
import { EXIT, type Io } from '../io.ts';
import { type Connected, request } from './connection.ts';
import { type WatchOptions, watchExecution } from './watch.ts';

/** StartExecution with a checked input, then, with --wait, the execution followed to its end. */
export async function startExecution(
  connected: Connected,
  input: RunInput,
  watch: WatchOptions,
  io: Io,
): Promise<number> {
  const started = await request(
    'start',
    connected.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: connected.stateMachineArn,
        input: JSON.stringify(input),
        // a run id names the execution too, as `run --local --run-id` does
        ...(input.runId ? { name: input.runId } : {}),
      }),
    ),
  );
  const executionArn = started.executionArn as string;
  if (!watch.json || !watch.wait) {
    io.stdout.write(`${watch.json ? JSON.stringify({ executionArn }) : `started ${executionArn}`}\n`);
  }
  if (!watch.wait) return EXIT.ok;
  return watchExecution(connected.sfn, connected.store, executionArn, watch, io);
}
