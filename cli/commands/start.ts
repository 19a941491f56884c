/**
 * `start`: StartExecution on the deployed state machine (or a `serve` endpoint) with the targets given
 * as flags; with `--wait`, follows it to the end and prints the summary table of a local run.
 */
import type { RunInput } from '../../shared/contracts.ts';
import type { Io } from '../io.ts';
import {
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  type Connection,
  connect,
  parseConnection,
} from '../operate/connection.ts';
import { parseRunInput, TARGET_FLAGS, TARGET_HELP } from '../operate/run-input.ts';
import { startExecution } from '../operate/start-execution.ts';
import { parseWatch, WATCH_FLAGS, WATCH_HELP, type WatchOptions } from '../operate/watch.ts';
import { parseOptions } from '../options.ts';

export interface StartOptions {
  connection: Connection;
  input: RunInput;
  watch: WatchOptions;
}

export const help = `Usage: lambda-inventory start [options]

Starts an execution of the deployed inventory state machine (or of \`lambda-inventory serve\`) and
prints its ARN; with --wait, shows the Map Run's progress and the run's summary at the end.

${TARGET_HELP}

${CONNECTION_HELP}

  --wait                         follow the execution to its end (exit 1 if it fails or is below --min-coverage)
${WATCH_HELP}
  -h, --help                     show this help`;

export function parse(argv: readonly string[]): StartOptions {
  const values = parseOptions(argv, {
    ...TARGET_FLAGS,
    ...CONNECTION_FLAGS,
    ...WATCH_FLAGS,
    wait: { type: 'boolean' },
  });
  return {
    connection: parseConnection(values),
    input: parseRunInput(values),
    watch: parseWatch(values, values.wait ?? false),
  };
}

export async function execute(options: StartOptions, io: Io): Promise<number> {
  const connected = await connect(options.connection);
  try {
    return await startExecution(connected, options.input, options.watch, io);
  } finally {
    connected.close();
  }
}
