/** The simulated organizations the benchmark runs against. */
import { DEFAULT_REGIONS } from '../shared/contracts.ts';
import type { FleetSpec } from '../simulator/index.ts';

export const BENCH_SEED = 20261203;

/**
 * The `--goals` fleet: 200 accounts (199 members and the management account) x the 17 default
 * regions, 20 functions in every region (the density of real organizations: one ListFunctions page
 * per target), 100 ms per API call (typical of cross-region calls) and AWS's own ListFunctions quota
 * of 15 requests/s per account and region. Every account is active, has the member role and is
 * scanned: the bound then counts every call a complete run makes.
 */
export const GOALS_FLEET: FleetSpec = {
  seed: BENCH_SEED,
  accounts: 199,
  regions: [...DEFAULT_REGIONS],
  optInRegions: [],
  functionsPerRegion: { min: 20, max: 20 },
  heavyRegions: { count: 0 },
  suspendedAccounts: 0,
  closedAccounts: 0,
  accountsWithoutRole: 0,
  faults: { latencyMs: 100, listFunctionsRatePerSecond: 15, stsRatePerSecond: 0 },
};

/**
 * The throttling fleet: the goals fleet with 100 account-regions of 120-300 functions (3-6 pages),
 * STS limited to 5 AssumeRole/s for the central account and ListFunctions to 2 requests/s per
 * account and region. A complete run has to pace itself rather than give up on throttled targets.
 */
export const THROTTLED_FLEET: FleetSpec = {
  ...GOALS_FLEET,
  heavyRegions: { count: 100, functions: { min: 120, max: 300 } },
  faults: { latencyMs: 100, listFunctionsRatePerSecond: 2, stsRatePerSecond: 5 },
};

export interface DefaultBenchOptions {
  accounts: number;
  regions: number;
  latency: number;
  rate: number;
  seed: number;
}

/** The fleet of the default (non-goals) bench: the flags' size, with every gap a real organization has. */
export function defaultBenchFleet(options: DefaultBenchOptions): FleetSpec {
  const { accounts, latency } = options;
  return {
    seed: options.seed,
    accounts,
    regions: DEFAULT_REGIONS.slice(0, options.regions),
    optInRegions: ['eu-south-1'],
    functionsPerRegion: { min: 0, max: 40 },
    heavyRegions: { count: Math.max(1, Math.floor(accounts / 20)), functions: { min: 120, max: 400 } },
    suspendedAccounts: Math.max(1, Math.floor(accounts / 100)),
    accountsWithoutRole: Math.max(1, Math.floor(accounts / 50)),
    faults: {
      latencyMs: { min: Math.floor(latency / 2), max: latency * 2 },
      listFunctionsRatePerSecond: options.rate,
    },
  };
}
