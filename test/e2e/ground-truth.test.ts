/**
 * The report against the simulator's ground truth, function by function: over a generated
 * organization, in a region that takes several ListFunctions pages, and with OU filters.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../../functions/shared/object-store.ts';
import { warmUpWorkflow } from '../../local/render-definition.ts';
import {
  countBy,
  csvFunctions,
  expectedCoverage,
  expectedFunctions,
  FLEET_REGIONS,
  functionCountIn,
  GENERATED_SPEC,
  HEAVY_COUNTS,
  inventoryConfig,
  MEMBER,
  ORGANIZATION_SPEC,
  PAGE_SIZE,
  pagesFor,
  type RunningFleet,
  readReport,
  reportedCoverage,
  reportedFunctions,
  runInventory,
  startFleet,
  succeeded,
  tempDir,
} from './support.ts';

/** Batches of about 5 targets (the plan rounds them to whole accounts), 4 batches at a time. */
const CONFIG = inventoryConfig({ maxConcurrency: 4, batchSize: 5, toleratedFailurePercentage: 0 });

beforeAll(() => warmUpWorkflow(CONFIG));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function prepare(spec: Parameters<typeof startFleet>[0]) {
  const running: RunningFleet = await startFleet(spec);
  cleanups.push(running.stop);
  const dir = await tempDir('ground-truth');
  cleanups.push(dir.remove);
  return { ...running, store: new FolderObjectStore(dir.path) };
}

describe('a run over a generated organization', () => {
  it('reports every reachable function with its account, region, ARN, runtime and memory, in JSON and CSV', async () => {
    // Prepare
    const { fleet, store } = await prepare(GENERATED_SPEC);
    const expected = expectedFunctions(fleet);

    // Act
    const output = succeeded(await runInventory({ config: CONFIG, store }));
    const report = await readReport(store, output.keys);

    // Assess
    expect(expected.length).toBeGreaterThan(100);
    expect(reportedFunctions(report.inventory.functions)).toEqual(expected);
    expect(csvFunctions(report.inventoryCsv)).toEqual(expected);
    expect(report.inventory.functions.some((fn) => fn.runtime === null && fn.packageType === 'Image')).toBe(
      true,
    );
  });

  it('counts functions by account and region in summary.json as the ground truth does', async () => {
    // Prepare
    const { fleet, store } = await prepare(GENERATED_SPEC);
    const expected = expectedFunctions(fleet);

    // Act
    const output = succeeded(await runInventory({ config: CONFIG, store }));
    const { summary } = await readReport(store, output.keys);

    // Assess
    expect(summary.functionCount).toBe(expected.length);
    expect(summary.byAccount).toEqual(countBy(expected, 'account'));
    expect(summary.byRegion).toEqual(countBy(expected, 'region'));
    expect(output.functionCount).toBe(expected.length);
  });

  it('gives every account-region of the organization the coverage status the fleet implies', async () => {
    // Prepare
    const { fleet, store } = await prepare(GENERATED_SPEC);

    // Act
    const output = succeeded(await runInventory({ config: CONFIG, store }));
    const { inventory } = await readReport(store, output.keys);

    // Assess
    expect(reportedCoverage(inventory.coverage)).toEqual(expectedCoverage(fleet));
  });
});

describe('a region with more functions than one ListFunctions page', () => {
  it('is inventoried completely, across every page', async () => {
    // Prepare
    const { fleet, store } = await prepare(ORGANIZATION_SPEC);
    const scope = { accounts: [MEMBER.heavy], regions: Object.keys(HEAVY_COUNTS) };

    // Act
    const input = { accounts: [{ id: MEMBER.heavy }], regions: scope.regions };
    const output = succeeded(await runInventory({ config: CONFIG, store, input }));
    const { inventory } = await readReport(store, output.keys);

    // Assess
    for (const [region, count] of Object.entries(HEAVY_COUNTS)) {
      expect(functionCountIn(fleet, MEMBER.heavy, region)).toBe(count);
      expect(inventory.functions.filter((fn) => fn.region === region)).toHaveLength(count);
      expect(inventory.coverage.find((entry) => entry.region === region)).toMatchObject({
        status: 'ok',
        functionCount: count,
        pages: Math.ceil(count / PAGE_SIZE),
      });
    }
    expect(reportedFunctions(inventory.functions)).toEqual(expectedFunctions(fleet, scope));
  });

  it('takes exactly ceil(n / 50) ListFunctions calls at the simulator', async () => {
    // Prepare
    const { fleet, sim, store } = await prepare(ORGANIZATION_SPEC);
    const region = 'eu-west-1';
    const count = functionCountIn(fleet, MEMBER.heavy, region);

    // Act
    succeeded(
      await runInventory({
        config: CONFIG,
        store,
        input: { accounts: [{ id: MEMBER.heavy }], regions: [region] },
      }),
    );

    // Assess
    expect(count).toBeGreaterThan(2 * PAGE_SIZE);
    expect(sim.counters.snapshot().calls['lambda:ListFunctions']).toBe(Math.ceil(count / PAGE_SIZE));
    expect(sim.counters.throttled).toEqual({});
  });

  it('takes one ListFunctions call per page for every scanned target of the organization', async () => {
    // Prepare
    const { fleet, sim, store } = await prepare(ORGANIZATION_SPEC);
    // a target whose role cannot be assumed never reaches ListFunctions; any other takes its pages
    // (a region the account has not enabled answers its first call with an error)
    const expectedCalls = fleet.accounts
      .filter((account) => account.state === 'ACTIVE' && account.hasRole)
      .flatMap((account) =>
        FLEET_REGIONS.map((region) => pagesFor(functionCountIn(fleet, account.id, region))),
      )
      .reduce((sum, pages) => sum + pages, 0);

    // Act
    succeeded(await runInventory({ config: CONFIG, store }));

    // Assess
    expect(sim.counters.snapshot().calls['lambda:ListFunctions']).toBe(expectedCalls);
  });
});

