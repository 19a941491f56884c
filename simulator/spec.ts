/**
 * The fleet spec: what the simulator generates (accounts, OUs, regions, functions) and which faults
 * it injects. Every field has a default, so `{}` is a valid spec; a bad field fails with an error
 * that names it (`faults.errorRate: ...`).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { isDefaultEnabledRegion, REGION_PATTERN } from './regions.ts';

export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

const RegionName = z.string().regex(REGION_PATTERN, 'must be a region name such as eu-west-1');
const AccountId = z.string().regex(/^\d{12}$/, 'must be 12 digits');
const Count = z.number().int().min(0);

const Range = z
  .object({ min: Count, max: Count })
  .strict()
  .refine((range) => range.min <= range.max, { message: 'min must not exceed max', path: ['max'] });

const Fraction = z.number().min(0).max(1);

/** An OU path below the root, e.g. `Workloads/Prod`. */
const OuPath = z
  .string()
  .regex(/^[^/\s][^/]{0,127}(\/[^/\s][^/]{0,127})*$/, 'must be an OU path such as Workloads/Prod');

const AccountState = z.enum(['ACTIVE', 'SUSPENDED', 'PENDING_CLOSURE', 'CLOSED']);

const AccountSpecSchema = z
  .object({
    id: AccountId.optional(),
    name: z.string().min(1).max(50).optional(),
    email: z
      .string()
      .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an email address')
      .optional(),
    /** OU path; absent or empty means the root */
    ou: z.union([OuPath, z.literal('')]).optional(),
    state: AccountState.default('ACTIVE'),
    hasRole: z.boolean().default(true),
    /** opt-in regions this account has enabled; absent means drawn from optInEnabledFraction */
    optInRegions: z.array(RegionName).optional(),
    /** exact function count per region; regions absent here are drawn from functionsPerRegion */
    functionsPerRegion: z.record(RegionName, Count.max(5000)).optional(),
  })
  .strict();

const LatencyMs = z.union([Count.max(60_000), Range]);

export const FaultsSchema = z
  .object({
    /** added before every response: a fixed delay or a uniform draw from {min, max} */
    latencyMs: LatencyMs.default(0),
    /** ListFunctions token bucket per account and region; AWS's hard quota is 15/s; 0 = unlimited */
    listFunctionsRatePerSecond: z.number().min(0).default(15),
    /** AssumeRole token bucket per caller account; 0 = unlimited */
    stsRatePerSecond: z.number().min(0).default(0),
    /** fraction of requests answered with a 500 */
    errorRate: Fraction.default(0),
    /** fraction of requests whose socket is destroyed without a response */
    resetRate: Fraction.default(0),
    /** fraction of Organizations pages served empty but with a NextToken (true = 0.25) */
    emptyOrgPages: z
      .union([z.boolean(), Fraction])
      .default(0)
      .transform((value) => (value === true ? 0.25 : value === false ? 0 : value)),
  })
  .strict();

const RuntimeMix = z
  .object({
    supported: z.number().min(0).default(55),
    deprecatingSoon: z.number().min(0).default(15),
    deprecated: z.number().min(0).default(15),
    unknown: z.number().min(0).default(3),
    image: z.number().min(0).default(12),
  })
  .strict()
  .refine((mix) => Object.values(mix).some((weight) => weight > 0), {
    message: 'at least one weight must be positive',
  });

