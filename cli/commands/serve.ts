/**
 * `serve`: a loopback Step Functions endpoint over the local engine (local/serve), configured as
 * `run --local` is (targets from flags, a config file or Organizations; the simulated fleet with
 * `--simulate`), so that `start`/`status`/`runs`/`retry`/`redrive`, the AWS CLI or any SDK drive local
 * runs. Runs until SIGINT or SIGTERM.
 */
import { once } from 'node:events';
import { startStepFunctionsServer } from '../../local/serve/index.ts';
import { EXIT, type Io } from '../io.ts';
import { localReports, withLocalFleet } from '../local-fleet.ts';
import {
  LOCAL_RUN_FLAGS,
  LOCAL_RUN_HELP,
  type LocalRunFlags,
  parseLocalRunFlags,
} from '../local-run-flags.ts';
import { integer, parseOptions } from '../options.ts';
import { resolveConfig } from '../run-config.ts';
import { UsageError } from '../usage-error.ts';

export interface ServeOptions extends LocalRunFlags {
  host: string;
  port: number;
}

export const DEFAULT_PORT = 8083;

export const help = `Usage: lambda-inventory serve [options]

Serves a Step Functions endpoint on loopback (JSON 1.0 protocol: StartExecution, DescribeExecution,
ListExecutions, StopExecution, RedriveExecution, DescribeMapRun, ListMapRuns) whose one state machine
runs the inventory workflow in this process, configured as \`run --local\` is. Drive it with
\`lambda-inventory start --endpoint-url <url>\`, the AWS CLI (--endpoint-url) or any SDK.

Targets (choose one; with --simulate the default is --organization):
  --accounts <ids>               account ids, comma-separated or repeated
  --organization                 discover accounts with AWS Organizations
    --include-ous <ids>          only accounts under these OUs (recursively)
    --exclude-ous <ids>          drop accounts under these OUs
    --exclude-accounts <ids>     drop these accounts
  --config <file>                a deployment config file (the same JSON as the CDK app's 'inventory' context)
  --regions <codes>              regions to scan (default: the config's, else the 17 default-enabled regions)
  An execution's input overrides the targets, as it does for the deployed state machine.

Where the reports go:
${LOCAL_RUN_HELP.reports}

Tuning:
${LOCAL_RUN_HELP.tuning}

Endpoint:
  --host <address>               listen address (default 127.0.0.1: requests are not authenticated)
  --port <n>                     port (default ${DEFAULT_PORT}; 0 picks a free one)
  --simulate [spec.json]         start the fleet simulator in-process and run against it
  -h, --help                     show this help`;

export function parse(argv: readonly string[]): ServeOptions {
  const values = parseOptions(argv, {
    ...LOCAL_RUN_FLAGS,
    host: { type: 'string' },
    port: { type: 'string' },
  });
  const shared = parseLocalRunFlags(values, {
    outWithBucket: '--out and --bucket cannot be used together: the reports go to one place',
  });
  if (values.host !== undefined && values.host.trim() === '') throw new UsageError('--host needs an address');
  return {
    ...shared,
    host: values.host ?? '127.0.0.1',
    port: integer(values.port, '--port', 0, 65_535) ?? DEFAULT_PORT,
  };
}

export async function execute(
  options: ServeOptions,
  io: Io,
  until: Promise<unknown> = Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]),
): Promise<number> {
  return withLocalFleet(options, io, async ({ clients, simulated }) => {
    const config = await resolveConfig(options, simulated);
    const { store, bucket } = localReports(options);
    const server = await startStepFunctionsServer({
      config,
      store,
      bucket,
      clients,
      regionConcurrency: options.regionConcurrency,
      host: options.host,
      port: options.port,
    });
    const reports = options.bucket ? `--bucket ${options.bucket}` : `--out ${store.location}`;
    io.stdout.write(
      [
        `Step Functions endpoint listening on ${server.url}`,
        `  state machine ${server.stateMachineArn}`,
        `  reports in ${store.location}`,
        '',
        'Try:',
        `  lambda-inventory start --endpoint-url ${server.url} ${reports} --wait`,
        `  lambda-inventory runs --endpoint-url ${server.url} ${reports}`,
        `  aws stepfunctions list-executions --endpoint-url ${server.url} --state-machine-arn ${server.stateMachineArn}`,
        '',
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    await until;
    await server.close();
    io.stdout.write('endpoint stopped\n');
    return EXIT.ok;
  });
}
