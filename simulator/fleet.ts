/**
 * The ground truth: an organization (root, OUs, accounts) and the functions of every account-region,
 * generated from a spec with a seeded PRNG. The same spec always gives the same fleet.
 */
import {
  type FunctionConfiguration,
  generateFunction,
  SECRET_VARIABLES,
  uniqueFunctionName,
} from './function-generator.ts';
import { Prng } from './prng.ts';
import { isDefaultEnabledRegion } from './regions.ts';
import { RUNTIME_CATEGORIES, type RuntimeCategory } from './runtimes.ts';
import { type AccountSpec, type FleetSpec, parseSpec, type ResolvedFleetSpec } from './spec.ts';

export type { FunctionConfiguration } from './function-generator.ts';

export type AccountState = 'ACTIVE' | 'SUSPENDED' | 'PENDING_CLOSURE' | 'CLOSED';

export interface OrganizationalUnit {
  id: string;
  arn: string;
  name: string;
  parentId: string;
  /** `Root/Workloads/Prod` */
  path: string;
}

export interface FleetAccount {
  id: string;
  arn: string;
  name: string;
  email: string;
  /** the parent: the root id or an OU id */
  ouId: string;
  /** `Root` or `Root/Workloads/Prod` */
  ouPath: string;
  state: AccountState;
  joinedMethod: 'CREATED' | 'INVITED';
  /** epoch seconds, as Organizations sends it */
  joinedTimestamp: number;
  /** whether the member role exists in this account */
  hasRole: boolean;
  /** the fleet's regions this account can use: every default region of the spec plus its opt-ins */
  enabledRegions: string[];
  /** per enabled fleet region, sorted by name as ListFunctions returns them */
  functions: Record<string, FunctionConfiguration[]>;
}

export interface FleetFunction {
  accountId: string;
  region: string;
  configuration: FunctionConfiguration;
}

export interface FleetData {
  centralAccountId: string;
  organizationId: string;
  organizationArn: string;
  rootId: string;
  rootArn: string;
  memberRoleName: string;
  /** default-enabled regions of the spec */
  regions: string[];
  optInRegions: string[];
  ous: OrganizationalUnit[];
  accounts: FleetAccount[];
}

export class Fleet implements FleetData {
  readonly centralAccountId: string;
  readonly organizationId: string;
  readonly organizationArn: string;
  readonly rootId: string;
  readonly rootArn: string;
  readonly memberRoleName: string;
  readonly regions: string[];
  readonly optInRegions: string[];
  readonly ous: OrganizationalUnit[];
  readonly accounts: FleetAccount[];
  readonly #byId: Map<string, FleetAccount>;

  constructor(data: FleetData) {
    this.centralAccountId = data.centralAccountId;
    this.organizationId = data.organizationId;
    this.organizationArn = data.organizationArn;
    this.rootId = data.rootId;
    this.rootArn = data.rootArn;
    this.memberRoleName = data.memberRoleName;
    this.regions = data.regions;
    this.optInRegions = data.optInRegions;
    this.ous = data.ous;
    this.accounts = data.accounts;
    this.#byId = new Map(data.accounts.map((account) => [account.id, account]));
  }

  account(id: string): FleetAccount | undefined {
    return this.#byId.get(id);
  }

  /**
   * What scanning one account-region meets: AssumeRole denied (no role, suspended or closed, or not
   * in the organization), ListFunctions refused (opt-in region not enabled), or the functions.
   */
  targetOutcome(accountId: string, region: string): 'ok' | 'access-denied' | 'region-not-enabled' {
    const account = this.account(accountId);
    if (account === undefined || account.state !== 'ACTIVE' || !account.hasRole) return 'access-denied';
    if (!account.enabledRegions.includes(region) && !isDefaultEnabledRegion(region))
      return 'region-not-enabled';
    return 'ok';
  }

  /** Whether AssumeRole into the account succeeds and ListFunctions answers in the region. */
  isReachable(accountId: string, region: string): boolean {
    return this.targetOutcome(accountId, region) === 'ok';
  }

  /** Every function that exists, reachable or not. */
  allFunctions(): FleetFunction[] {
    return this.accounts.flatMap((account) =>
      Object.entries(account.functions).flatMap(([region, configurations]) =>
        configurations.map((configuration) => ({ accountId: account.id, region, configuration })),
      ),
    );
  }

  /** The functions a complete inventory run finds. */
  reachableFunctions(): FleetFunction[] {
    return this.allFunctions().filter((fn) => this.isReachable(fn.accountId, fn.region));
  }

  /** Values of the secret-looking variables (DB_PASSWORD, API_KEY...): none may appear in any output. */
  secretValues(): string[] {
    return this.environmentEntries()
      .filter(([name]) => name in SECRET_VARIABLES)
      .map(([, value]) => value);
  }

  /** Every environment variable value in the fleet. */
  environmentValues(): string[] {
    return this.environmentEntries().map(([, value]) => value);
  }

