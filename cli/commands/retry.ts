/**
 * `retry <runId>`: starts a run over the targets an earlier run did not scan (access-denied, throttled,
 * error, not-scanned), read from that run's coverage.csv. An execution input names accounts and
 * regions, not pairs: the retry scans every listed account in every listed region, which is exactly
 * the missed pairs when they form a rectangle (one account without the role, one throttled region) and
 * a superset otherwise; the command says how many extra pairs that is.
 */
import { RunId } from '../../shared/contracts.ts';
import { EXIT, type Io } from '../io.ts';
import {
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  type Connection,
  connect,
  parseConnection,
} from '../operate/connection.ts';
import { leadingOperand } from '../operate/positional.ts';
import { retryInput } from '../operate/retry-input.ts';
import { startExecution } from '../operate/start-execution.ts';
import { parseWatch, WATCH_FLAGS, WATCH_HELP, type WatchOptions } from '../operate/watch.ts';
import { one, parseOptions } from '../options.ts';

export interface RetryOptions {
  runId: string;
  newRunId?: string;
  connection: Connection;
  watch: WatchOptions;
}

export const help = `Usage: lambda-inventory retry <runId> [options]

Starts a run over the targets run <runId> did not scan (access-denied, throttled, error, not-scanned;
not regions the account has not enabled, nor skipped accounts), from its report's coverage.csv.
The execution input names accounts and regions: every listed account is scanned in every listed region,
a superset of the missed pairs when they do not form a rectangle (the command says by how many).

${CONNECTION_HELP}

  --run-id <id>                  name the new run (default: from the execution)
  --wait                         follow the execution to its end
${WATCH_HELP}
  -h, --help                     show this help`;

export function parse(argv: readonly string[]): RetryOptions {
  const [runId, rest] = leadingOperand(argv, 'run id: retry <runId>');
  const values = parseOptions(rest, {
    ...CONNECTION_FLAGS,
    ...WATCH_FLAGS,
    'run-id': { type: 'string' },
    wait: { type: 'boolean' },
  });
  return {
    runId: one(runId, 'retry <runId>', RunId) as string,
    newRunId: one(values['run-id'], '--run-id', RunId),
    connection: parseConnection(values),
    watch: parseWatch(values, values.wait ?? false),
  };
}

export async function execute(options: RetryOptions, io: Io): Promise<number> {
  const connected = await connect(options.connection);
  try {
    const input = await retryInput(connected.store, options.runId, options.newRunId, io.stderr);
    if (input === undefined) {
      io.stdout.write(`run ${options.runId} scanned every target it could: nothing to retry\n`);
      return EXIT.ok;
    }
    return await startExecution(connected, input, options.watch, io);
  } finally {
    connected.close();
  }
}
