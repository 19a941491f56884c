/**
 * `status <execution>`: where an execution is (its Map Run's items), or, once it has ended, its summary
 * table; `--wait` follows it to the end.
 */
import type { Io } from '../io.ts';
import {
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  type Connection,
  connect,
  executionArnOf,
  parseConnection,
} from '../operate/connection.ts';
import { leadingOperand } from '../operate/positional.ts';
import { parseWatch, WATCH_FLAGS, WATCH_HELP, type WatchOptions, watchExecution } from '../operate/watch.ts';
import { parseOptions } from '../options.ts';

export interface StatusOptions {
  execution: string;
  connection: Connection;
  watch: WatchOptions;
}

export const help = `Usage: lambda-inventory status <execution> [options]

Shows an execution (its name or ARN) of the inventory state machine: the Map Run's progress while it
runs, the run's summary table once it has ended (exit 1 if it did not succeed or is below --min-coverage).

${CONNECTION_HELP}

  --wait                         follow the execution to its end
${WATCH_HELP}
  -h, --help                     show this help`;

export function parse(argv: readonly string[]): StatusOptions {
  const [execution, rest] = leadingOperand(argv, 'execution: status <execution name or ARN>');
  const values = parseOptions(rest, { ...CONNECTION_FLAGS, ...WATCH_FLAGS, wait: { type: 'boolean' } });
  return {
    execution,
    connection: parseConnection(values),
    watch: parseWatch(values, values.wait ?? false),
  };
}

export async function execute(options: StatusOptions, io: Io): Promise<number> {
  const connected = await connect(options.connection);
  try {
    const executionArn = executionArnOf(options.execution, connected.stateMachineArn);
    return await watchExecution(connected.sfn, connected.store, executionArn, options.watch, io);
  } finally {
    connected.close();
  }
}