  private environmentEntries(): [string, string][] {
    return this.allFunctions().flatMap((fn) => Object.entries(fn.configuration.Environment?.Variables ?? {}));
  }
}

const TEAMS = [
  'payments',
  'data-platform',
  'identity',
  'checkout',
  'analytics',
  'mobile-backend',
  'search',
  'logistics',
  'marketing',
  'ml-research',
  'support-tools',
  'edge',
];
const ENVIRONMENTS = ['prod', 'staging', 'dev', 'sandbox'];
const JOINED_FROM = Date.UTC(2018, 0, 1) / 1000;
const JOINED_TO = Date.UTC(2026, 9, 1) / 1000;

interface AccountDraft {
  spec: AccountSpec;
}

export function generateFleet(input: FleetSpec): Fleet {
  const spec: ResolvedFleetSpec = parseSpec(input);
  const prng = new Prng(spec.seed);
  const orgPrng = prng.fork('organization');

  const organizationId = `o-${orgPrng.lowerAlphanumeric(10)}`;
  const rootSuffix = orgPrng.lowerAlphanumeric(4);
  const rootId = `r-${rootSuffix}`;
  const arnPrefix = `arn:aws:organizations::${spec.centralAccountId}`;
  const ous = buildOus(spec.organizationalUnits, orgPrng, {
    rootId,
    rootSuffix,
    arn: (id) => `${arnPrefix}:ou/${organizationId}/${id}`,
  });
  const ouByPath = new Map(ous.map((ou) => [ou.path, ou]));

  // index 0 is the management account, which is also the central (scanning) account
  const drafts = draftAccounts(spec, prng.fork('members'));
  const ids = assignAccountIds(drafts, prng.fork('account-ids'));
  const optIns = assignOptInRegions(spec, ids, drafts, prng.fork('opt-in'));

  const accountPrng = prng.fork('accounts');
  const accounts: FleetAccount[] = drafts.map((draft, index) => {
    const id = ids[index] as string;
    const ou = draft.spec.ou ? ouByPath.get(`Root/${draft.spec.ou}`) : undefined;
    const name = draft.spec.name ?? id;
    return {
      id,
      arn: `${arnPrefix}:account/${organizationId}/${id}`,
      name,
      email: draft.spec.email ?? `aws+${name}@example.com`,
      ouId: ou?.id ?? rootId,
      ouPath: ou?.path ?? 'Root',
      state: draft.spec.state,
      joinedMethod: index === 0 || accountPrng.chance(0.2) ? 'INVITED' : 'CREATED',
      joinedTimestamp: accountPrng.int(JOINED_FROM * 1000, JOINED_TO * 1000) / 1000,
      hasRole: draft.spec.hasRole,
      enabledRegions: [...spec.regions, ...spec.optInRegions.filter((region) => optIns[index]?.has(region))],
      functions: {},
    };
  });

  fillFunctions(spec, accounts, drafts, prng);

  return new Fleet({
    centralAccountId: spec.centralAccountId,
    organizationId,
    organizationArn: `${arnPrefix}:organization/${organizationId}`,
    rootId,
    rootArn: `${arnPrefix}:root/${organizationId}/${rootId}`,
    memberRoleName: spec.memberRoleName,
    regions: [...spec.regions],
    optInRegions: [...spec.optInRegions],
    ous,
    accounts,
  });
}

function buildOus(
  paths: readonly string[],
  prng: Prng,
  root: { rootId: string; rootSuffix: string; arn: (id: string) => string },
): OrganizationalUnit[] {
  // parents first, and parents that are only implied by a deeper path are created too
  const all = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('/'));
  }
  const byPath = new Map<string, OrganizationalUnit>();
  for (const path of [...all].sort(
    (a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b),
  )) {
    const parts = path.split('/');
    const parent = byPath.get(parts.slice(0, -1).join('/'));
    const id = `ou-${root.rootSuffix}-${prng.lowerAlphanumeric(8)}`;
    byPath.set(path, {
      id,
      arn: root.arn(id),
      name: parts.at(-1) as string,
      parentId: parent?.id ?? root.rootId,
      path: `Root/${path}`,
    });
  }
  return [...byPath.values()];
}

