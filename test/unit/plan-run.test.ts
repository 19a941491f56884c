import { describe, expect, it } from 'vitest';
import { planRun } from '../../functions/plan/plan-run.ts';
import type { Screening } from '../../functions/plan/plan-targets.ts';
import { getJson } from '../../functions/shared/object-store.ts';
import {
  type OrganizationFilter,
  type PlanEvent,
  PlanSettings,
  type PlanSettingsInput,
  RunInput,
  type RunInputRaw,
  SkippedFile,
  type Target,
  TargetsFile,
  ValidationError,
} from '../../shared/contracts.ts';
import { InvalidTargetsError, ObjectStoreError } from '../../shared/errors.ts';
import { MemoryObjectStore, silentLogger } from './plan-worker-fakes.ts';

const BUCKET = 'inventory-bucket';
const EXECUTION = { name: 'nightly-2026-11-05', startTime: '2026-11-05T04:00:00.250+01:00' };

const STATIC: PlanSettingsInput = {
  targets: { source: 'accounts', accounts: [{ id: '222222222222' }, { id: '111111111111', name: 'prod' }] },
  regions: ['us-east-1', 'eu-west-1'],
};

const ORGANIZATION: PlanSettingsInput = {
  targets: { source: 'organization', excludeOus: ['ou-ab12-sandboxx'] },
  regions: ['us-east-1'],
};

/** What the fake Organizations discovery answers: two kept accounts, one skipped. */
const DISCOVERED: Screening = {
  kept: [{ id: '300000000001', name: 'prod-1' }, { id: '300000000002' }],
  skipped: [
    { accountId: '300000000009', accountName: 'gone', state: 'SUSPENDED', reason: 'state SUSPENDED' },
  ],
};

/** planRun with an in-memory store and a fake discovery that records the filters it is asked for. */
function setUp(settings: PlanSettingsInput, discovered: Screening = DISCOVERED) {
  const store = new MemoryObjectStore();
  const filters: OrganizationFilter[] = [];
  const plan = (input: RunInputRaw = {}, execution = EXECUTION) => {
    const event: PlanEvent = { input: RunInput.parse(input), execution };
    return planRun(
      {
        store,
        bucket: BUCKET,
        settings: PlanSettings.parse(settings),
        discoverAccounts: async (filter) => {
          filters.push(filter);
          return discovered;
        },
        logger: silentLogger(),
      },
      event,
    );
  };
  return { plan, store, filters };
}

const targetsIn = async (store: MemoryObjectStore, runId: string): Promise<Target[]> =>
  TargetsFile.parse(await getJson(store, `runs/${runId}/targets.json`));

const pairs = (targets: Target[]) => targets.map(({ accountId, region }) => `${accountId}/${region}`);

describe('planRun: where the targets come from', () => {
  it.each([
    {
      name: 'the deployed accounts crossed with the deployed regions, ordered by account then region',
      settings: STATIC,
      input: {},
      targets: [
        '111111111111/eu-west-1',
        '111111111111/us-east-1',
        '222222222222/eu-west-1',
        '222222222222/us-east-1',
      ],
      discovery: [],
    },
    {
      name: 'the input accounts and regions over the deployed ones, each account once',
      settings: STATIC,
      input: { accounts: ['333333333333', '333333333333'], regions: ['ap-south-1'] },
      targets: ['333333333333/ap-south-1'],
      discovery: [],
    },
    {
      name: 'the accounts Organizations discovery keeps, with the deployed filters',
      settings: ORGANIZATION,
      input: {},
      targets: ['300000000001/us-east-1', '300000000002/us-east-1'],
      discovery: [{ includeOus: [], excludeOus: ['ou-ab12-sandboxx'], excludeAccounts: [] }],
    },
    {
      name: 'the input organization filters, which replace the deployed ones as a whole',
      settings: ORGANIZATION,
      input: { organization: { includeOus: ['ou-ab12-prodprod'] } },
      targets: ['300000000001/us-east-1', '300000000002/us-east-1'],
      discovery: [{ includeOus: ['ou-ab12-prodprod'], excludeOus: [], excludeAccounts: [] }],
    },
    {
      name: 'the input accounts, which win over discovery and its filters',
      settings: ORGANIZATION,
      input: { accounts: ['333333333333'], organization: { includeOus: ['ou-ab12-prodprod'] } },
      targets: ['333333333333/us-east-1'],
      discovery: [],
    },
  ])('scans $name', async ({ settings, input, targets, discovery }) => {
    const { plan, store, filters } = setUp(settings);

    const output = await plan(input);

    expect(pairs(await targetsIn(store, output.runId))).toEqual(targets);
    expect(output.targetCount).toBe(targets.length);
    expect(output.accountCount).toBe(new Set(targets.map((pair) => pair.split('/')[0])).size);
    expect(filters).toEqual(discovery);
  });

  it('keeps account names, from the settings or from Organizations, in the targets', async () => {
    const { plan, store } = setUp(ORGANIZATION);

    const output = await plan();

    expect(await targetsIn(store, output.runId)).toEqual([
      { accountId: '300000000001', accountName: 'prod-1', region: 'us-east-1' },
      { accountId: '300000000002', region: 'us-east-1' },
    ]);
  });
});

