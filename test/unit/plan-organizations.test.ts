import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { discoverAccounts } from '../../functions/plan/organizations.ts';
import type { OrganizationFilter } from '../../shared/contracts.ts';
import { InvalidTargetsError } from '../../shared/errors.ts';
import { account, fakeOrganization, legacyAccount, type OrgUnit } from './plan-fake-organization.ts';
import { FAKE_CREDENTIALS } from './plan-worker-fakes.ts';

const client = new OrganizationsClient({ region: 'us-east-1', credentials: FAKE_CREDENTIALS });
const organizations = mockClient(OrganizationsClient);

beforeEach(() => {
  organizations.reset();
});

const filter = (fields: Partial<OrganizationFilter> = {}): OrganizationFilter => ({
  includeOus: [],
  excludeOus: [],
  excludeAccounts: [],
  ...fields,
});

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

const ids = (refs: { id: string }[]) => refs.map((ref) => ref.id);

describe('discoverAccounts', () => {
  it('lists every page of ListAccounts, empty pages with a NextToken included', async () => {
    fakeOrganization(organizations, organizationTree());

    const { kept, skipped } = await discoverAccounts(client, filter());

    expect(ids(kept).sort()).toEqual([
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
    expect(skipped).toEqual([]);
    const listCalls = organizations.commandCalls(ListAccountsCommand);
    // 10 accounts in pages of 2, plus the empty page
    expect(listCalls.map((call) => call.args[0].input.MaxResults)).toEqual([20, 20, 20, 20, 20, 20]);
    expect(organizations.commandCalls(ListAccountsForParentCommand)).toHaveLength(0);
  });

  it('walks included OUs recursively and leaves out accounts elsewhere', async () => {
    fakeOrganization(organizations, organizationTree());

    const { kept } = await discoverAccounts(client, filter({ includeOus: ['ou-ab12-workload'] }));

    expect(ids(kept)).toEqual([
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

    const { kept, skipped } = await discoverAccounts(
      client,
      filter({ includeOus: ['ou-ab12-workload'], excludeOus: ['ou-ab12-prodprod'] }),
    );

    expect(ids(kept)).toEqual(['200000000001', '200000000002']);
    expect(skipped.map(({ accountId, reason }) => `${accountId}: ${reason}`)).toEqual([
      '300000000001: under excluded OU ou-ab12-prodprod',
      '300000000002: under excluded OU ou-ab12-prodprod',
      '300000000003: under excluded OU ou-ab12-prodprod',
      '400000000001: under excluded OU ou-ab12-prodprod',
    ]);
  });

  it('applies excluded OUs and accounts to the whole organization without included OUs', async () => {
    fakeOrganization(organizations, organizationTree());

    const { kept, skipped } = await discoverAccounts(
      client,
      filter({ excludeOus: ['ou-ab12-security'], excludeAccounts: ['100000000001'] }),
    );

    expect(kept).toHaveLength(7);
    expect(skipped.map(({ accountId, reason }) => `${accountId}: ${reason}`)).toEqual([
      '100000000001: excluded by excludeAccounts',
      '500000000001: under excluded OU ou-ab12-security',
      '500000000002: under excluded OU ou-ab12-security',
    ]);
  });

  it('skips accounts that are not ACTIVE, and reads the legacy Status when State is absent', async () => {
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

    const { kept, skipped } = await discoverAccounts(client, filter());

    expect(kept).toEqual([
      { id: '100000000001', name: 'active' },
      { id: '100000000003', name: 'legacy-active' },
    ]);
    expect(skipped).toEqual([
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

  it.each([
    ['includeOus', filter({ includeOus: ['ou-ab12-missing1'] })],
    ['excludeOus', filter({ excludeOus: ['ou-ab12-missing1'] })],
  ])('rejects an OU of %s that is not in the organization, naming it', async (name, given) => {
    fakeOrganization(organizations, organizationTree());

    await expect(discoverAccounts(client, given)).rejects.toThrow(
      new InvalidTargetsError(`organization.${name}: ou-ab12-missing1 is not in the organization`),
    );
  });
});
