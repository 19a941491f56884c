/** `simulate`: start the fleet simulator alone and print how to talk to it; runs until interrupted. */
import { once } from 'node:events';
import { startSimulator } from '../../simulator/index.ts';
import type { SimulateCommand } from '../args.ts';
import type { Io } from '../main.ts';
import { loadSpecFlag } from '../spec-flag.ts';

export async function simulateCommand(
  command: SimulateCommand,
  io: Io,
  until: Promise<unknown> = Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]),
): Promise<number> {
  const spec = await loadSpecFlag('--spec', command.spec);
  const simulator = await startSimulator({ spec, port: command.port, host: command.host });
  const { fleet } = simulator;
  const functions = fleet.accounts.reduce(
    (sum, account) => sum + Object.values(account.functions).reduce((n, list) => n + list.length, 0),
    0,
  );
  io.stdout.write(
    [
      `fleet simulator listening on ${simulator.endpoint}`,
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
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await until;
  await simulator.close();
  io.stdout.write('simulator stopped\n');
  return 0;
}
