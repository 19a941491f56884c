/**
 * Throttling storms: ListFunctions held at a few requests per second per account and region, and
 * AssumeRole held at 1 or 5 calls per second for the central account, with many batches and regions
 * scanned at once. The worker's pacing (paced calls, throttles retried after Retry-After or a
 * jittered backoff) must absorb every throttle: no target is lost and the report is complete.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../../functions/shared/object-store.ts';
import { warmUpWorkflow } from '../../local/render-definition.ts';
import type { Fleet, FleetSpec, Simulator } from '../../simulator/index.ts';
import {
  expectedCoverage,
  expectedFunctions,
  FLEET_REGIONS,
  functionCountIn,
  inventoryConfig,
  PAGE_SIZE,
  type RunningFleet,
  readReport,
  reportedCoverage,
  reportedFunctions,
  runInventory,
  startFleet,
  succeeded,
  tempDir,
} from './support.ts';

/** Two account-regions per batch, every batch at once. */
const CONFIG = inventoryConfig({ maxConcurrency: 40, batchSize: 2, toleratedFailurePercentage: 0 });
/** One account (its four regions) per batch, every batch at once: all AssumeRole calls start together. */
const ACCOUNT_BATCHES = inventoryConfig({
  maxConcurrency: 40,
  batchSize: FLEET_REGIONS.length,
  toleratedFailurePercentage: 0,
});

const HEAVY_REGIONS = 8;

const STORM: FleetSpec = {
  seed: 'throttling-storm',
  accounts: 6,
  suspendedAccounts: 0,
  accountsWithoutRole: 0,
  functionsPerRegion: { min: 1, max: 20 },
  // 4-6 pages in each heavy region against a bucket of 2 requests a second: most are throttled at least once
  heavyRegions: { count: HEAVY_REGIONS, functions: { min: 160, max: 300 } },
  // a little latency, so that requests of different batches and regions overlap at the simulator
  faults: { listFunctionsRatePerSecond: 2, latencyMs: { min: 2, max: 10 } },
};

beforeAll(async () => {
  await warmUpWorkflow(CONFIG);
  await warmUpWorkflow(ACCOUNT_BATCHES);
});

let running: RunningFleet | undefined;
let removeDir: (() => Promise<void>) | undefined;
afterEach(async () => {
  await running?.stop();
  await removeDir?.();
});

describe('a run under a ListFunctions throttling storm', () => {
  it('is throttled by the simulator, yet scans every target completely and loses no function', async () => {
    // Prepare
    running = await startFleet(STORM);
    const dir = await tempDir('throttling');
    removeDir = dir.remove;
    const store = new FolderObjectStore(dir.path);
    const { fleet, sim } = running;
    const heavy = fleet.accounts.flatMap((account) =>
      FLEET_REGIONS.filter((region) => functionCountIn(fleet, account.id, region) > 3 * PAGE_SIZE).map(
        (region) => ({
          accountId: account.id,
          region,
        }),
      ),
    );

    // Act
    const output = succeeded(await runInventory({ config: CONFIG, store, extra: { regionConcurrency: 8 } }));
    const { inventory, summary } = await readReport(store, output.keys);

    // Assess
    const counters = sim.counters.snapshot();
    expect(heavy).toHaveLength(HEAVY_REGIONS);
    expect(counters.throttled['lambda:ListFunctions']).toBeGreaterThanOrEqual(HEAVY_REGIONS);
    expect(counters.peakConcurrency).toBeGreaterThan(1);
    expect(reportedCoverage(inventory.coverage)).toEqual(expectedCoverage(fleet));
    expect(summary.coverage.byStatus.throttled).toBe(0);
    expect(reportedFunctions(inventory.functions)).toEqual(expectedFunctions(fleet));
    // a throttled page is asked for again, never skipped or counted twice
    for (const { accountId, region } of heavy) {
      expect(
        inventory.coverage.find((entry) => entry.accountId === accountId && entry.region === region),
      ).toMatchObject({
        status: 'ok',
        functionCount: functionCountIn(fleet, accountId, region),
        pages: Math.ceil(functionCountIn(fleet, accountId, region) / PAGE_SIZE),
      });
    }
  });
});

