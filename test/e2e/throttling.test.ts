/**
 * A throttling storm: ListFunctions held at a few requests per second per account and region,
 * several regions of many pages, and many batches and regions scanned at once. The SDK's retries
 * (which honour Retry-After) must absorb every 429: no target is lost and the report is complete.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../../functions/shared/object-store.ts';
import { renderWorkflow } from '../../local/render-definition.ts';
import type { FleetSpec } from '../../simulator/index.ts';
import {
  BUCKET,
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

beforeAll(() => {
  renderWorkflow(CONFIG, BUCKET);
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
