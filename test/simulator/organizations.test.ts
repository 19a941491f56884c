import {
  type Account,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListRootsCommand,
  type OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
} from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FleetAccount, type FleetSpec, type Simulator, startSimulator } from '../../simulator/index.ts';
import { assumeMemberRole, organizationsClient, rejectionOf } from './sdk-clients.ts';

const SPEC: FleetSpec = {
  seed: 'organizations',
  accounts: 44,
  organizationalUnits: [
    'Security',
    'Workloads',
    'Workloads/Prod',
    'Workloads/Prod/Payments',
    'Workloads/Dev',
    'Sandbox',
  ],
  functionsPerRegion: { min: 0, max: 2 },
  heavyRegions: { count: 0 },
  suspendedAccounts: 2,
  closedAccounts: 1,
  accountsWithoutRole: 1,
};

async function listAccountPages(client: OrganizationsClient): Promise<Account[][]> {
  const pages: Account[][] = [];
  for await (const page of paginateListAccounts({ client }, {})) pages.push(page.Accounts ?? []);
  return pages;
}

/** Walks root -> OUs -> accounts as a planner would, returning each account's OU path. */
async function walkTree(client: OrganizationsClient): Promise<Map<string, string>> {
  const paths = new Map<string, string>();
  const { Roots } = await client.send(new ListRootsCommand({}));
  const queue = (Roots ?? []).map((root) => ({ id: root.Id as string, path: 'Root' }));
  for (let next = queue.shift(); next; next = queue.shift()) {
    const parent = next;
    for await (const page of paginateListAccountsForParent(
      { client, pageSize: 5 },
      { ParentId: parent.id },
    )) {
      for (const account of page.Accounts ?? []) paths.set(account.Id as string, parent.path);
    }
    for await (const page of paginateListOrganizationalUnitsForParent({ client }, { ParentId: parent.id })) {
      for (const ou of page.OrganizationalUnits ?? [])
        queue.push({ id: ou.Id as string, path: `${parent.path}/${ou.Name}` });
    }
  }
  return paths;
}

describe('Organizations (JSON 1.1)', () => {
  let sim: Simulator;
  let client: OrganizationsClient;

  beforeAll(async () => {
    sim = await startSimulator({ spec: SPEC });
    client = organizationsClient(sim);
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(() => {
    sim.setFaults({ emptyOrgPages: 0 });
  });

  it('lists accounts in pages of at most 20 that add up to the organization', async () => {
    const pages = await listAccountPages(client);

    expect(pages.map((page) => page.length)).toEqual([20, 20, 5]);
    expect(pages.flat().map((account) => account.Id)).toEqual(
      sim.fleet.accounts.map((account) => account.id),
    );
  });

  it('describes each account with State, the legacy Status and the join time', async () => {
    const accounts = (await listAccountPages(client)).flat();
    const byId = new Map(accounts.map((account) => [account.Id, account]));
    const closed = sim.fleet.accounts.find((account) => account.state === 'CLOSED') as FleetAccount;
    const suspended = sim.fleet.accounts.find((account) => account.state === 'SUSPENDED') as FleetAccount;

    for (const truth of sim.fleet.accounts) {
      expect(byId.get(truth.id)).toMatchObject({
        Arn: truth.arn,
        Name: truth.name,
        Email: truth.email,
        State: truth.state,
        JoinedMethod: truth.joinedMethod,
        JoinedTimestamp: new Date(truth.joinedTimestamp * 1000),
      });
    }
    expect(byId.get(closed.id)?.Status).toBe('SUSPENDED');
    expect(byId.get(suspended.id)?.Status).toBe('SUSPENDED');
    expect(byId.get(sim.fleet.centralAccountId)?.Status).toBe('ACTIVE');
  });

  it('rejects MaxResults above 20 with InvalidInputException', async () => {
    const strict = organizationsClient(sim, { maxAttempts: 1 });

    const error = await rejectionOf(strict.send(new ListAccountsCommand({ MaxResults: 21 })));

    expect(error.name).toBe('InvalidInputException');
    expect(error.Reason).toBe('MAX_VALUE_EXCEEDED');
  });

  it('rejects a NextToken it did not hand out', async () => {
    const error = await rejectionOf(
      organizationsClient(sim, { maxAttempts: 1 }).send(new ListAccountsCommand({ NextToken: 'made-up' })),
    );

    expect(error.name).toBe('InvalidInputException');
    expect(error.Reason).toBe('INVALID_NEXT_TOKEN');
  });

  it('serves the OU tree so that a walk from the root finds every account at its OU path', async () => {
    const paths = await walkTree(client);

    expect(Object.fromEntries(paths)).toEqual(
      Object.fromEntries(sim.fleet.accounts.map((account) => [account.id, account.ouPath])),
    );
    expect(sim.fleet.ous.some((ou) => ou.path === 'Root/Workloads/Prod/Payments')).toBe(true);
  });

  it('answers an unknown parent with ParentNotFoundException', async () => {
    const error = await rejectionOf(
      organizationsClient(sim, { maxAttempts: 1 }).send(
        new ListAccountsForParentCommand({ ParentId: 'ou-zzzz-zzzzzzzz' }),
      ),
    );

    expect(error.name).toBe('ParentNotFoundException');
  });

  it('sends empty pages with a NextToken, which the SDK paginator follows to the end', async () => {
    sim.setFaults({ emptyOrgPages: 0.5 });

    const pages = await listAccountPages(client);

    expect(pages.some((page) => page.length === 0)).toBe(true);
    expect(pages.flat().map((account) => account.Id)).toEqual(
      sim.fleet.accounts.map((account) => account.id),
    );
  });

  it('describes the organization with the management account', async () => {
    const { Organization } = await client.send(new DescribeOrganizationCommand({}));

    expect(Organization).toMatchObject({
      Id: sim.fleet.organizationId,
      MasterAccountId: sim.fleet.centralAccountId,
      FeatureSet: 'ALL',
    });
  });

  it('denies member-account credentials with AccessDeniedException', async () => {
    const member = sim.fleet.accounts.find(
      (account) => account.id !== sim.fleet.centralAccountId && account.state === 'ACTIVE' && account.hasRole,
    ) as FleetAccount;
    const credentials = await assumeMemberRole(sim, member.id);

    const error = await rejectionOf(
      organizationsClient(sim, { credentials, maxAttempts: 1 }).send(new ListAccountsCommand({})),
    );

    expect(error.name).toBe('AccessDeniedException');
  });
});

describe('Organizations in legacy Status-only mode', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ spec: { ...SPEC, legacyStatusOnly: true } });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('sends only the legacy Status, with closed accounts shown as SUSPENDED', async () => {
    const accounts = (await listAccountPages(organizationsClient(sim))).flat();
    const closed = sim.fleet.accounts.find((account) => account.state === 'CLOSED') as FleetAccount;

    expect(accounts.every((account) => account.State === undefined)).toBe(true);
    expect(accounts.find((account) => account.Id === closed.id)?.Status).toBe('SUSPENDED');
    expect(accounts.filter((account) => account.Status === 'ACTIVE')).toHaveLength(
      sim.fleet.accounts.filter((account) => account.state === 'ACTIVE').length,
    );
  });
});