describe('planRun: the output', () => {
  it('names the files it wrote and summarizes them, with the start time in UTC', async () => {
    const { plan, store } = setUp(STATIC);

    const output = await plan();

    expect(output).toEqual({
      runId: 'nightly-2026-11-05',
      scanId: expect.stringMatching(/^[0-9a-f]{12}$/),
      startedAt: '2026-11-05T03:00:00.250Z',
      bucket: BUCKET,
      targetsKey: 'runs/nightly-2026-11-05/targets.json',
      targetCount: 4,
      accountCount: 2,
      batchSize: 20,
      regions: ['eu-west-1', 'us-east-1'],
      skippedCount: 0,
      skippedKey: 'runs/nightly-2026-11-05/skipped.json',
    });
    expect([...store.objects.keys()].sort()).toEqual([output.skippedKey, output.targetsKey]);
    expect(SkippedFile.parse(await getJson(store, output.skippedKey))).toEqual([]);
  });

  it.each([
    { input: {}, execution: EXECUTION, runId: 'nightly-2026-11-05' },
    { input: { runId: 'adhoc-1' }, execution: EXECUTION, runId: 'adhoc-1' },
    { input: {}, execution: { ...EXECUTION, name: 'manual:run/1' }, runId: 'manual-run-1' },
  ])('takes the run id $runId from input $input and execution $execution.name', async (row) => {
    const { plan, store } = setUp(STATIC);

    const output = await plan(row.input, row.execution);

    expect(output.runId).toBe(row.runId);
    expect(await store.list(`runs/${row.runId}/`)).toEqual([
      `runs/${row.runId}/skipped.json`,
      `runs/${row.runId}/targets.json`,
    ]);
  });

  it.each([
    { configured: 5, regions: ['us-east-1', 'eu-west-1'], batchSize: 4 },
    { configured: 5, regions: ['us-east-1', 'eu-west-1', 'eu-central-1'], batchSize: 3 },
    { configured: 5, regions: ['us-east-1'], batchSize: 5 },
    { configured: 1, regions: ['us-east-1', 'eu-west-1'], batchSize: 2 },
  ])(
    'rounds a batch size of $configured to whole accounts of $regions.length regions: $batchSize',
    async ({ configured, regions, batchSize }) => {
      const { plan } = setUp({ ...STATIC, batchSize: configured });

      const output = await plan({ regions });

      expect(output.batchSize).toBe(batchSize);
    },
  );

  it('gives a retried plan of the same execution the same scan id, and any other execution its own', async () => {
    const { plan } = setUp(STATIC);

    const first = await plan({ runId: 'reused' });
    const retried = await plan({ runId: 'reused' });
    const later = await plan(
      { runId: 'reused' },
      { ...EXECUTION, startTime: '2026-11-05T04:00:01.250+01:00' },
    );
    const renamed = await plan({ runId: 'reused' }, { ...EXECUTION, name: 'nightly-2026-11-05-rerun' });

    expect(retried.scanId).toBe(first.scanId);
    expect(new Set([first.scanId, later.scanId, renamed.scanId]).size).toBe(3);
  });

  it('writes thousands of skipped accounts to skipped.json and keeps its output small', async () => {
    const skipped = Array.from({ length: 1_900 }, (_, index) => ({
      accountId: String(200_000_000_000 + index),
      accountName: `closed-${index}`,
      state: 'CLOSED',
      reason: 'state CLOSED',
    }));
    const { plan, store } = setUp(ORGANIZATION, { kept: [{ id: '100000000001' }], skipped });

    const output = await plan();

    expect(output).toMatchObject({ accountCount: 1, skippedCount: 1_900 });
    // the output travels in the Step Functions state (256 KiB at most); the list stays in S3
    expect(JSON.stringify(output).length).toBeLessThan(1_024);
    expect(SkippedFile.parse(await getJson(store, output.skippedKey))).toEqual(skipped);
  });
});

describe('planRun: runs it refuses, writing nothing', () => {
  it.each([
    {
      name: 'every discovered account skipped',
      settings: ORGANIZATION,
      discovered: {
        kept: [],
        skipped: [
          { accountId: '100000000001', state: 'SUSPENDED', reason: 'state SUSPENDED' },
          { accountId: '100000000002', reason: 'excluded by excludeAccounts' },
          { accountId: '100000000003', state: 'SUSPENDED', reason: 'state SUSPENDED' },
        ],
      },
      input: {},
      error: new InvalidTargetsError(
        'no targets to scan: all 3 discovered accounts were skipped (2 state SUSPENDED, 1 excluded by excludeAccounts)',
      ),
    },
    {
      name: 'an organization without accounts',
      settings: ORGANIZATION,
      discovered: { kept: [], skipped: [] },
      input: {},
      error: new InvalidTargetsError('no targets to scan: Organizations discovery found no accounts'),
    },
    {
      name: 'organization filters on a deployment that may not call Organizations',
      settings: STATIC,
      discovered: DISCOVERED,
      input: { organization: { includeOus: ['ou-ab12-workload'] } },
      error: new ValidationError(
        'input.organization: Organizations discovery is not deployed (targets.source is "accounts"); give input.accounts instead',
      ),
    },
  ])('refuses $name', async ({ settings, discovered, input, error }) => {
    const { plan, store } = setUp(settings, discovered);

    const planning = plan(input);

    await expect(planning).rejects.toThrow(error);
    await expect(planning).rejects.toBeInstanceOf(error.constructor);
    expect(store.objects.size).toBe(0);
  });

  it('refuses an execution name with nothing usable as a run id, naming it', async () => {
    const { plan, store } = setUp(STATIC);

    await expect(plan({}, { ...EXECUTION, name: '___' })).rejects.toThrow(
      new ValidationError('execution.name: "___" has no characters usable as a run id'),
    );
    expect(store.objects.size).toBe(0);
  });

  it('lets a store failure through, for the workflow to retry', async () => {
    const { plan, store } = setUp(STATIC);
    store.put = async () => {
      throw new ObjectStoreError('PutObject failed: SlowDown');
    };

    await expect(plan()).rejects.toThrow(ObjectStoreError);
  });
});