/** 29 members and the management account, all reachable, a few functions in each region. */
const thirtyAccounts = (faults: FleetSpec['faults'], heavyRegions: FleetSpec['heavyRegions']): FleetSpec => ({
  seed: 'sts-storm',
  accounts: 29,
  suspendedAccounts: 0,
  accountsWithoutRole: 0,
  functionsPerRegion: { min: 0, max: 8 },
  heavyRegions,
  faults: { latencyMs: { min: 2, max: 10 }, ...faults },
});

/** AssumeRole calls that got through, per account: one per account per run is the design. */
function assumeRolesPerAccount(sim: Simulator, fleet: Fleet): number {
  const byAccount = sim.counters.snapshot().assumeRoleByAccount;
  const active = fleet.accounts.filter((account) => account.state === 'ACTIVE');
  expect(Object.keys(byAccount).sort()).toEqual(active.map((account) => account.id).sort());
  return Object.values(byAccount).reduce((sum, count) => sum + count, 0) / active.length;
}

describe('a run under an AssumeRole throttling storm', () => {
  // 30 AssumeRole calls at 1/s take 29 s at best
  it('paces AssumeRole at 1 call/s on 30 accounts, assumes each once and loses no target', async () => {
    // Prepare
    running = await startFleet(thirtyAccounts({ stsRatePerSecond: 1 }, { count: 0 }));
    const dir = await tempDir('sts-throttling');
    removeDir = dir.remove;
    const store = new FolderObjectStore(dir.path);
    const { fleet, sim } = running;

    // Act
    const output = succeeded(await runInventory({ config: ACCOUNT_BATCHES, store }));
    const { inventory, summary } = await readReport(store, output.keys);

    // Assess
    expect(fleet.accounts).toHaveLength(30);
    expect(sim.counters.snapshot().throttled['sts:AssumeRole']).toBeGreaterThan(0);
    expect(summary.coverage.byStatus.throttled).toBe(0);
    expect(reportedCoverage(inventory.coverage)).toEqual(expectedCoverage(fleet));
    expect(reportedFunctions(inventory.functions)).toEqual(expectedFunctions(fleet));
    expect(assumeRolesPerAccount(sim, fleet)).toBeLessThanOrEqual(1.05);
  }, 60_000);

  it('paces AssumeRole at 5 calls/s and ListFunctions at 2 requests/s together, and loses no target', async () => {
    // Prepare
    running = await startFleet(
      thirtyAccounts(
        { stsRatePerSecond: 5, listFunctionsRatePerSecond: 2 },
        { count: 6, functions: { min: 120, max: 250 } },
      ),
    );
    const dir = await tempDir('sts-lambda-throttling');
    removeDir = dir.remove;
    const store = new FolderObjectStore(dir.path);
    const { fleet, sim } = running;

    // Act
    const output = succeeded(await runInventory({ config: ACCOUNT_BATCHES, store }));
    const { inventory, summary } = await readReport(store, output.keys);

    // Assess
    const throttled = sim.counters.snapshot().throttled;
    expect(throttled['sts:AssumeRole']).toBeGreaterThan(0);
    expect(throttled['lambda:ListFunctions']).toBeGreaterThan(0);
    expect(summary.coverage.byStatus.throttled).toBe(0);
    expect(reportedCoverage(inventory.coverage)).toEqual(expectedCoverage(fleet));
    expect(reportedFunctions(inventory.functions)).toEqual(expectedFunctions(fleet));
    expect(assumeRolesPerAccount(sim, fleet)).toBeLessThanOrEqual(1.05);
  });
});
