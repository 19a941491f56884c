import { describe, expect, it } from 'vitest';
import {
  accountAlignedBatchSize,
  accountState,
  chooseRegions,
  chooseTargetSource,
  crossTargets,
  type DiscoveredAccount,
  runIdFor,
  type Screening,
  safeRunId,
  scanIdFor,
  screenAccounts,
} from '../../functions/plan/plan-targets.ts';
import {
  type OrganizationFilter,
  type PlanSettings,
  RunId,
  RunInput,
  ValidationError,
} from '../../shared/contracts.ts';

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const noFilter: OrganizationFilter = { includeOus: [], excludeOus: [], excludeAccounts: [] };

const staticSettings: PlanSettings = {
  targets: { source: 'accounts', accounts: [{ id: B }] },
  regions: ['eu-west-1', 'us-east-1'],
  batchSize: 20,
};
const orgSettings: PlanSettings = {
  targets: { source: 'organization', includeOus: [], excludeOus: ['ou-ab12-deployed1'], excludeAccounts: [] },
  regions: ['us-east-1'],
  batchSize: 20,
};

describe('safeRunId', () => {
  it.each([
    ['plain execution names stay as they are', 'nightly-2026-11-05', 'nightly-2026-11-05'],
    ['other characters become dashes', 'run:2026/11 05', 'run-2026-11-05'],
    ['leading punctuation is dropped so the id starts alphanumeric', '--_.abc', 'abc'],
    ['names longer than 48 characters are cut', 'x'.repeat(80), 'x'.repeat(48)],
    ['a uuid is kept whole', '5f1e7c2a-9b3d-4e8f-a1c2-3d4e5f6a7b8c', '5f1e7c2a-9b3d-4e8f-a1c2-3d4e5f6a7b8c'],
  ])('%s', (_case, name, expected) => {
    const runId = safeRunId(name);

    expect(runId).toBe(expected);
    expect(RunId.safeParse(runId).success).toBe(true);
  });
});

describe('runIdFor', () => {
  it('prefers the run id given in the input', () => {
    expect(runIdFor({ runId: 'given-1' }, 'execution-name')).toBe('given-1');
  });

  it('derives the run id from the execution name otherwise', () => {
    expect(runIdFor({}, 'execution:name')).toBe('execution-name');
  });

  it('rejects an execution name with nothing usable, naming the field', () => {
    expect(() => runIdFor({}, '___')).toThrow(ValidationError);
    expect(() => runIdFor({}, '___')).toThrow(/execution\.name/);
  });
});

describe('chooseTargetSource', () => {
  const inputFilter = { includeOus: ['ou-ab12-input001'], excludeOus: [], excludeAccounts: [C] };
  it.each([
    [
      'input accounts win over deployed organization discovery',
      { accounts: [{ id: A }] },
      orgSettings,
      { source: 'accounts', accounts: [{ id: A }] },
    ],
    [
      'input accounts win over input organization filters',
      { accounts: [{ id: A }], organization: inputFilter },
      orgSettings,
      { source: 'accounts', accounts: [{ id: A }] },
    ],
    [
      'input organization filters replace the deployed filters',
      { organization: inputFilter },
      orgSettings,
      { source: 'organization', filter: inputFilter },
    ],
    [
      'input accounts win over input organization filters on a static deployment',
      { accounts: [A], organization: inputFilter },
      staticSettings,
      { source: 'accounts', accounts: [{ id: A }] },
    ],
    [
      'deployed static accounts apply without input',
      {},
      staticSettings,
      { source: 'accounts', accounts: [{ id: B }] },
    ],
    [
      'deployed organization filters apply without input',
      { regions: ['eu-west-1'] },
      orgSettings,
      {
        source: 'organization',
        filter: { includeOus: [], excludeOus: ['ou-ab12-deployed1'], excludeAccounts: [] },
      },
    ],
  ] as const)('%s', (_case, input, settings, expected) => {
    expect(chooseTargetSource(RunInput.parse(input), settings)).toEqual(expected);
  });

  it('refuses input organization filters on a static deployment, which may not call Organizations', () => {
    expect(() => chooseTargetSource(RunInput.parse({ organization: inputFilter }), staticSettings)).toThrow(
      new ValidationError(
        'input.organization: Organizations discovery is not deployed (targets.source is "accounts"); give input.accounts instead',
      ),
    );
  });
});

describe('scanIdFor', () => {
  it('is 12 hex digits of the execution name and start time, the same for the same execution', () => {
    const scanId = scanIdFor('nightly-1', '2026-11-05T03:00:00.000Z');

    expect(scanId).toMatch(/^[0-9a-f]{12}$/);
    expect(scanIdFor('nightly-1', '2026-11-05T03:00:00.000Z')).toBe(scanId);
    expect(scanIdFor('nightly-1', '2026-11-05T03:00:00.001Z')).not.toBe(scanId);
    expect(scanIdFor('nightly-2', '2026-11-05T03:00:00.000Z')).not.toBe(scanId);
  });
});

describe('chooseRegions', () => {
  it.each([
    ['deployed regions apply without input', {}, ['eu-west-1', 'us-east-1']],
    [
      'input regions replace deployed ones, unique and sorted',
      { regions: ['us-west-2', 'ap-south-1', 'us-west-2'] },
      ['ap-south-1', 'us-west-2'],
    ],
  ] as const)('%s', (_case, input, expected) => {
    expect(chooseRegions(RunInput.parse(input), staticSettings)).toEqual(expected);
  });
});

