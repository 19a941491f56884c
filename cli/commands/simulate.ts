/** `simulate`: start the fleet simulator alone and print how to talk to it; runs until interrupted. */
import { once } from 'node:events';
import { startSimulator } from '../../simulator/index.ts';
import { EXIT, type Io } from '../io.ts';
import { integer, parseOptions } from '../options.ts';
import { loadSpecFlag } from '../spec-flag.ts';

export interface SimulateOptions {
  spec?: string;
  port: number;
  host: string;
}

export const help = `Usage: lambda-inventory simulate [options]

Starts the fleet simulator on loopback and prints the endpoint and environment to use: the AWS CLI or
any AWS SDK then talks to a simulated organization (STS AssumeRole, Lambda ListFunctions,
Organizations). Stops on Ctrl-C.

Options:
  --spec <file>    fleet spec (JSON); default: the built-in demo fleet
  --port <n>       port to listen on (default 4566; 0 picks a free one)
  --host <addr>    address to bind (default 127.0.0.1)
  -h, --help       show this help`;

export function parse(argv: readonly string[]): SimulateOptions {
  const values = parseOptions(argv, {
    spec: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
  });
  return {
    spec: values.spec,
    port: integer(values.port, '--port', 0, 65_535) ?? 4566,
    host: values.host ?? '127.0.0.1',
  };
}

export async function execute(
  options: SimulateOptions,
  io: Io,
  until: Promise<unknown> = Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]),
): Promise<number> {
  const spec = await loadSpecFlag('--spec', options.spec);
  const simulator = await startSimulator({ spec, port: options.port, host: options.host });
  const { fleet, endpoint } = simulator;
  const functions = fleet.accounts.reduce(
    (sum, account) => sum + Object.values(account.functions).reduce((n, list) => n + list.length, 0),
    0,
  );
  io.stdout.write(
    [
      `fleet simulator listening on ${endpoint}`,
      `  organization ${fleet.organizationId}: ${fleet.accounts.length} accounts, ${functions} functions`,
      `  central (management) account ${fleet.centralAccountId}`,
      '',
      'Point any AWS SDK or the AWS CLI at it:',
      ...Object.entries(simulator.env).map(([name, value]) => `  export ${name}=${value}`),
      '',
      'Then, for example:',
      '  aws organizations list-accounts',
      '  lambda-inventory run --local --organization',
      '',
      // service-specific endpoint variables arrived in AWS CLI 2.13: older ones would call AWS itself
      "AWS CLI versions before 2.13 (Debian's awscli is 2.9) ignore AWS_ENDPOINT_URL_<SERVICE>:",
      'give them the endpoint on each call instead:',
      `  aws organizations list-accounts --endpoint-url ${endpoint}`,
      `  aws sts get-caller-identity --endpoint-url ${endpoint}`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await until;
  await simulator.close();
  io.stdout.write('simulator stopped\n');
  return EXIT.ok;
}
