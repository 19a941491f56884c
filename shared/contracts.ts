/**
 * The one contract module: a zod schema for every hop of the workflow (execution input, plan
 * output, worker batch and result, inventory rows, report) and for the deployment settings the
 * plan reads. Handlers, the local engine, the CLI, infra and tests all import these.
 */

import { ValidationError } from './errors.ts';
import * as z from './zod.ts';

export { ValidationError };

export const AccountId = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'));
export type AccountId = z.infer<typeof AccountId>;

export const Region = z
  .string()
  .check(
    z.regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/, 'must be an AWS region code such as eu-west-1'),
  );
export type Region = z.infer<typeof Region>;

export const OrganizationalUnitId = z
  .string()
  .check(
    z.regex(
      /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/,
      'must be an OU id (ou-...) or root id (r-...)',
    ),
  );

export const OrganizationId = z
  .string()
  .check(z.regex(/^o-[a-z0-9]{10,32}$/, 'must be an organization id (o-...)'));

/** Role names as IAM allows them. */
export const RoleName = z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'must be a valid IAM role name'));

/** Run ids end up in S3 keys and in STS session names, so they are kept short and plain. */
export const RunId = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/,
      'must be 1-48 characters of letters, digits, ".", "_" or "-"',
    ),
  );
export type RunId = z.infer<typeof RunId>;

/**
 * One scan (execution) of a run: the plan derives it from the execution's name and start time, so a
 * run id given again still gets partials of its own.
 */
export const ScanId = z.string().check(z.regex(/^[0-9a-f]{12}$/, 'must be 12 lowercase hex digits'));
export type ScanId = z.infer<typeof ScanId>;

/** The 17 regions enabled by default in every account (the rest are opt-in). */
export const DEFAULT_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-north-1',
  'sa-east-1',
] as const;

export const DEFAULT_MEMBER_ROLE_NAME = 'CrossAccountListFunctionsRole';

const unique = <T>(items: T[]) => new Set(items).size === items.length;
const NonEmpty = z.string().check(z.minLength(1));
const PositiveInt = z.int().check(z.positive());
const Count = z.int().check(z.nonnegative());

export const AccountRef = z.union(
  [
    z.pipe(
      AccountId,
      z.transform((id: string) => ({ id })),
    ),
    z.strictObject({ id: AccountId, name: z.optional(z.string().check(z.minLength(1))) }),
  ],
  { error: 'must be a 12-digit AWS account id, or { "id": "<12 digits>", "name": "..." }' },
);
export type AccountRef = z.output<typeof AccountRef>;

/** Which accounts Organizations discovery keeps. */
export const OrganizationFilter = z.strictObject({
  /** Only accounts under these OUs (recursively). Default: the whole organization. */
  includeOus: z._default(z.array(OrganizationalUnitId), []),
  /** Drop accounts under these OUs (recursively). */
  excludeOus: z._default(z.array(OrganizationalUnitId), []),
  /** Drop these accounts. */
  excludeAccounts: z._default(z.array(AccountId), []),
});
export type OrganizationFilter = z.output<typeof OrganizationFilter>;

/** Where the targets come from: a static list, or AWS Organizations discovery. */
export const TargetSource = z.discriminatedUnion('source', [
  z.strictObject({ source: z.literal('accounts'), accounts: z.array(AccountRef).check(z.minLength(1)) }),
  z.strictObject({ source: z.literal('organization'), ...OrganizationFilter.shape }),
]);
export type TargetSource = z.output<typeof TargetSource>;

/** What the plan function is deployed with (serialised into one environment variable). */
export const PlanSettings = z.strictObject({
  targets: TargetSource,
  regions: z.array(Region).check(z.minLength(1), z.refine(unique, 'regions must not repeat')),
  /** Targets per worker batch as configured; the plan rounds it to whole accounts (see PlanOutput.batchSize). */
  // at most 200: a batch's statuses (a few hundred bytes each) must stay well under the 256 KiB
  // Step Functions state limit, and its scan well inside the worker's timeout
  batchSize: z._default(z.int().check(z.minimum(1), z.maximum(200)), 20),
});
export type PlanSettings = z.output<typeof PlanSettings>;
export type PlanSettingsInput = z.input<typeof PlanSettings>;

/** Execution input: every field optional; what is given overrides the deployed settings. */
export const RunInput = z.strictObject({
  runId: z.optional(RunId),
  accounts: z.optional(z.array(AccountRef).check(z.minLength(1))),
  regions: z.optional(z.array(Region).check(z.minLength(1))),
  organization: z.optional(OrganizationFilter),
});
export type RunInput = z.output<typeof RunInput>;
/** The execution input as a caller writes it (account ids as plain strings allowed). */
export type RunInputRaw = z.input<typeof RunInput>;