describe('accountAlignedBatchSize', () => {
  it.each([
    // configured, regions, batch size: whole accounts, never an account split across batches
    [20, 17, 17],
    [40, 17, 34],
    [20, 4, 20],
    [10, 3, 9],
    [5, 17, 17],
    [1, 1, 1],
    [1_000, 36, 972],
  ])('rounds a configured size of %d with %d regions to %d', (configured, regions, expected) => {
    expect(accountAlignedBatchSize(configured, regions)).toBe(expected);
    expect(expected % regions).toBe(0);
  });
});

describe('crossTargets', () => {
  it.each([
    [
      'crosses every account with every region',
      [{ id: A }, { id: B }],
      ['us-east-1', 'eu-west-1'],
      [
        { accountId: A, region: 'eu-west-1' },
        { accountId: A, region: 'us-east-1' },
        { accountId: B, region: 'eu-west-1' },
        { accountId: B, region: 'us-east-1' },
      ],
    ],
    [
      'orders by account id then region whatever the input order',
      [{ id: C }, { id: A }],
      ['us-west-2', 'ap-south-1'],
      [
        { accountId: A, region: 'ap-south-1' },
        { accountId: A, region: 'us-west-2' },
        { accountId: C, region: 'ap-south-1' },
        { accountId: C, region: 'us-west-2' },
      ],
    ],
    [
      'counts an account given twice once, keeping its name',
      [{ id: A }, { id: A, name: 'prod' }, { id: A, name: 'other' }],
      ['us-east-1'],
      [{ accountId: A, accountName: 'prod', region: 'us-east-1' }],
    ],
    [
      'counts a region given twice once',
      [{ id: B }],
      ['us-east-1', 'us-east-1'],
      [{ accountId: B, region: 'us-east-1' }],
    ],
    ['gives nothing for no accounts', [], ['us-east-1'], []],
  ] as const)('%s', (_case, accounts, regions, expected) => {
    expect(crossTargets([...accounts], [...regions])).toEqual(expected);
  });
});

describe('accountState', () => {
  it.each([
    ['reads State', { State: 'SUSPENDED' }, 'SUSPENDED'],
    ['falls back to the legacy Status', { Status: 'ACTIVE' }, 'ACTIVE'],
    ['prefers State when both are sent', { State: 'PENDING_CLOSURE', Status: 'ACTIVE' }, 'PENDING_CLOSURE'],
    ['is unknown when neither is sent', {}, undefined],
  ] as const)('%s', (_case, account, expected) => {
    expect(accountState(account)).toBe(expected);
  });
});

describe('screenAccounts', () => {
  interface Case {
    name: string;
    discovered: DiscoveredAccount;
    filter?: Partial<OrganizationFilter>;
    expected: Screening;
  }
  const cases: Case[] = [
    {
      name: 'keeps an ACTIVE account with its name',
      discovered: { account: { Id: A, Name: 'prod', State: 'ACTIVE' } },
      expected: { kept: [{ id: A, name: 'prod' }], skipped: [] },
    },
    {
      name: 'keeps an account whose legacy Status is ACTIVE',
      discovered: { account: { Id: A, Status: 'ACTIVE' } },
      expected: { kept: [{ id: A }], skipped: [] },
    },
    {
      name: 'skips a SUSPENDED account',
      discovered: { account: { Id: A, Name: 'old', State: 'SUSPENDED' } },
      expected: {
        kept: [],
        skipped: [{ accountId: A, accountName: 'old', state: 'SUSPENDED', reason: 'state SUSPENDED' }],
      },
    },
    {
      name: 'skips an account whose legacy Status is SUSPENDED',
      discovered: { account: { Id: A, Status: 'SUSPENDED' } },
      expected: { kept: [], skipped: [{ accountId: A, state: 'SUSPENDED', reason: 'state SUSPENDED' }] },
    },
    {
      name: 'skips an account with no state at all',
      discovered: { account: { Id: A } },
      expected: {
        kept: [],
        skipped: [{ accountId: A, reason: 'state unknown (neither State nor Status reported)' }],
      },
    },
    {
      name: 'skips an account of excludeAccounts',
      discovered: { account: { Id: A, State: 'ACTIVE' } },
      filter: { excludeAccounts: [A] },
      expected: {
        kept: [],
        skipped: [{ accountId: A, state: 'ACTIVE', reason: 'excluded by excludeAccounts' }],
      },
    },
    {
      name: 'skips an account under an excluded OU, naming the OU',
      discovered: { account: { Id: A, State: 'ACTIVE' }, excludedOu: 'ou-ab12-sandbox1' },
      filter: { excludeOus: ['ou-ab12-sandbox1'] },
      expected: {
        kept: [],
        skipped: [{ accountId: A, state: 'ACTIVE', reason: 'under excluded OU ou-ab12-sandbox1' }],
      },
    },
  ];

  it.each(cases)('$name', ({ discovered, filter, expected }) => {
    expect(screenAccounts([discovered], { ...noFilter, ...filter })).toEqual(expected);
  });

  it('screens an account listed twice (under two included OUs) once', () => {
    const account = { Id: A, State: 'ACTIVE' as const };

    const screening = screenAccounts([{ account }, { account }], noFilter);

    expect(screening.kept).toEqual([{ id: A }]);
  });

  it('orders skipped accounts by account id', () => {
    const screening = screenAccounts(
      [{ account: { Id: C, State: 'SUSPENDED' } }, { account: { Id: B, State: 'CLOSED' } }],
      noFilter,
    );

    expect(screening.skipped.map((skip) => skip.accountId)).toEqual([B, C]);
  });
});
