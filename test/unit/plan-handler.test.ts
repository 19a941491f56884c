/**
 * The plan handler parses its event and wires planRun to the deployment's store and Organizations
 * client: what planning does is tested in plan-run.test.ts, discovery in plan-organizations.test.ts.
 */
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPlanHandler, planDepsFromEnv } from '../../functions/plan/handler.ts';
import { getJson } from '../../functions/shared/object-store.ts';
import { PlanSettings, type PlanSettingsInput, ValidationError } from '../../shared/contracts.ts';
import { ENV } from '../../shared/env.ts';
import { account, fakeOrganization } from './plan-fake-organization.ts';
import { FAKE_CREDENTIALS, MemoryObjectStore, silentLogger } from './plan-worker-fakes.ts';

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
    organizations: new OrganizationsClient({ region: 'us-east-1', credentials: FAKE_CREDENTIALS }),
    settings: PlanSettings.parse(settings),
    bucket: BUCKET,
    logger: silentLogger(),
  });
  return { plan, store, storesAskedFor };
}

const organizations = mockClient(OrganizationsClient);

beforeEach(() => {
  organizations.reset();
});

describe('plan handler: wiring', () => {
  it('discovers accounts through the Organizations client and writes to the store of its bucket', async () => {
    fakeOrganization(organizations, {
      id: 'r-ab12',
      accounts: [account('100000000001', 'management'), account('100000000002', 'gone', 'SUSPENDED')],
    });
    const { plan, store, storesAskedFor } = setUp();

    const output = await plan({ input: { regions: ['us-east-1'] }, execution });

    expect(output).toMatchObject({ runId: execution.name, bucket: BUCKET, targetCount: 1, skippedCount: 1 });
    expect(storesAskedFor).toEqual([BUCKET]);
    expect(await getJson(store, output.targetsKey)).toEqual([
      { accountId: '100000000001', accountName: 'management', region: 'us-east-1' },
    ]);
    expect(organizations.commandCalls(ListAccountsCommand).length).toBeGreaterThan(0);
  });

  it('never calls Organizations on a deployment with static accounts', async () => {
    const { plan } = setUp({
      targets: { source: 'accounts', accounts: ['111111111111'] },
      regions: ['us-east-1'],
    });

    const output = await plan({ input: {}, execution });

    expect(output.targetCount).toBe(1);
    expect(organizations.calls()).toHaveLength(0);
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
      fakeOrganization(organizations, { id: 'r-ab12', accounts: [account('100000000001', 'management')] });
      const { plan, store } = setUp();

      const planning = plan(event);

      await expect(planning).rejects.toThrow(ValidationError);
      await expect(planning).rejects.toThrow(message);
      expect(organizations.calls()).toHaveLength(0);
      expect(store.objects.size).toBe(0);
    },
  );
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
