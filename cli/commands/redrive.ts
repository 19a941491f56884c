/**
 * `redrive <execution>`: RedriveExecution of a failed, aborted or timed-out execution (Step Functions
 * runs it again from where it failed; `serve` runs it again whole under the same name and input).
 */
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { EXIT, type Io } from '../io.ts';
import {
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  type Connection,
  connect,
  executionArnOf,
  parseConnection,
  request,
} from '../operate/connection.ts';
import { leadingOperand } from '../operate/positional.ts';
import { parseWatch, WATCH_FLAGS, WATCH_HELP, type WatchOptions, watchExecution } from '../operate/watch.ts';
import { parseOptions } from '../options.ts';

export interface RedriveOptions {
  execution: string;
  connection: Connection;
  watch: WatchOptions;
}

export const help = `Usage: lambda-inventory redrive <execution> [options]

Redrives a failed, aborted or timed-out execution (its name or ARN); with --wait, follows it to the end.

${CONNECTION_HELP}

  --wait                         follow the execution to its end
${WATCH_HELP}
  -h, --help                     show this help`;

export function parse(argv: readonly string[]): RedriveOptions {
  const [execution, rest] = leadingOperand(argv, 'execution: redrive <execution name or ARN>');
  const values = parseOptions(rest, { ...CONNECTION_FLAGS, ...WATCH_FLAGS, wait: { type: 'boolean' } });
  return { execution, connection: parseConnection(values), watch: parseWatch(values, values.wait ?? false) };
}

export async function execute(options: RedriveOptions, io: Io): Promise<number> {
  const connected = await connect(options.connection);
  try {
    const executionArn = executionArnOf(options.execution, connected.stateMachineArn);
    await request('redrive', connected.sfn.send(new RedriveExecutionCommand({ executionArn })));
    if (!options.watch.json) io.stdout.write(`redriven ${executionArn}\n`);
    if (!options.watch.wait) return EXIT.ok;
    return await watchExecution(connected.sfn, connected.store, executionArn, options.watch, io);
  } finally {
    connected.close();
  }
}
