import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPlanHandler, planDepsFromEnv } from '../../functions/plan/handler.ts';
import { scanIdFor } from '../../functions/plan/plan-targets.ts';
import { getJson } from '../../functions/shared/object-store.ts';
import {
  PlanSettings,
  type PlanSettingsInput,
  type SkippedAccount,
  SkippedFile,
  type Target,
  ValidationError,
} from '../../shared/contracts.ts';
import { ENV } from '../../shared/env.ts';
import { InvalidTargetsError } from '../../shared/errors.ts';
import { account, fakeOrganization, legacyAccount, type OrgUnit } from './plan-fake-organization.ts';
import { MemoryObjectStore, silentLogger } from './plan-worker-fakes.ts';

const BUCKET = 'inventory-bucket';
const execution = { name: 'nightly-2026-11-05', startTime: '2026-11-05T04:00:00.250+01:00' };

const organizationSettings: PlanSettingsInput = {
  targets: { source: 'organization', includeOus: [], excludeOus: [], excludeAccounts: [] },
  regions: ['us-east-1', 'eu-west-1'],
};

function setUp(settings: PlanSettingsInput = organizationSettings) {
  const store = new MemoryObjectStore();
  const storesAskedFor: string[] = [];
  const plan = createPlanHandler({
    storeFor: (bucket) => {
      storesAskedFor.push(bucket);
      return store;
    },
    organizations: new OrganizationsClient({ region: 'us-east-1' }),
    settings: PlanSettings.parse(settings),
    bucket: BUCKET,
    logger: silentLogger(),
  });
  return { plan, store, storesAskedFor };
}

async function targetsWritten(store: MemoryObjectStore, runId: string): Promise<Target[]> {
  return (await getJson(store, `runs/${runId}/targets.json`)) as Target[];
}

async function skippedWritten(store: MemoryObjectStore, runId: string): Promise<SkippedAccount[]> {
  return SkippedFile.parse(await getJson(store, `runs/${runId}/skipped.json`));
}

/** root: two accounts; workloads OU (prod OU nested, with sandbox OU nested in it); security OU. */
function organizationTree(): OrgUnit {
  return {
    id: 'r-ab12',
    accounts: [account('100000000001', 'management'), account('100000000002', 'shared-services')],
    children: [
      {
        id: 'ou-ab12-workload',
        accounts: [account('200000000001', 'workloads-a'), account('200000000002', 'workloads-b')],
        children: [
          {
            id: 'ou-ab12-prodprod',
            accounts: [
              account('300000000001', 'prod-1'),
              account('300000000002', 'prod-2'),
              account('300000000003', 'prod-3'),
            ],
            children: [{ id: 'ou-ab12-sandboxx', accounts: [account('400000000001', 'sandbox')] }],
          },
        ],
      },
      {
        id: 'ou-ab12-security',
        accounts: [account('500000000001', 'audit'), account('500000000002', 'log-archive')],
      },
    ],
  };
}

const organizations = mockClient(OrganizationsClient);

beforeEach(() => {
  organizations.reset();
});

