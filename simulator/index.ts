/**
 * The fleet simulator: a loopback fake of STS, Lambda and Organizations that speaks their real wire
 * protocols, so the real AWS SDK clients (signing, retries, pagination) run against it. It shares no
 * code with the product: it is written from the AWS API documentation, so a protocol mistake in the
 * product cannot be cancelled out by the same mistake here.
 */
import type { AddressInfo } from 'node:net';
import { Counters } from './counters.ts';
import { CredentialStore } from './credentials.ts';
import { FaultInjector } from './faults.ts';
import { type Fleet, generateFleet } from './fleet.ts';
import { createLambdaFrontEnd } from './lambda-api.ts';
import { createOrganizationsFrontEnd } from './organizations.ts';
import { Prng } from './prng.ts';
import { RateLimiter } from './quotas.ts';
import { createSimulatorServer } from './server.ts';
import { DEFAULT_SPEC, type FaultsInput, type FleetSpec, parseFaults, parseSpec } from './spec.ts';
import { createStsFrontEnd } from './sts.ts';

export type { CounterSnapshot } from './counters.ts';
export { Counters } from './counters.ts';
export type {
  AccountState,
  FleetAccount,
  FleetFunction,
  FunctionConfiguration,
  OrganizationalUnit,
} from './fleet.ts';
export { Fleet, generateFleet } from './fleet.ts';
export { RUNTIME_CATEGORIES, RUNTIMES, type RuntimeCategory } from './runtimes.ts';
export {
  DEFAULT_SPEC,
  type Faults,
  type FaultsInput,
  type FleetSpec,
  loadSpec,
  parseSpec,
  type ResolvedFleetSpec,
  SpecError,
} from './spec.ts';

export interface SimulatorOptions {
  /** @default DEFAULT_SPEC */
  spec?: FleetSpec;
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** epoch milliseconds; tests move it to expire credentials or refill rate buckets @default Date.now */
  clock?: () => number;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:54321 */
  endpoint: string;
  /** the ground truth */
  fleet: Fleet;
  counters: Counters;
  /** environment for any SDK or CLI client: endpoints, central-account credentials, region */
  env: Record<string, string>;
  /** change faults at runtime; validated like the spec's `faults` */
  setFaults(partial: Partial<FaultsInput>): void;
  close(): Promise<void>;
}

/** Access key of the central account's user. Any key the simulator did not issue works the same. */
export const CENTRAL_ACCESS_KEY_ID = 'AKIAFLEETSIMCENTRAL0';
const CENTRAL_SECRET_ACCESS_KEY = 'fleet-simulator-central-secret-access-key';

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const spec = parseSpec(options.spec ?? DEFAULT_SPEC);
  const now = options.clock ?? Date.now;
  const fleet = generateFleet(spec);
  const prng = new Prng(spec.seed, 'server');
  const counters = new Counters();
  const faults = new FaultInjector(spec.faults, prng.fork('faults'));
  const credentials = new CredentialStore(spec.centralAccountId, prng.fork('credentials'));
  const lambdaLimiter = new RateLimiter(spec.faults.listFunctionsRatePerSecond);
  const stsLimiter = new RateLimiter(spec.faults.stsRatePerSecond);

  const server = createSimulatorServer({
    frontEnds: {
      sts: createStsFrontEnd({ fleet, credentials, limiter: stsLimiter, counters, now }),
      lambda: createLambdaFrontEnd({ fleet, limiter: lambdaLimiter, counters, now }),
      organizations: createOrganizationsFrontEnd({ fleet, faults, legacyStatusOnly: spec.legacyStatusOnly }),
    },
    credentials,
    faults,
    counters,
    now,
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    endpoint,
    fleet,
    counters,
    // per-service endpoints rather than AWS_ENDPOINT_URL, so S3 and every other service in the same
    // process keep their own endpoint (a real bucket, or s3rver in tests)
    env: {
      AWS_ENDPOINT_URL_STS: endpoint,
      AWS_ENDPOINT_URL_LAMBDA: endpoint,
      AWS_ENDPOINT_URL_ORGANIZATIONS: endpoint,
      AWS_ACCESS_KEY_ID: CENTRAL_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: CENTRAL_SECRET_ACCESS_KEY,
      AWS_REGION: spec.regions[0] as string,
      AWS_DEFAULT_REGION: spec.regions[0] as string,
    },
    setFaults(partial) {
      const parsed = parseFaults(partial);
      faults.update(parsed);
      if (parsed.listFunctionsRatePerSecond !== undefined)
        lambdaLimiter.setRate(parsed.listFunctionsRatePerSecond);
      if (parsed.stsRatePerSecond !== undefined) stsLimiter.setRate(parsed.stsRatePerSecond);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
