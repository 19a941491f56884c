/**
 * What a command that runs the workflow in this process scans and where its reports go (`run --local`,
 * `serve`): the simulated fleet `--simulate` starts in this process, or AWS with the environment's
 * credentials; the `--bucket`, or the `--out` folder.
 */
import type { LocalClients, LocalStore } from '../local/engine.ts';
import { localStore } from '../local/stores.ts';
import { type Fleet, startSimulator } from '../simulator/index.ts';
import { awsClients, simulatorClients } from './clients.ts';
import type { Io } from './io.ts';
import type { LocalRunFlags } from './local-run-flags.ts';
import { loadSpecFlag } from './spec-flag.ts';

export interface LocalFleet {
  clients: LocalClients;
  /** The simulated fleet, with `--simulate`: a config without regions takes the fleet's. */
  simulated?: Fleet;
}

/** Runs `body` against the fleet the flags choose; a simulator it started is closed once `body` ends. */
export async function withLocalFleet<T>(
  flags: Pick<LocalRunFlags, 'simulate'>,
  io: Io,
  body: (fleet: LocalFleet) => Promise<T>,
): Promise<T> {
  const simulator = flags.simulate
    ? await startSimulator({ spec: await loadSpecFlag('--simulate', flags.simulate.spec), port: 0 })
    : undefined;
  try {
    if (simulator) io.stderr.write(`simulated fleet at ${simulator.endpoint}\n`);
    return await body({
      clients: simulator ? simulatorClients(simulator) : awsClients(),
      simulated: simulator?.fleet,
    });
  } finally {
    await simulator?.close();
  }
}

/** Where the reports go: the bucket given, or the output folder, which is then the bucket's name too. */
export function localReports(flags: Pick<LocalRunFlags, 'out' | 'bucket'>): {
  store: LocalStore;
  bucket: string;
} {
  if (flags.bucket) return { store: localStore({ bucket: flags.bucket }), bucket: flags.bucket };
  const store = localStore({ folder: flags.out });
  return { store, bucket: store.location };
}