function draftAccounts(spec: ResolvedFleetSpec, prng: Prng): AccountDraft[] {
  const management: AccountSpec = {
    id: spec.centralAccountId,
    name: 'management',
    ou: '',
    state: 'ACTIVE',
    hasRole: true,
  };
  if (typeof spec.accounts !== 'number') {
    const listed = spec.accounts.find((account) => account.id === spec.centralAccountId);
    return [
      { spec: { ...management, ...listed } },
      ...spec.accounts
        .filter((account) => account !== listed)
        .map((account, index) => ({ spec: { ...account, name: account.name ?? `account-${index + 1}` } })),
    ];
  }
  const names = new Set<string>();
  const members: AccountDraft[] = [];
  for (let i = 0; i < spec.accounts; i++) {
    const base = `${prng.pick(TEAMS)}-${prng.pick(ENVIRONMENTS)}`;
    let name = base;
    for (let n = 2; names.has(name); n++) name = `${base}-${n}`;
    names.add(name);
    const ou =
      spec.organizationalUnits.length > 0 && prng.chance(0.9) ? prng.pick(spec.organizationalUnits) : '';
    members.push({ spec: { name, ou, state: 'ACTIVE', hasRole: true } });
  }
  // distinct members for each special case, so each one shows exactly one failure mode
  const suspended = spec.suspendedAccounts ?? 1;
  const closed = spec.closedAccounts ?? 0;
  const withoutRole = spec.accountsWithoutRole ?? 1;
  prng.shuffle(members).forEach((member, position) => {
    if (position < suspended) member.spec.state = 'SUSPENDED';
    else if (position < suspended + closed) member.spec.state = 'CLOSED';
    else if (position < suspended + closed + withoutRole) member.spec.hasRole = false;
  });
  return [{ spec: management }, ...members];
}

function assignAccountIds(drafts: readonly AccountDraft[], prng: Prng): string[] {
  const taken = new Set<string>(drafts.flatMap((draft) => (draft.spec.id ? [draft.spec.id] : [])));
  let generated = 0;
  return drafts.map((draft) => {
    if (draft.spec.id) return draft.spec.id;
    let id: string;
    do {
      // the first generated id starts with 0: account ids are strings, never numbers
      id = generated === 0 ? `0${prng.digits(11)}` : `${prng.int(1, 9)}${prng.digits(11)}`;
    } while (taken.has(id));
    generated++;
    taken.add(id);
    return id;
  });
}

function assignOptInRegions(
  spec: ResolvedFleetSpec,
  accountIds: readonly string[],
  drafts: readonly AccountDraft[],
  prng: Prng,
): Set<string>[] {
  const enabled = accountIds.map(() => new Set<string>());
  const drawn: number[] = [];
  drafts.forEach((draft, index) => {
    const explicit = draft.spec.optInRegions;
    if (explicit) for (const region of explicit) enabled[index]?.add(region);
    else drawn.push(index);
  });
  for (const region of spec.optInRegions) {
    let count = Math.round(spec.optInEnabledFraction * drawn.length);
    // a fraction strictly between 0 and 1 means "some but not all", whatever the rounding says
    if (spec.optInEnabledFraction > 0 && spec.optInEnabledFraction < 1 && drawn.length >= 2) {
      count = Math.min(Math.max(count, 1), drawn.length - 1);
    }
    for (const index of prng.shuffle(drawn).slice(0, count)) enabled[index]?.add(region);
  }
  return enabled;
}

function fillFunctions(
  spec: ResolvedFleetSpec,
  accounts: FleetAccount[],
  drafts: readonly AccountDraft[],
  prng: Prng,
): void {
  const reachable = (account: FleetAccount) => account.state === 'ACTIVE' && account.hasRole;
  const heavyCandidates = accounts.flatMap((account, index) =>
    reachable(account)
      ? spec.regions
          .filter((region) => drafts[index]?.spec.functionsPerRegion?.[region] === undefined)
          .map((region) => `${account.id}/${region}`)
      : [],
  );
  const heavy = new Set(prng.fork('heavy').shuffle(heavyCandidates).slice(0, spec.heavyRegions.count));

  // the first reachable functions cover every runtime category in the mix and include a secret, so
  // even a tiny fleet exercises each classification and the secret-handling path
  const pendingCategories = RUNTIME_CATEGORIES.filter((category) => spec.runtimeMix[category] > 0);
  let pendingSecret = true;

  accounts.forEach((account, index) => {
    const explicitCounts = drafts[index]?.spec.functionsPerRegion;
    for (const region of account.enabledRegions) {
      const regionPrng = prng.fork(`functions/${account.id}/${region}`);
      const range = heavy.has(`${account.id}/${region}`)
        ? spec.heavyRegions.functions
        : spec.functionsPerRegion;
      const count = explicitCounts?.[region] ?? regionPrng.int(range.min, range.max);
      const names = new Set<string>();
      const configurations: FunctionConfiguration[] = [];
      for (let i = 0; i < count; i++) {
        const showcase = reachable(account);
        const category: RuntimeCategory =
          (showcase ? pendingCategories.shift() : undefined) ?? regionPrng.weighted(spec.runtimeMix);
        const withSecret = showcase && pendingSecret;
        if (withSecret) pendingSecret = false;
        const name = uniqueFunctionName(regionPrng, names);
        configurations.push(generateFunction(regionPrng, account.id, region, name, { category, withSecret }));
      }
      configurations.sort((a, b) =>
        a.FunctionName < b.FunctionName ? -1 : a.FunctionName > b.FunctionName ? 1 : 0,
      );
      account.functions[region] = configurations;
    }
  });
}