export const FleetSpecSchema = z
  .object({
    seed: z.union([z.number().int(), z.string().min(1)]).default(1),
    /** the management account, which is also the central (scanning) account */
    centralAccountId: AccountId.default('111122223333'),
    memberRoleName: z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')
      .default('CrossAccountListFunctionsRole'),
    /** default-enabled regions the fleet has functions in */
    regions: z
      .array(
        RegionName.refine(isDefaultEnabledRegion, {
          message: 'must be a region AWS enables by default (list opt-in regions in optInRegions)',
        }),
      )
      .min(1)
      .default(['us-east-1', 'eu-west-1', 'ap-southeast-2']),
    /** opt-in regions, enabled only for some accounts */
    optInRegions: z
      .array(
        RegionName.refine((region) => !isDefaultEnabledRegion(region), {
          message: 'is enabled by default; list it in regions',
        }),
      )
      .default(['eu-south-1']),
    /** share of accounts that enable each opt-in region (at least one account does, and one does not) */
    optInEnabledFraction: Fraction.default(0.5),
    organizationalUnits: z
      .array(OuPath)
      .default(['Security', 'Workloads', 'Workloads/Prod', 'Workloads/Dev']),
    /** member accounts (the management account comes on top): a count, or each one described */
    accounts: z.union([Count.max(10_000), z.array(AccountSpecSchema).max(10_000)]).default(5),
    functionsPerRegion: Range.default({ min: 5, max: 40 }),
    /** account-regions with many functions, to force pagination */
    heavyRegions: z
      .object({ count: Count.default(1), functions: Range.default({ min: 120, max: 300 }) })
      .strict()
      .prefault({}),
    runtimeMix: RuntimeMix.prefault({}),
    /** only with a numeric `accounts`; an explicit list sets `state` / `hasRole` per account */
    suspendedAccounts: Count.optional(),
    closedAccounts: Count.optional(),
    accountsWithoutRole: Count.optional(),
    /** answer Organizations with the legacy `Status` only, as older endpoints and emulators do */
    legacyStatusOnly: z.boolean().default(false),
    faults: FaultsSchema.prefault({}),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (typeof spec.accounts === 'number') {
      const special =
        (spec.suspendedAccounts ?? 1) + (spec.closedAccounts ?? 0) + (spec.accountsWithoutRole ?? 1);
      if (special > spec.accounts) {
        ctx.addIssue({
          code: 'custom',
          path: ['suspendedAccounts'],
          message: `suspendedAccounts + closedAccounts + accountsWithoutRole (${special}) exceed the ${spec.accounts} member accounts`,
        });
      }
      return;
    }
    for (const field of ['suspendedAccounts', 'closedAccounts', 'accountsWithoutRole'] as const) {
      if (spec[field] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: 'is only for a numeric accounts; set state or hasRole on each listed account',
        });
      }
    }
    const ous = new Set(spec.organizationalUnits);
    const ids = new Set<string>();
    spec.accounts.forEach((account, index) => {
      if (account.ou && !ous.has(account.ou)) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', index, 'ou'],
          message: `names an OU not in organizationalUnits: ${account.ou}`,
        });
      }
      if (account.id !== undefined) {
        if (ids.has(account.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', index, 'id'],
            message: `is a duplicate: ${account.id}`,
          });
        }
        ids.add(account.id);
      }
      for (const region of account.optInRegions ?? []) {
        if (!spec.optInRegions.includes(region)) {
          ctx.addIssue({
            code: 'custom',
            path: ['accounts', index, 'optInRegions'],
            message: `names a region not in optInRegions: ${region}`,
          });
        }
      }
    });
  });

/** What a caller writes (every field optional). */
export type FleetSpec = z.input<typeof FleetSpecSchema>;
/** A spec with every default filled in. */
export type ResolvedFleetSpec = z.output<typeof FleetSpecSchema>;
export type AccountSpec = z.output<typeof AccountSpecSchema>;
export type FaultsInput = z.input<typeof FaultsSchema>;
export type Faults = z.output<typeof FaultsSchema>;

export function parseSpec(input: unknown, source = 'spec'): ResolvedFleetSpec {
  const result = FleetSpecSchema.safeParse(input);
  if (!result.success) throw new SpecError(formatIssues(result.error.issues, source));
  return result.data;
}

/** Validates only the faults given: the others keep their current values rather than their defaults. */
export function parseFaults(input: unknown, source = 'faults'): Partial<Faults> {
  const keys = Object.keys(FaultsSchema.shape) as (keyof typeof FaultsSchema.shape)[];
  const given = input !== null && typeof input === 'object' ? keys.filter((key) => key in input) : [];
  const result = FaultsSchema.pick(
    Object.fromEntries(given.map((key) => [key, true])) as Record<(typeof keys)[number], true>,
  ).safeParse(input);
  if (!result.success) throw new SpecError(formatIssues(result.error.issues, source));
  return result.data as Partial<Faults>;
}

export async function loadSpec(path: string): Promise<ResolvedFleetSpec> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SpecError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return parseSpec(json, path);
}

/** Spec used by `npm start`: small enough to scan in seconds, with every interesting case in it. */
export const DEFAULT_SPEC: ResolvedFleetSpec = parseSpec({
  seed: 20261128,
  centralAccountId: '111122223333',
  regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
  optInRegions: ['eu-south-1'],
  organizationalUnits: ['Security', 'Workloads', 'Workloads/Prod', 'Workloads/Dev'],
  accounts: 5,
  functionsPerRegion: { min: 5, max: 40 },
  heavyRegions: { count: 1, functions: { min: 110, max: 160 } },
  suspendedAccounts: 1,
  accountsWithoutRole: 1,
});

type Issue = z.core.$ZodIssue;

function formatPath(source: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`),
    source,
  );
}

/** How far an alternative of a union got into the value: deeper paths, then anything but a type mismatch. */
function relevance(issues: readonly Issue[]): number {
  const depth = Math.max(0, ...issues.map((issue) => issue.path.length));
  return depth * 2 + (issues.some((issue) => issue.code !== 'invalid_type') ? 1 : 0);
}

/** One line per problem, each starting with the full path of the field. */
export function formatIssues(
  issues: readonly Issue[],
  source: string,
  prefix: readonly PropertyKey[] = [],
): string {
  return issues
    .map((issue) => {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `${formatPath(source, [...path, key])}: unknown field`).join('\n');
      }
      if (issue.code === 'invalid_union') {
        // report the alternative that got furthest into the value: it is the one the author meant
        const branch = [...issue.errors].sort((a, b) => relevance(b) - relevance(a))[0];
        if (branch && relevance(branch) > 0) return formatIssues(branch, source, path);
      }
      return `${formatPath(source, path)}: ${issue.message}`;
    })
    .join('\n');
}