describe('Organizations OU filters', () => {
  const ouId = (running: RunningFleet, path: string) => {
    const ou = running.fleet.ous.find((candidate) => candidate.path === path);
    if (!ou) throw new Error(`no OU ${path} in the fleet`);
    return ou.id;
  };
  const accountsUnder = (running: RunningFleet, path: string) =>
    running.fleet.accounts
      .filter((account) => account.ouPath === path || account.ouPath.startsWith(`${path}/`))
      .map((account) => account.id);

  it('scan exactly the accounts under the included OUs and outside the excluded ones', async () => {
    // Prepare
    const running = await prepare(ORGANIZATION_SPEC);
    const devOu = ouId(running, 'Root/Workloads/Dev');
    const excluded = accountsUnder(running, 'Root/Workloads/Dev');
    const selected = accountsUnder(running, 'Root/Workloads').filter((id) => !excluded.includes(id));
    const organization = {
      includeOus: [ouId(running, 'Root/Workloads')],
      excludeOus: [devOu],
      excludeAccounts: [],
    };

    // Act
    const output = succeeded(
      await runInventory({ config: CONFIG, store: running.store, input: { organization } }),
    );
    const { inventory } = await readReport(running.store, output.keys);

    // Assess
    expect(selected.sort()).toEqual([MEMBER.heavy, MEMBER.suspended, MEMBER.checkout, MEMBER.shared].sort());
    // an excluded account is listed as skipped, with the OU that excluded it, and never scanned
    const skippedByFilter = excluded.map((id) => `${id} - account-skipped`);
    expect(reportedCoverage(inventory.coverage)).toEqual(
      [...expectedCoverage(running.fleet, selected), ...skippedByFilter].sort(),
    );
    for (const id of excluded) {
      expect(inventory.coverage.find((entry) => entry.accountId === id)?.message).toBe(
        `under excluded OU ${devOu}`,
      );
    }
    expect(reportedFunctions(inventory.functions)).toEqual(
      expectedFunctions(running.fleet, { accounts: selected }),
    );
    expect(Object.keys(running.sim.counters.snapshot().assumeRoleByAccount).sort()).toEqual(
      selected.filter((id) => running.fleet.account(id)?.state === 'ACTIVE').sort(),
    );
  });

  it('scan the accounts of several included OUs, and none of any other OU or of the root', async () => {
    // Prepare
    const running = await prepare(ORGANIZATION_SPEC);
    const selected = [
      ...accountsUnder(running, 'Root/Security'),
      ...accountsUnder(running, 'Root/Workloads/Dev'),
    ];
    const organization = {
      includeOus: [ouId(running, 'Root/Security'), ouId(running, 'Root/Workloads/Dev')],
      excludeOus: [],
      excludeAccounts: [],
    };

    // Act
    const output = succeeded(
      await runInventory({ config: CONFIG, store: running.store, input: { organization } }),
    );
    const { inventory } = await readReport(running.store, output.keys);

    // Assess
    expect(selected.sort()).toEqual([MEMBER.noRole, MEMBER.optInDisabled, MEMBER.security].sort());
    expect(reportedCoverage(inventory.coverage)).toEqual(expectedCoverage(running.fleet, selected));
    expect(reportedFunctions(inventory.functions)).toEqual(
      expectedFunctions(running.fleet, { accounts: selected }),
    );
  });
});