/** The plan function's event: the execution input, and the execution's name and start time. */
export const PlanEvent = z.object({
  input: RunInput,
  execution: z.object({
    name: z.string().check(z.minLength(1)),
    startTime: z.string().check(z.refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date-time')),
  }),
});
export type PlanEvent = z.infer<typeof PlanEvent>;

export const Target = z.strictObject({
  accountId: AccountId,
  accountName: z.optional(z.string()),
  region: Region,
});
export type Target = z.infer<typeof Target>;

export const SkippedAccount = z.strictObject({
  accountId: AccountId,
  accountName: z.optional(z.string()),
  state: z.optional(z.string()),
  reason: z.string(),
});
export type SkippedAccount = z.infer<typeof SkippedAccount>;

/** The plan's skipped-accounts file, `runs/<runId>/skipped.json`: read by reduce for its coverage rows. */
export const SkippedFile = z.array(SkippedAccount);

export const PlanOutput = z.strictObject({
  runId: RunId,
  scanId: ScanId,
  startedAt: z.iso.datetime(),
  bucket: NonEmpty,
  targetsKey: NonEmpty,
  targetCount: PositiveInt,
  accountCount: PositiveInt,
  /**
   * Targets per worker batch (the Map's MaxItemsPerBatchPath): a whole number of accounts' regions, so
   * no account is split across batches and each account is assumed exactly once per run.
   */
  batchSize: PositiveInt,
  regions: z.array(Region),
  /**
   * The skipped accounts themselves are in the file `skippedKey`: thousands of closed or excluded
   * accounts would not fit in the 256 KiB of Step Functions state.
   */
  skippedCount: Count,
  skippedKey: NonEmpty,
});
export type PlanOutput = z.infer<typeof PlanOutput>;

/** The plan's targets file, `runs/<runId>/targets.json`: read by the Map's ItemReader and by reduce. */
export const TargetsFile = z.array(Target);

export const BatchInput = z.strictObject({
  runId: RunId,
  scanId: ScanId,
  bucket: NonEmpty,
});
export type BatchInput = z.infer<typeof BatchInput>;

/** One Distributed Map item batch, as the ItemBatcher hands it to the worker. */
export const WorkerBatch = z.object({
  Items: z.array(Target).check(z.minLength(1)),
  BatchInput,
});
export type WorkerBatch = z.infer<typeof WorkerBatch>;

export const TargetStatus = z.enum(['ok', 'access-denied', 'region-not-enabled', 'throttled', 'error']);
export type TargetStatus = z.infer<typeof TargetStatus>;

export const TargetResult = z.strictObject({
  accountId: AccountId,
  accountName: z.optional(z.string()),
  region: Region,
  status: TargetStatus,
  functionCount: Count,
  pages: Count,
  durationMs: z.number().check(z.nonnegative()),
  /** When the target's outcome was known (the end of its scan, or of the failed AssumeRole). */
  scannedAt: z.iso.datetime(),
  errorCode: z.optional(z.string()),
  message: z.optional(z.string()),
});
export type TargetResult = z.infer<typeof TargetResult>;

/** What the worker returns to Step Functions: statuses only, never function data (claim check in S3). */
export const WorkerOutput = z.strictObject({
  partialKey: z.string(),
  results: z.array(TargetResult),
});
export type WorkerOutput = z.infer<typeof WorkerOutput>;

export const RuntimeStatus = z.enum(['supported', 'deprecating-soon', 'deprecated', 'unknown', 'image']);
export type RuntimeStatus = z.infer<typeof RuntimeStatus>;

const IsoDate = z.iso.date();

/**
 * One function as the worker saw it. Environment variables appear by name only: values never leave
 * the member account.
 */
export const ScannedFunction = z.strictObject({
  accountId: AccountId,
  accountName: z.nullable(z.string()),
  region: Region,
  functionName: z.string(),
  functionArn: z.string(),
  runtime: z.nullable(z.string()),
  packageType: z.enum(['Zip', 'Image']),
  architectures: z.array(z.string()),
  memorySize: z.nullable(z.int()),
  timeout: z.nullable(z.int()),
  ephemeralStorage: z.nullable(z.int()),
  codeSize: z.nullable(z.int()),
  handler: z.nullable(z.string()),
  lastModified: z.nullable(z.string()),
  role: z.nullable(z.string()),
  layers: z.array(z.string()),
  tracingMode: z.nullable(z.string()),
  snapStart: z.nullable(z.string()),
  environmentVariableNames: z.array(z.string()),
  version: z.nullable(z.string()),
});
export type ScannedFunction = z.infer<typeof ScannedFunction>;

/**
 * One inventory row: a scanned function with its runtime's lifecycle as of the run's start. Reduce
 * adds the lifecycle from the runtime data file, so new dates apply without scanning again.
 */
export const FunctionRecord = z.strictObject({
  ...ScannedFunction.shape,
  runtimeStatus: RuntimeStatus,
  deprecationDate: z.nullable(IsoDate),
  blockCreateDate: z.nullable(IsoDate),
  blockUpdateDate: z.nullable(IsoDate),
});
export type FunctionRecord = z.infer<typeof FunctionRecord>;

/** A line of a worker partial (gzip NDJSON): the statuses of the batch's targets and their functions. */
export const PartialLine = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('target'), target: TargetResult }),
  z.strictObject({ kind: z.literal('function'), function: ScannedFunction }),
]);
export type PartialLine = z.infer<typeof PartialLine>;

