/**
 * Accounts and regions that cannot be scanned: a missing role, an opt-in region the account has not
 * enabled and a SUSPENDED account show in coverage with their status and no function count; and
 * the central account's STS calls stay at one AssumeRole per account.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../../functions/shared/object-store.ts';
import { warmUpWorkflow } from '../../local/render-definition.ts';
import type { CoverageStatus } from '../../shared/contracts.ts';
import type { Fleet } from '../../simulator/index.ts';
import {
  expectedCoverage,
  inventoryConfig,
  MANAGEMENT,
  MEMBER,
  OPT_IN_REGION,
  ORGANIZATION_SPEC,
  type RunningFleet,
  readReport,
  reportedCoverage,
  runInventory,
  startFleet,
  succeeded,
  tempDir,
} from './support.ts';

/**
 * One batch at a time, 6 targets configured per batch, 4 regions per account: unless the plan rounds
 * batches to whole accounts, the account without the role (second by id) straddles the first two
 * batches, and its failed AssumeRole (never cached) is sent again by the second.
 */
const CONFIG = inventoryConfig({ maxConcurrency: 1, batchSize: 6, toleratedFailurePercentage: 0 });

beforeAll(() => warmUpWorkflow(CONFIG));

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function prepareOrganization() {
  const running: RunningFleet = await startFleet(ORGANIZATION_SPEC);
  cleanups.push(running.stop);
  const dir = await tempDir('coverage');
  cleanups.push(dir.remove);
  return { ...running, store: new FolderObjectStore(dir.path) };
}

async function runAndRead(store: FolderObjectStore) {
  const output = succeeded(await runInventory({ config: CONFIG, store }));
  return { output, report: await readReport(store, output.keys) };
}

/** What the simulator's ground truth says scanning the target (or the whole account) meets. */
function groundTruthStatus(fleet: Fleet, accountId: string, region: string | null): string {
  if (fleet.account(accountId)?.state !== 'ACTIVE') return 'account-skipped';
  return region === null ? 'scanned' : fleet.targetOutcome(accountId, region);
}

/** The cases the hand-made organization holds, with the status each must show. */
const UNSCANNABLE = [
  {
    what: 'an account without the role',
    accountId: MEMBER.noRole,
    region: 'eu-west-1',
    status: 'access-denied',
    errorCode: 'AccessDenied',
  },
  {
    what: 'an account without the role, in an opt-in region it enabled',
    accountId: MEMBER.noRole,
    region: OPT_IN_REGION,
    status: 'access-denied',
    errorCode: 'AccessDenied',
  },
  {
    what: 'a member in an opt-in region it has not enabled',
    accountId: MEMBER.optInDisabled,
    region: OPT_IN_REGION,
    status: 'region-not-enabled',
    errorCode: 'UnrecognizedClientException',
  },
  {
    what: 'the management account in an opt-in region it has not enabled',
    accountId: MANAGEMENT,
    region: OPT_IN_REGION,
    status: 'region-not-enabled',
    errorCode: 'UnrecognizedClientException',
  },
  {
    what: 'a SUSPENDED account',
    accountId: MEMBER.suspended,
    region: null,
    status: 'account-skipped',
    errorCode: null,
  },
] as const;

describe('coverage of targets that cannot be scanned', () => {
  it.each(UNSCANNABLE)(
    'shows $what as $status with no function count, in inventory.json and coverage.csv',
    async ({ accountId, region, status, errorCode }) => {
      // Prepare
      const { fleet, store } = await prepareOrganization();

      // Act
      const { report } = await runAndRead(store);

      // Assess
      expect(groundTruthStatus(fleet, accountId, region)).toBe(status);
      const json = report.inventory.coverage.filter(
        (entry) => entry.accountId === accountId && entry.region === region,
      );
      const csv = report.coverageCsv.filter(
        (row) => row.accountId === accountId && row.region === (region ?? ''),
      );
      expect(json).toEqual([
        expect.objectContaining({ status, functionCount: null, pages: null, errorCode }),
      ]);
      expect(csv).toEqual([
        expect.objectContaining({ status, functionCount: '', pages: '', errorCode: errorCode ?? '' }),
      ]);
    },
  );

  it('lists the SUSPENDED account once, with its state as the reason, and never in a region', async () => {
    // Prepare
    const { fleet, store } = await prepareOrganization();

    // Act
    const { report } = await runAndRead(store);

    // Assess
    expect(fleet.account(MEMBER.suspended)?.state).toBe('SUSPENDED');
    const entries = report.inventory.coverage.filter((entry) => entry.accountId === MEMBER.suspended);
    expect(entries).toEqual([
      expect.objectContaining({ region: null, status: 'account-skipped', message: 'state SUSPENDED' }),
    ]);
  });

  it('reports a function count for every scanned target and only for those', async () => {
    // Prepare
    const { fleet, store } = await prepareOrganization();

    // Act
    const { report } = await runAndRead(store);

    // Assess
    const counted = report.coverageCsv.filter((row) => row.functionCount !== '');
    expect(counted.every((row) => row.status === 'ok')).toBe(true);
    expect(counted).toHaveLength(report.coverageCsv.filter((row) => row.status === 'ok').length);
    for (const row of counted) {
      expect(Number(row.functionCount)).toBe(
        fleet.account(row.accountId ?? '')?.functions[row.region ?? '']?.length,
      );
    }
  });

  it('matches the ground truth for every target, and summary.json counts the same statuses', async () => {
    // Prepare
    const { fleet, store } = await prepareOrganization();
    const expected = expectedCoverage(fleet);
    const byStatus: Record<string, number> = {};
    for (const line of expected) {
      const status = line.split(' ')[2] as string;
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    }

    // Act
    const { output, report } = await runAndRead(store);

    // Assess
    const { coverage } = report.summary;
    expect(reportedCoverage(report.inventory.coverage)).toEqual(expected);
    expect(
      reportedCoverage(
        report.coverageCsv.map((row) => ({
          accountId: row.accountId ?? '',
          region: row.region ? row.region : null,
          status: row.status as CoverageStatus,
        })),
      ),
    ).toEqual(expected);
    expect(coverage.byStatus).toEqual(expect.objectContaining(byStatus));
    expect(Object.values(coverage.byStatus).reduce((sum, n) => sum + n, 0)).toBe(expected.length);
    expect(coverage.skippedAccounts).toBe(byStatus['account-skipped']);
    expect(coverage.scanned).toBe(byStatus.ok);
    // targets are the planned account-regions: a skipped account is counted apart, not per region
    expect(coverage.targets).toBe(expected.length - coverage.skippedAccounts);
    expect(output.coverage).toEqual(coverage);
  });
});

describe('STS calls of a run', () => {
  it('assume the role of every ACTIVE account exactly once, with or without the role, and of no other', async () => {
    // Prepare
    const { fleet, sim, store } = await prepareOrganization();
    const active = fleet.accounts
      .filter((account) => account.state === 'ACTIVE')
      .map((account) => account.id);

    // Act
    await runAndRead(store);

    // Assess
    expect(active).toContain(MEMBER.noRole);
    expect(active).not.toContain(MEMBER.suspended);
    expect(sim.counters.snapshot().assumeRoleByAccount).toEqual(
      Object.fromEntries(active.map((id) => [id, 1])),
    );
  });
});