describe('plan handler: static targets', () => {
  it('writes the deployed accounts crossed with the deployed regions, ordered, and returns the summary', async () => {
    const { plan, store, storesAskedFor } = setUp({
      targets: {
        source: 'accounts',
        accounts: [{ id: '222222222222' }, { id: '111111111111', name: 'prod' }],
      },
      regions: ['us-east-1', 'eu-west-1'],
    });

    const output = await plan({ input: {}, execution });

    expect(output).toEqual({
      runId: 'nightly-2026-11-05',
      scanId: scanIdFor(execution.name, execution.startTime),
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
    expect(output.scanId).toMatch(/^[0-9a-f]{12}$/);
    expect(await skippedWritten(store, 'nightly-2026-11-05')).toEqual([]);
    expect(storesAskedFor).toEqual([BUCKET]);
    expect(await targetsWritten(store, 'nightly-2026-11-05')).toEqual([
      { accountId: '111111111111', accountName: 'prod', region: 'eu-west-1' },
      { accountId: '111111111111', accountName: 'prod', region: 'us-east-1' },
      { accountId: '222222222222', region: 'eu-west-1' },
      { accountId: '222222222222', region: 'us-east-1' },
    ]);
    expect(organizations.calls()).toHaveLength(0);
  });

  it('takes accounts, regions and the run id from the execution input over the deployed settings', async () => {
    fakeOrganization(organizations, organizationTree());
    const { plan, store } = setUp();

    const output = await plan({
      input: { runId: 'adhoc-1', accounts: ['333333333333', '333333333333'], regions: ['ap-south-1'] },
      execution,
    });

    expect(output).toMatchObject({
      runId: 'adhoc-1',
      targetCount: 1,
      accountCount: 1,
      regions: ['ap-south-1'],
    });
    expect(await targetsWritten(store, 'adhoc-1')).toEqual([
      { accountId: '333333333333', region: 'ap-south-1' },
    ]);
  });

  it('makes the execution name safe for a run id', async () => {
    const { plan, store } = setUp({
      targets: { source: 'accounts', accounts: [{ id: '111111111111' }] },
      regions: ['us-east-1'],
    });

    const output = await plan({ input: {}, execution: { ...execution, name: 'manual:run/1' } });

    expect(output.runId).toBe('manual-run-1');
    expect(await store.list('runs/')).toEqual([
      'runs/manual-run-1/skipped.json',
      'runs/manual-run-1/targets.json',
    ]);
  });
});

describe('plan handler: scan id', () => {
  const settings: PlanSettingsInput = {
    targets: { source: 'accounts', accounts: [{ id: '111111111111' }] },
    regions: ['us-east-1'],
  };

  it('gives a retried plan of the same execution the same scan id', async () => {
    const { plan } = setUp(settings);

    const first = await plan({ input: {}, execution });
    const retried = await plan({ input: {}, execution });

    expect(retried.scanId).toBe(first.scanId);
  });

  it('gives another execution that reuses the run id a scan id of its own', async () => {
    const { plan } = setUp(settings);

    const scans = await Promise.all([
      plan({ input: { runId: 'reused' }, execution }),
      plan({
        input: { runId: 'reused' },
        execution: { ...execution, startTime: '2026-11-05T04:00:01.250+01:00' },
      }),
      plan({ input: { runId: 'reused' }, execution: { ...execution, name: 'nightly-2026-11-05-rerun' } }),
    ]);

    expect(scans.map((scan) => scan.runId)).toEqual(['reused', 'reused', 'reused']);
    expect(new Set(scans.map((scan) => scan.scanId)).size).toBe(3);
  });
});

describe('plan handler: skipped accounts', () => {
  it('writes thousands of skipped accounts to skipped.json and keeps its output small', async () => {
    const closed = Array.from({ length: 1_900 }, (_, index) =>
      account(String(200_000_000_000 + index), `closed-${index}`, 'CLOSED'),
    );
    fakeOrganization(
      organizations,
      { id: 'r-ab12', accounts: [account('100000000001', 'live'), ...closed] },
      20,
    );
    const { plan, store } = setUp();

    const output = await plan({ input: { regions: ['us-east-1'] }, execution });

    expect(output).toMatchObject({
      accountCount: 1,
      skippedCount: 1_900,
      skippedKey: 'runs/nightly-2026-11-05/skipped.json',
    });
    // the output travels in the Step Functions state (256 KiB at most); the list stays in S3
    expect(JSON.stringify(output).length).toBeLessThan(1_024);
    const skipped = await skippedWritten(store, output.runId);
    expect(skipped).toHaveLength(1_900);
    expect(skipped[0]).toEqual({
      accountId: '200000000000',
      accountName: 'closed-0',
      state: 'CLOSED',
      reason: 'state CLOSED',
    });
  });
});

describe('plan handler: Organizations discovery', () => {
  it('lists every page of ListAccounts, empty pages with a NextToken included', async () => {
    fakeOrganization(organizations, organizationTree());
    const { plan, store } = setUp();

    const output = await plan({ input: {}, execution });

    const accountIds = [
      ...new Set((await targetsWritten(store, output.runId)).map((target) => target.accountId)),
    ];
    expect(accountIds).toEqual([
      '100000000001',
      '100000000002',
      '200000000001',
      '200000000002',
      '300000000001',
      '300000000002',
      '300000000003',
      '400000000001',
      '500000000001',
      '500000000002',
    ]);
    const listCalls = organizations.commandCalls(ListAccountsCommand);
    // 10 accounts in pages of 2, plus the empty page
    expect(listCalls).toHaveLength(6);
    expect(listCalls.map((call) => call.args[0].input.MaxResults)).toEqual([20, 20, 20, 20, 20, 20]);
    expect(organizations.commandCalls(ListAccountsForParentCommand)).toHaveLength(0);
    expect(output).toMatchObject({ targetCount: 20, accountCount: 10, skippedCount: 0 });
  });

  it.each([
    [{}, 5, 4],
    [{ regions: ['us-east-1', 'eu-west-1', 'eu-central-1'] }, 5, 3],
    [{ regions: ['us-east-1'] }, 5, 5],
  ])(
    'rounds the batch size to whole accounts of the regions scanned (input %j, configured %d)',
    async (input, configured, expected) => {
      fakeOrganization(organizations, { id: 'r-ab12', accounts: [account('100000000001', 'management')] });
      const { plan } = setUp({ ...organizationSettings, batchSize: configured });

      const output = await plan({ input, execution });

      expect(output.batchSize).toBe(expected);
    },
  );

  it('keeps account names from Organizations in the targets', async () => {
    fakeOrganization(organizations, { id: 'r-ab12', accounts: [account('100000000001', 'management')] });
    const { plan, store } = setUp();

    const output = await plan({ input: { regions: ['us-east-1'] }, execution });

    expect(await targetsWritten(store, output.runId)).toEqual([
      { accountId: '100000000001', accountName: 'management', region: 'us-east-1' },
    ]);
  });

  it('walks included OUs recursively and leaves out accounts elsewhere', async () => {
    fakeOrganization(organizations, organizationTree());
    const { plan, store } = setUp();

    const output = await plan({
      input: { regions: ['us-east-1'], organization: { includeOus: ['ou-ab12-workload'] } },
      execution,
    });

    expect((await targetsWritten(store, output.runId)).map((target) => target.accountId)).toEqual([
      '200000000001',
      '200000000002',
      '300000000001',
      '300000000002',
      '300000000003',
      '400000000001',
    ]);
    expect(organizations.commandCalls(ListAccountsCommand)).toHaveLength(0);
    const parentsWalked = organizations
      .commandCalls(ListOrganizationalUnitsForParentCommand)
      .map((call) => call.args[0].input.ParentId);
    expect(new Set(parentsWalked)).toEqual(
      new Set(['ou-ab12-workload', 'ou-ab12-prodprod', 'ou-ab12-sandboxx']),
    );
  });

  it('skips accounts under excluded OUs, nested ones included, naming the OU', async () => {
    fakeOrganization(organizations, organizationTree());
    const { plan, store } = setUp();

    const output = await plan({
      input: {
        regions: ['us-east-1'],
        organization: { includeOus: ['ou-ab12-workload'], excludeOus: ['ou-ab12-prodprod'] },
      },
      execution,
    });

    expect((await targetsWritten(store, output.runId)).map((target) => target.accountId)).toEqual([
      '200000000001',
      '200000000002',
    ]);
    expect(output.skippedCount).toBe(4);
    expect(await skippedWritten(store, output.runId)).toEqual([
      {
        accountId: '300000000001',
        accountName: 'prod-1',
        state: 'ACTIVE',
        reason: 'under excluded OU ou-ab12-prodprod',
      },
      {
        accountId: '300000000002',
        accountName: 'prod-2',
        state: 'ACTIVE',
        reason: 'under excluded OU ou-ab12-prodprod',
      },
      {
        accountId: '300000000003',
        accountName: 'prod-3',
        state: 'ACTIVE',
        reason: 'under excluded OU ou-ab12-prodprod',
      },
      {
        accountId: '400000000001',
        accountName: 'sandbox',
        state: 'ACTIVE',
        reason: 'under excluded OU ou-ab12-prodprod',
      },
    ]);
  });

  it('applies excluded OUs and accounts to the whole organization without included OUs', async () => {
    fakeOrganization(organizations, organizationTree());
    const { plan, store } = setUp({
      targets: {
        source: 'organization',
        includeOus: [],
        excludeOus: ['ou-ab12-security'],
        excludeAccounts: ['100000000001'],
      },
      regions: ['us-east-1'],
    });

    const output = await plan({ input: {}, execution });

    expect(output.accountCount).toBe(7);
    expect(
      (await skippedWritten(store, output.runId)).map(({ accountId, reason }) => ({ accountId, reason })),
    ).toEqual([
      { accountId: '100000000001', reason: 'excluded by excludeAccounts' },
      { accountId: '500000000001', reason: 'under excluded OU ou-ab12-security' },
      { accountId: '500000000002', reason: 'under excluded OU ou-ab12-security' },
    ]);
  });

  it('lets the input organization filters replace the deployed ones', async () => {
    fakeOrganization(organizations, organizationTree());
    const { plan } = setUp({
      targets: {
        source: 'organization',
        includeOus: ['ou-ab12-security'],
        excludeOus: [],
        excludeAccounts: [],
      },
      regions: ['us-east-1'],
    });

    const output = await plan({ input: { organization: { includeOus: ['ou-ab12-prodprod'] } }, execution });

    expect(output.accountCount).toBe(4);
  });

  it('skips SUSPENDED accounts with the reason, and reads the legacy Status when State is absent', async () => {
    fakeOrganization(organizations, {
      id: 'r-ab12',
      accounts: [
        account('100000000001', 'active'),
        account('100000000002', 'suspended', 'SUSPENDED'),
        legacyAccount('100000000003', 'legacy-active', 'ACTIVE'),
        legacyAccount('100000000004', 'legacy-suspended', 'SUSPENDED'),
        account('100000000005', 'closing', 'PENDING_CLOSURE'),
      ],
    });
    const { plan, store } = setUp();

    const output = await plan({ input: { regions: ['us-east-1'] }, execution });

    expect((await targetsWritten(store, output.runId)).map((target) => target.accountId)).toEqual([
      '100000000001',
      '100000000003',
    ]);
    expect(await skippedWritten(store, output.runId)).toEqual([
      { accountId: '100000000002', accountName: 'suspended', state: 'SUSPENDED', reason: 'state SUSPENDED' },
      {
        accountId: '100000000004',
        accountName: 'legacy-suspended',
        state: 'SUSPENDED',
        reason: 'state SUSPENDED',
      },
      {
        accountId: '100000000005',
        accountName: 'closing',
        state: 'PENDING_CLOSURE',
        reason: 'state PENDING_CLOSURE',
      },
    ]);
  });

  it('rejects a run whose accounts are all skipped, and writes nothing', async () => {
    fakeOrganization(organizations, {
      id: 'r-ab12',
      accounts: [account('100000000001', 'a', 'SUSPENDED'), account('100000000002', 'b', 'SUSPENDED')],
    });
    const { plan, store } = setUp();

    const planning = plan({ input: { organization: { excludeAccounts: ['100000000002'] } }, execution });

    await expect(planning).rejects.toThrow(InvalidTargetsError);
    await expect(planning).rejects.toThrow(
      'no targets to scan: all 2 discovered accounts were skipped (1 state SUSPENDED, 1 excluded by excludeAccounts)',
    );
    expect(store.objects.size).toBe(0);
  });

  it('rejects a run when the organization has no accounts, and writes nothing', async () => {
    fakeOrganization(organizations, { id: 'r-ab12', accounts: [] });
    const { plan, store } = setUp();

    await expect(plan({ input: {}, execution })).rejects.toThrow(
      new InvalidTargetsError('no targets to scan: Organizations discovery found no accounts'),
    );
    expect(store.objects.size).toBe(0);
  });

  it('rejects an included OU that is not in the organization, naming it', async () => {
    fakeOrganization(organizations, organizationTree());
    const { plan, store } = setUp();

    await expect(
      plan({ input: { organization: { includeOus: ['ou-ab12-missing1'] } }, execution }),
    ).rejects.toThrow(
      new InvalidTargetsError('organization.includeOus: ou-ab12-missing1 is not in the organization'),
    );
    expect(store.objects.size).toBe(0);
  });
});

describe('plan handler: event validation', () => {
  it.each([
    [
      'a bad region',
      { input: { regions: ['mars-1'] }, execution },
      /input\.regions\.0: must be an AWS region code/,
    ],
    ['a bad account id', { input: { accounts: ['123'] }, execution }, /input\.accounts\.0/],
    [
      'an unknown input field',
      { input: { acounts: ['123456789012'] }, execution },
      /input: Unrecognized key: "acounts"/,
    ],
    ['a missing execution', { input: {} }, /execution: /],
    [
      'a start time that is no date',
      { input: {}, execution: { name: 'x', startTime: 'yesterday' } },
      /execution\.startTime: must be a date-time/,
    ],
  ])(
    'rejects %s with a ValidationError naming the field, and writes nothing',
    async (_case, event, message) => {
      fakeOrganization(organizations, organizationTree());
      const { plan, store } = setUp();

      const planning = plan(event);

      await expect(planning).rejects.toThrow(ValidationError);
      await expect(planning).rejects.toThrow(message);
      expect(store.objects.size).toBe(0);
    },
  );
});

describe('plan handler: organization filters on a static deployment', () => {
  const accountsSettings: PlanSettingsInput = {
    targets: { source: 'accounts', accounts: [{ id: '111111111111' }] },
    regions: ['us-east-1'],
  };

  it('rejects input.organization up front, since the plan may not call Organizations, and writes nothing', async () => {
    fakeOrganization(organizations, organizationTree());
    const { plan, store } = setUp(accountsSettings);

    const planning = plan({ input: { organization: { includeOus: ['ou-ab12-workload'] } }, execution });

    await expect(planning).rejects.toThrow(ValidationError);
    await expect(planning).rejects.toThrow(
      'input.organization: Organizations discovery is not deployed (targets.source is "accounts"); give input.accounts instead',
    );
    expect(organizations.calls()).toHaveLength(0);
    expect(store.objects.size).toBe(0);
  });

  it('takes input.accounts, which win over organization filters as on any deployment', async () => {
    const { plan, store } = setUp(accountsSettings);

    const output = await plan({
      input: { accounts: ['333333333333'], organization: { includeOus: ['ou-ab12-workload'] } },
      execution,
    });

    expect(await targetsWritten(store, output.runId)).toEqual([
      { accountId: '333333333333', region: 'us-east-1' },
    ]);
    expect(organizations.calls()).toHaveLength(0);
  });
});

describe('planDepsFromEnv', () => {
  const settings = JSON.stringify({
    targets: { source: 'accounts', accounts: ['111111111111'] },
    regions: ['us-east-1'],
  });

  it('reads the bucket and the settings', () => {
    const deps = planDepsFromEnv({ [ENV.bucketName]: BUCKET, [ENV.planSettings]: settings });

    expect(deps.bucket).toBe(BUCKET);
    expect(deps.settings).toEqual({
      targets: { source: 'accounts', accounts: [{ id: '111111111111' }] },
      regions: ['us-east-1'],
      batchSize: 20,
    });
  });

  it.each([
    [
      'settings that are not JSON',
      { [ENV.planSettings]: '{targets', [ENV.bucketName]: BUCKET },
      /INVENTORY_PLAN_SETTINGS: not valid JSON/,
    ],
    [
      'settings with a bad field',
      {
        [ENV.planSettings]: JSON.stringify({
          targets: { source: 'accounts', accounts: [] },
          regions: ['us-east-1'],
        }),
        [ENV.bucketName]: BUCKET,
      },
      /INVENTORY_PLAN_SETTINGS: targets\.accounts: /,
    ],
    ['missing settings', { [ENV.bucketName]: BUCKET }, /INVENTORY_PLAN_SETTINGS is not set/],
    ['a missing bucket', { [ENV.planSettings]: settings }, /INVENTORY_BUCKET is not set/],
  ])('names the variable for %s', (_case, env, message) => {
    expect(() => planDepsFromEnv(env)).toThrow(message);
  });
});