/** Coverage adds what the plan knew before any scan: skipped accounts, and targets no worker reported. */
export const CoverageStatus = z.enum([...TargetStatus.options, 'account-skipped', 'not-scanned']);
export type CoverageStatus = z.infer<typeof CoverageStatus>;

export const CoverageEntry = z.strictObject({
  accountId: AccountId,
  accountName: z.nullable(z.string()),
  /** null for an account skipped as a whole (for example SUSPENDED). */
  region: z.nullable(Region),
  status: CoverageStatus,
  functionCount: z.nullable(Count),
  pages: z.nullable(Count),
  durationMs: z.nullable(z.number().check(z.nonnegative())),
  errorCode: z.nullable(z.string()),
  message: z.nullable(z.string()),
});
export type CoverageEntry = z.infer<typeof CoverageEntry>;

/** The reduce step's input: the plan output, and the Map's ResultWriter details when it wrote any. */
export const ReduceInput = z.object({
  plan: PlanOutput,
  map: z.optional(z.unknown()),
});
export type ReduceInput = z.infer<typeof ReduceInput>;

/** The keys of the files a report was written as: readers take them from here, never rebuild them. */
export const ReportKeys = z.strictObject({
  prefix: z.string(),
  inventoryJson: z.string(),
  inventoryCsv: z.string(),
  summaryJson: z.string(),
  coverageCsv: z.string(),
  /**
   * How inventoryJson and inventoryCsv are stored: `gzip` (`.gz` keys, content type
   * application/gzip) or `none`. summary.json and coverage.csv are always plain. Absent in reports
   * written before compression existed, which are plain.
   */
  compression: z.optional(z.enum(['none', 'gzip'])),
  /** The HTML page, the role gaps and the diff: absent in reports written before reduce wrote them. */
  reportHtml: z.optional(z.string()),
  gapsCsv: z.optional(z.string()),
  /** Written only when a previous complete run was compared. */
  diffJson: z.optional(z.string()),
});
export type ReportKeys = z.infer<typeof ReportKeys>;

const Counts = z.record(z.string(), Count);

export const Summary = z.strictObject({
  runId: RunId,
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  functionCount: Count,
  byRuntime: Counts,
  byAccount: Counts,
  byRegion: Counts,
  byRuntimeStatus: Counts,
  coverage: z.strictObject({
    targets: Count,
    scanned: Count,
    byStatus: Counts,
    skippedAccounts: Count,
  }),
  deprecated: z.array(
    z.strictObject({
      runtime: z.string(),
      runtimeStatus: RuntimeStatus,
      deprecationDate: z.nullable(IsoDate),
      blockUpdateDate: z.nullable(IsoDate),
      functionCount: PositiveInt,
    }),
  ),
});
export type Summary = z.infer<typeof Summary>;

/** The pointer `reports/latest.json`, written last so it always names a complete report. */
export const LatestPointer = z.strictObject({
  schemaVersion: z.literal(1),
  runId: RunId,
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  keys: ReportKeys,
  functionCount: Count,
  coverage: Summary.shape.coverage,
});
export type LatestPointer = z.infer<typeof LatestPointer>;

/** The change since the previous complete run, as reduce returns it for the CLI to print. */
export const RunChanges = z.strictObject({
  previousRunId: RunId,
  /** `+N −N ~N functions, N newly deprecated since <previous run>` (and coverage changes). */
  line: z.string(),
  added: Count,
  removed: Count,
  changed: Count,
  newlyDeprecated: Count,
});
export type RunChanges = z.infer<typeof RunChanges>;

/** What reduce returns to the workflow (small: the report itself stays in S3). */
export const ReduceOutput = z.strictObject({
  runId: RunId,
  keys: ReportKeys,
  functionCount: Count,
  coverage: Summary.shape.coverage,
  /** Absent for the first run, or when the previous run's inventory could not be compared. */
  changes: z.optional(RunChanges),
});
export type ReduceOutput = z.infer<typeof ReduceOutput>;

/** The failure record the workflow's Catch path writes to `reports/failures/<executionName>.json`. */
export const FailureRecord = z.object({
  executionName: z.string(),
  startedAt: z.string(),
  failedAt: z.string(),
  error: z.string(),
  cause: z.string(),
});
export type FailureRecord = z.infer<typeof FailureRecord>;

/** Parses `value` with `schema`, or throws an error whose message names every bad field. */
export function parseOrThrow<S extends z.core.$ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const parsed = z.safeParse(schema, value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(`${what}: ${formatIssues(parsed.error)}`);
}

export function formatIssues(error: { readonly issues: readonly z.core.$ZodIssue[] }): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
