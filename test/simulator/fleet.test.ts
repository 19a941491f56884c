import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SPEC,
  type FleetAccount,
  type FunctionConfiguration,
  generateFleet,
  RUNTIMES,
  type RuntimeCategory,
} from '../../simulator/index.ts';

function categoryOf(fn: FunctionConfiguration): RuntimeCategory | undefined {
  if (fn.PackageType === 'Image') return 'image';
  return (Object.keys(RUNTIMES) as (keyof typeof RUNTIMES)[]).find((category) =>
    RUNTIMES[category].includes(fn.Runtime ?? ''),
  );
}

function functionCounts(account: FleetAccount): number[] {
  return Object.values(account.functions).map((list) => list.length);
}

describe('generated fleet', () => {
  const fleet = generateFleet(DEFAULT_SPEC);
  const members = fleet.accounts.filter((account) => account.id !== fleet.centralAccountId);

  it('is the same for the same spec, and different for another seed', () => {
    const again = generateFleet(DEFAULT_SPEC);
    const other = generateFleet({ ...DEFAULT_SPEC, seed: 7 });

    expect(again).toEqual(fleet);
    expect(other.accounts.map((account) => account.id)).not.toEqual(
      fleet.accounts.map((account) => account.id),
    );
    expect(other.allFunctions().map((fn) => fn.configuration.FunctionArn)).not.toEqual(
      fleet.allFunctions().map((fn) => fn.configuration.FunctionArn),
    );
  });

  it('puts the management account first, at the root, with the member role', () => {
    const [management] = fleet.accounts;

    expect(management).toMatchObject({ id: '111122223333', ouPath: 'Root', state: 'ACTIVE', hasRole: true });
    expect(fleet.accounts).toHaveLength(6);
  });

  it('has one suspended member and one active member without the role', () => {
    expect(members.filter((account) => account.state === 'SUSPENDED')).toHaveLength(1);
    expect(members.filter((account) => account.state === 'ACTIVE' && !account.hasRole)).toHaveLength(1);
  });

  it('gives every account 12-digit string ids, one of them with a leading zero', () => {
    for (const account of fleet.accounts) expect(account.id).toMatch(/^\d{12}$/);
    expect(fleet.accounts.some((account) => account.id.startsWith('0'))).toBe(true);
    expect(new Set(fleet.accounts.map((account) => account.id)).size).toBe(fleet.accounts.length);
  });

  it('nests OUs and places each account at an OU path that exists', () => {
    const nested = fleet.ous.filter((ou) => ou.parentId !== fleet.rootId);
    const paths = new Set(['Root', ...fleet.ous.map((ou) => ou.path)]);

    expect(nested.map((ou) => ou.path).sort()).toEqual(['Root/Workloads/Dev', 'Root/Workloads/Prod']);
    for (const account of fleet.accounts) {
      expect(paths.has(account.ouPath)).toBe(true);
      const ou = fleet.ous.find((candidate) => candidate.id === account.ouId);
      expect(ou?.path ?? 'Root').toBe(account.ouPath);
    }
  });

  it('enables the default regions everywhere and the opt-in region for some accounts only', () => {
    for (const account of fleet.accounts) {
      expect(account.enabledRegions).toEqual(
        expect.arrayContaining(['us-east-1', 'eu-west-1', 'ap-southeast-2']),
      );
    }
    const withOptIn = fleet.accounts.filter((account) => account.enabledRegions.includes('eu-south-1'));

    expect(withOptIn.length).toBeGreaterThan(0);
    expect(withOptIn.length).toBeLessThan(fleet.accounts.length);
    for (const account of fleet.accounts)
      expect(Object.keys(account.functions).sort()).toEqual([...account.enabledRegions].sort());
  });

  it('has one reachable account-region with more than 100 functions and 5-40 elsewhere', () => {
    const heavy = fleet.accounts.flatMap((account) =>
      Object.entries(account.functions)
        .filter(([, list]) => list.length > 40)
        .map(([region, list]) => ({ account, region, count: list.length })),
    );

    expect(heavy).toHaveLength(1);
    expect(heavy[0]?.count).toBeGreaterThan(100);
    expect(fleet.isReachable(heavy[0]?.account.id ?? '', heavy[0]?.region ?? '')).toBe(true);
    for (const account of fleet.accounts) {
      for (const count of functionCounts(account).filter((n) => n <= 40))
        expect(count).toBeGreaterThanOrEqual(5);
    }
  });

  it('draws from every runtime category, among the functions an inventory can reach', () => {
    const categories = new Set(fleet.reachableFunctions().map((fn) => categoryOf(fn.configuration)));

    expect([...categories].sort()).toEqual([
      'deprecated',
      'deprecatingSoon',
      'image',
      'supported',
      'unknown',
    ]);
  });

  it('shapes functions as ListFunctions does: no Runtime or Handler for images, ARNs of their account and region', () => {
    for (const { accountId, region, configuration } of fleet.allFunctions()) {
      expect(configuration.FunctionArn).toBe(
        `arn:aws:lambda:${region}:${accountId}:function:${configuration.FunctionName}`,
      );
      expect(configuration.LastModified).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
      expect(configuration.Version).toBe('$LATEST');
      if (configuration.PackageType === 'Image') {
        expect(configuration.Runtime).toBeUndefined();
        expect(configuration.Handler).toBeUndefined();
      } else {
        expect(configuration.Runtime).toEqual(expect.any(String));
        expect(configuration.Handler).toEqual(expect.any(String));
      }
    }
  });

  it('lists functions of a region sorted by unique name', () => {
    for (const account of fleet.accounts) {
      for (const list of Object.values(account.functions)) {
        const names = list.map((fn) => fn.FunctionName);
        expect(names).toEqual([...names].sort());
        expect(new Set(names).size).toBe(names.length);
      }
    }
  });

  it('knows every secret value it planted, and each one sits in an environment variable', () => {
    const secrets = fleet.secretValues();
    const values = new Set(fleet.environmentValues());
    const reachableSecrets = fleet
      .reachableFunctions()
      .flatMap((fn) => Object.values(fn.configuration.Environment?.Variables ?? {}))
      .filter((value) => secrets.includes(value));

    expect(secrets.length).toBeGreaterThan(0);
    expect(reachableSecrets.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(values.has(secret)).toBe(true);
      expect(secret.length).toBeGreaterThanOrEqual(20);
    }
  });

  it('counts only active accounts with the role in enabled regions as reachable', () => {
    const suspended = members.find((account) => account.state === 'SUSPENDED') as FleetAccount;
    const roleless = members.find((account) => !account.hasRole) as FleetAccount;
    const reachableAccounts = new Set(fleet.reachableFunctions().map((fn) => fn.accountId));

    expect(reachableAccounts.has(suspended.id)).toBe(false);
    expect(reachableAccounts.has(roleless.id)).toBe(false);
    expect(fleet.allFunctions().some((fn) => fn.accountId === roleless.id)).toBe(true);
    expect(fleet.isReachable(fleet.centralAccountId, 'eu-south-1')).toBe(
      fleet.accounts[0]?.enabledRegions.includes('eu-south-1'),
    );
  });

  it('tells what scanning each account-region meets', () => {
    const suspended = members.find((account) => account.state === 'SUSPENDED') as FleetAccount;
    const roleless = members.find((account) => !account.hasRole) as FleetAccount;
    const withoutOptIn = fleet.accounts.find(
      (account) =>
        account.state === 'ACTIVE' && account.hasRole && !account.enabledRegions.includes('eu-south-1'),
    ) as FleetAccount;

    expect(fleet.targetOutcome(fleet.centralAccountId, 'us-east-1')).toBe('ok');
    expect(fleet.targetOutcome(suspended.id, 'us-east-1')).toBe('access-denied');
    expect(fleet.targetOutcome(roleless.id, 'us-east-1')).toBe('access-denied');
    expect(fleet.targetOutcome('999999999999', 'us-east-1')).toBe('access-denied');
    expect(fleet.targetOutcome(withoutOptIn.id, 'eu-south-1')).toBe('region-not-enabled');
    expect(fleet.targetOutcome(withoutOptIn.id, 'us-west-2')).toBe('ok');
  });

  it('follows an explicit account list', () => {
    const custom = generateFleet({
      seed: 5,
      organizationalUnits: ['Prod'],
      accounts: [
        {
          id: '000000000042',
          name: 'ledger',
          ou: 'Prod',
          optInRegions: ['eu-south-1'],
          functionsPerRegion: { 'eu-south-1': 3 },
        },
        { id: '210987654321', state: 'CLOSED', hasRole: false, optInRegions: [] },
      ],
    });
    const ledger = custom.account('000000000042');

    expect(custom.accounts.map((account) => account.id)).toEqual([
      '111122223333',
      '000000000042',
      '210987654321',
    ]);
    expect(ledger).toMatchObject({ name: 'ledger', ouPath: 'Root/Prod', state: 'ACTIVE', hasRole: true });
    expect(ledger?.functions['eu-south-1']).toHaveLength(3);
    expect(custom.account('210987654321')).toMatchObject({ state: 'CLOSED', hasRole: false, ouPath: 'Root' });
    expect(custom.account('210987654321')?.enabledRegions).not.toContain('eu-south-1');
  });
});
