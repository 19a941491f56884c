/**
 * The cloud cost of one run, as line items and a total, from list prices (`prices.json`, us-east-1).
 * Pure: counts in, dollars out. Two entry points:
 * - `costOfRun(counts)`: a finished run's counts (batches, Lambda seconds, functions found);
 * - `estimateRunCost(shape)`: a planned run (accounts x regions at the configured map settings), whose
 *   counts come from a latency model of the worker, then go through `costOfRun`.
 *
 * What is billed per run:
 * - Step Functions Standard: one state transition per state the parent executes (Plan, Scan targets,
 *   Reduce on the happy path), plus one per retry. The Distributed Map's children are Express: one
 *   request each, and their duration rounded up to 100 ms at 64 MB (a child holds one small batch).
 * - Lambda (arm64): one request per invocation, and GB-seconds at each function's memory size,
 *   including the billed INIT phase of each cold worker.
 * - S3 requests: the plan's run files, one partial per batch (PUT by the worker, GET by reduce), the
 *   Map's ItemReader GET and ResultWriter PUTs, the LIST of the partials, the report files (a streamed
 *   file larger than one part is a multipart upload: create + parts + complete), latest.json.
 * Not included: STS, Lambda ListFunctions and Organizations calls (free), CloudWatch Logs, X-Ray, S3
 * storage and lifecycle transitions (monthly, not per run), data transfer (same region), free tiers.
 */
import { ValidationError } from './errors.ts';
import pricesJson from './prices.json' with { type: 'json' };

export interface Prices {
  stepFunctions: {
    standardPerStateTransition: number;
    expressPerRequest: number;
    expressPerGbSecond: number;
    expressMemoryIncrementMB: number;
    expressDurationIncrementMs: number;
  };
  lambda: { arm64PerGbSecond: number; perRequest: number; durationIncrementMs: number };
  s3: { standardPutCopyPostListPerRequest: number; standardGetSelectPerRequest: number };
}

/** us-east-1 list prices, with their source pages and the date they were read (`prices.json`). */
export const LIST_PRICES: Prices = pricesJson;

/** States the parent (Standard) execution passes through on the happy path: Plan, Scan targets, Reduce. */
export const HAPPY_PATH_STATES = 3;

/** Memory sizes of the functions as infra/inventory-stack.ts deploys them. */
export const DEFAULT_MEMORY_MB = { plan: 512, worker: 512, reduce: 2048 } as const;

/** lib-storage's default part size: a streamed report file above it is a multipart upload. */
export const DEFAULT_PART_SIZE_BYTES = 5 * 1024 * 1024;

/** Functions in one ListFunctions page. */
const LIST_FUNCTIONS_PAGE = 50;
/** Accounts in one Organizations ListAccounts page. */
const LIST_ACCOUNTS_PAGE = 20;
/** Keys in one ListObjectsV2 page. */
const LIST_OBJECTS_PAGE = 1000;

/** One object of the report that reduce writes; its size grows with the functions found. */
export interface ReportObject {
  name: string;
  /** Bytes per function found (measured on the synthesized stack's output). */
  bytesPerFunction: number;
  /** Written as a stream (multipart when larger than a part) rather than with one PUT. */
  streamed: boolean;
}

/**
 * The report as reduce writes it today: inventory.json and .csv sized from aws-facts ("cost drivers
 * measured", before compression: an upper bound of their parts), the Athena functions file as stored
 * (gzip NDJSON: 84,969,818 B for 1,000,000 generated functions), the rest one PUT each. diff.json is
 * counted: every run but the first has a previous run to compare with.
 */
export const DEFAULT_REPORT_OBJECTS: readonly ReportObject[] = [
  { name: 'inventory.json', bytesPerFunction: 824, streamed: true },
  { name: 'inventory.csv', bytesPerFunction: 421, streamed: true },
  { name: 'Athena functions', bytesPerFunction: 85, streamed: true },
  { name: 'summary.json', bytesPerFunction: 0, streamed: false },
  { name: 'coverage.csv', bytesPerFunction: 0, streamed: false },
  { name: 'report.html', bytesPerFunction: 0, streamed: false },
  { name: 'gaps.csv', bytesPerFunction: 0, streamed: false },
  { name: 'diff.json', bytesPerFunction: 0, streamed: false },
  { name: 'Athena coverage', bytesPerFunction: 0, streamed: false },
  { name: 'latest.json', bytesPerFunction: 0, streamed: false },
];

/**
 * S3 objects of a run besides the partials and the report: what the plan writes (targets.json,
 * skipped.json) and the ResultWriter's manifest.json and SUCCEEDED_0.json; what is read: targets.json
 * (by the ItemReader and by reduce), skipped.json, the manifest and latest.json (before replacing it),
 * and for the diff the previous run's inventory and Athena coverage file and this run's inventory.
 */
export const DEFAULT_RUN_FILES = { puts: 4, gets: 8 } as const;

/** What a run counted: a finished run's own figures, or what `estimateRunCost` predicts. */
export interface RunCounts {
  /** Account x region pairs planned. */
  targets: number;
  /** Distributed Map child executions, one per batch: each invokes the worker and writes one partial. */
  batches: number;
  /** Functions found: they size the report files. */
  functions: number;
  /** Seconds the plan function ran (billed INIT included). */
  planSeconds: number;
  /** Seconds of all worker invocations together (billed INIT of cold starts included). */
  workerSeconds: number;
  /** Seconds the reduce function ran. */
  reduceSeconds: number;
  /**
   * Seconds of all Express children together: each waits for its worker.
   * @default workerSeconds
   */
  expressSeconds?: number;
  /**
   * Worker invocations retried inside their child: each is one more Lambda request and partial PUT.
   * @default 0
   */
  workerRetries?: number;
  /**
   * Retries of the parent's states: each is one more Standard state transition.
   * @default 0
   */
  stateRetries?: number;
}

export interface CostSettings {
  /** @default DEFAULT_MEMORY_MB.plan */
  planMemoryMB?: number;
  /** @default DEFAULT_MEMORY_MB.worker */
  workerMemoryMB?: number;
  /** @default DEFAULT_MEMORY_MB.reduce */
  reduceMemoryMB?: number;
  /** @default DEFAULT_REPORT_OBJECTS */
  reportObjects?: readonly ReportObject[];
  /** @default DEFAULT_RUN_FILES */
  runFiles?: { puts: number; gets: number };
  /** @default DEFAULT_PART_SIZE_BYTES */
  partSizeBytes?: number;
  /** @default LIST_PRICES */
  prices?: Prices;
}

export type CostService = 'Step Functions' | 'Lambda' | 'S3';

export interface CostLine {
  service: CostService;
  item: string;
  quantity: number;
  unit: string;
  unitPriceUsd: number;
  usd: number;
}

export interface CostBreakdown {
  lines: CostLine[];
  totalUsd: number;
}

/** Line items and total of a run from its counts. Every count must be a non-negative finite number. */
export function costOfRun(counts: RunCounts, settings: CostSettings = {}): CostBreakdown {
  for (const [field, value] of Object.entries(counts)) {
    if (value !== undefined) requireNonNegative(`counts.${field}`, value);
  }
  for (const field of ['targets', 'batches', 'functions', 'workerRetries', 'stateRetries'] as const) {
    const value = counts[field];
    if (value !== undefined) requireInteger(`counts.${field}`, value);
  }
  const prices = settings.prices ?? LIST_PRICES;
  const memory = {
    plan: positive('planMemoryMB', settings.planMemoryMB ?? DEFAULT_MEMORY_MB.plan),
    worker: positive('workerMemoryMB', settings.workerMemoryMB ?? DEFAULT_MEMORY_MB.worker),
    reduce: positive('reduceMemoryMB', settings.reduceMemoryMB ?? DEFAULT_MEMORY_MB.reduce),
  };
  const partSize = positive('partSizeBytes', settings.partSizeBytes ?? DEFAULT_PART_SIZE_BYTES);
  const runFiles = settings.runFiles ?? DEFAULT_RUN_FILES;
  const workerRetries = counts.workerRetries ?? 0;
  const workerInvocations = counts.batches + workerRetries;

  const sfn = prices.stepFunctions;
  const lambda = prices.lambda;
  const s3 = prices.s3;
  const lines: CostLine[] = [];
  const add = (service: CostService, item: string, quantity: number, unit: string, unitPriceUsd: number) =>
    lines.push({ service, item, quantity, unit, unitPriceUsd, usd: quantity * unitPriceUsd });

  add(
    'Step Functions',
    'Standard state transitions (Plan, Scan targets, Reduce, retries)',
    HAPPY_PATH_STATES + (counts.stateRetries ?? 0),
    'transition',
    sfn.standardPerStateTransition,
  );
  add('Step Functions', 'Express child executions', counts.batches, 'request', sfn.expressPerRequest);
  add(
    'Step Functions',
    `Express duration (${sfn.expressMemoryIncrementMB} MB, ${sfn.expressDurationIncrementMs} ms steps)`,
    expressGbSeconds(counts.expressSeconds ?? counts.workerSeconds, counts.batches, sfn),
    'GB-s',
    sfn.expressPerGbSecond,
  );

  add('Lambda', 'Requests (plan, workers, reduce)', 2 + workerInvocations, 'request', lambda.perRequest);
  add(
    'Lambda',
    `Plan duration (${memory.plan} MB)`,
    gbSeconds(counts.planSeconds, memory.plan),
    'GB-s',
    lambda.arm64PerGbSecond,
  );
  add(
    'Lambda',
    `Worker duration (${memory.worker} MB)`,
    gbSeconds(counts.workerSeconds, memory.worker),
    'GB-s',
    lambda.arm64PerGbSecond,
  );
  add(
    'Lambda',
    `Reduce duration (${memory.reduce} MB)`,
    gbSeconds(counts.reduceSeconds, memory.reduce),
    'GB-s',
    lambda.arm64PerGbSecond,
  );

  const reportObjects = settings.reportObjects ?? DEFAULT_REPORT_OBJECTS;
  const reportPuts = reportObjects.reduce(
    (sum, object) => sum + putRequests(object, counts.functions, partSize),
    0,
  );
  const putPrice = s3.standardPutCopyPostListPerRequest;
  const getPrice = s3.standardGetSelectPerRequest;
  add('S3', 'PUT partials (one per worker invocation)', workerInvocations, 'request', putPrice);
  add('S3', 'PUT run files (targets, skipped, ResultWriter)', runFiles.puts, 'request', putPrice);
  add(
    'S3',
    `PUT report files (${reportObjects.map((o) => o.name).join(', ')})`,
    reportPuts,
    'request',
    putPrice,
  );
  add('S3', 'LIST partials', Math.max(1, Math.ceil(counts.batches / LIST_OBJECTS_PAGE)), 'request', putPrice);
  add('S3', 'GET partials', counts.batches, 'request', getPrice);
  add('S3', 'GET run files (targets, skipped, manifest, latest)', runFiles.gets, 'request', getPrice);

  return { lines, totalUsd: lines.reduce((sum, line) => sum + line.usd, 0) };
}

/** A planned run: the organization's size and the deployment's settings. */
export interface RunShape {
  accounts: number;
  regions: number;
  /** @default 20 */
  functionsPerRegion?: number;
  /** Targets per batch as configured; rounded to whole accounts as the plan does. */
  batchSize: number;
  /** Map children at once: the number of cold workers. */
  maxConcurrency: number;
  workerMemoryMB: number;
  /** @default DEFAULT_MEMORY_MB.plan */
  planMemoryMB?: number;
  /** @default DEFAULT_MEMORY_MB.reduce */
  reduceMemoryMB?: number;
  /** Regions of a batch a worker lists at once. @default 8 */
  regionConcurrency?: number;
  /** Latency of one AWS API call. @default 100 */
  apiLatencyMs?: number;
  /** Worker time besides the API calls (gzip and PUT of the partial) per invocation. @default 0.1 */
  workerOverheadSeconds?: number;
  /** Billed INIT phase of a cold worker; one cold start per concurrent child. @default 0.5 */
  coldStartSeconds?: number;
  /** Reduce throughput. @default 50000 */
  reduceRecordsPerSecond?: number;
}

export const SHAPE_DEFAULTS = {
  functionsPerRegion: 20,
  regionConcurrency: 8,
  apiLatencyMs: 100,
  workerOverheadSeconds: 0.1,
  coldStartSeconds: 0.5,
  reduceRecordsPerSecond: 50_000,
} as const;

export interface RunEstimate extends CostBreakdown {
  /** The modelled counts the cost comes from. */
  counts: RunCounts;
  /** Targets per batch after rounding to whole accounts. */
  batchSize: number;
  /** Seconds one batch's worker takes: one AssumeRole round, then its regions' pages. */
  batchSeconds: number;
}

/**
 * The cost of a planned run. A batch holds whole accounts (the configured size rounded down to a
 * multiple of the regions, at least one account); its worker assumes every account's role at once,
 * then lists `batchSize` targets `regionConcurrency` at a time, each target's pages one after another:
 *   batchSeconds = latency x (1 + ceil(batchSize / regionConcurrency) x pagesPerTarget) + overhead.
 */
export function estimateRunCost(
  shape: RunShape,
  settings: Omit<CostSettings, 'workerMemoryMB'> = {},
): RunEstimate {
  for (const field of ['accounts', 'regions', 'batchSize', 'maxConcurrency'] as const) {
    requirePositiveInteger(field, shape[field]);
  }
  const functionsPerRegion = shape.functionsPerRegion ?? SHAPE_DEFAULTS.functionsPerRegion;
  requireNonNegative('functionsPerRegion', functionsPerRegion);
  const regionConcurrency = shape.regionConcurrency ?? SHAPE_DEFAULTS.regionConcurrency;
  requirePositiveInteger('regionConcurrency', regionConcurrency);
  const latency = (shape.apiLatencyMs ?? SHAPE_DEFAULTS.apiLatencyMs) / 1000;
  requireNonNegative('apiLatencyMs', latency);
  const overhead = shape.workerOverheadSeconds ?? SHAPE_DEFAULTS.workerOverheadSeconds;
  requireNonNegative('workerOverheadSeconds', overhead);
  const coldStart = shape.coldStartSeconds ?? SHAPE_DEFAULTS.coldStartSeconds;
  requireNonNegative('coldStartSeconds', coldStart);
  const reduceRate = positive(
    'reduceRecordsPerSecond',
    shape.reduceRecordsPerSecond ?? SHAPE_DEFAULTS.reduceRecordsPerSecond,
  );

  const accountsPerBatch = Math.max(1, Math.floor(shape.batchSize / shape.regions));
  const batchSize = accountsPerBatch * shape.regions;
  const batches = Math.ceil(shape.accounts / accountsPerBatch);
  // the last batch may hold fewer accounts: it is priced like a full one (an upper bound)
  const targets = shape.accounts * shape.regions;
  const pagesPerTarget = Math.max(1, Math.ceil(functionsPerRegion / LIST_FUNCTIONS_PAGE));
  const batchSeconds = latency * (1 + Math.ceil(batchSize / regionConcurrency) * pagesPerTarget) + overhead;
  const coldWorkers = Math.min(shape.maxConcurrency, batches);
  const functions = Math.round(targets * functionsPerRegion);

  const counts: RunCounts = {
    targets,
    batches,
    functions,
    planSeconds: Math.ceil(shape.accounts / LIST_ACCOUNTS_PAGE) * latency + coldStart,
    workerSeconds: batches * batchSeconds + coldWorkers * coldStart,
    reduceSeconds: functions / reduceRate + coldStart,
  };
  const breakdown = costOfRun(counts, {
    ...settings,
    workerMemoryMB: positive('workerMemoryMB', shape.workerMemoryMB),
    planMemoryMB: shape.planMemoryMB ?? settings.planMemoryMB,
    reduceMemoryMB: shape.reduceMemoryMB ?? settings.reduceMemoryMB,
  });
  return { ...breakdown, counts, batchSize, batchSeconds };
}

function gbSeconds(seconds: number, memoryMB: number): number {
  return (seconds * memoryMB) / 1024;
}

/** Children are taken as equally long: each one's share of the total, rounded up to the billing step. */
function expressGbSeconds(totalSeconds: number, children: number, sfn: Prices['stepFunctions']): number {
  if (children === 0) return 0;
  const step = sfn.expressDurationIncrementMs;
  // whole milliseconds first, so that 0.3 s is 300 ms and not 300.00000000000006
  const billedMs = Math.ceil(Math.round((totalSeconds * 1000) / children) / step) * step;
  return gbSeconds((billedMs / 1000) * children, sfn.expressMemoryIncrementMB);
}

/** One PUT, or for a streamed object larger than one part: create, one request per part, complete. */
function putRequests(object: ReportObject, functions: number, partSize: number): number {
  if (!object.streamed) return 1;
  const parts = Math.ceil((object.bytesPerFunction * functions) / partSize);
  return parts <= 1 ? 1 : parts + 2;
}

function requireNonNegative(field: string, value: number): void {
  if (!Number.isFinite(value) || value < 0)
    throw new ValidationError(`${field}: must be a non-negative number, got ${value}`);
}

function requireInteger(field: string, value: number): void {
  if (!Number.isInteger(value)) throw new ValidationError(`${field}: must be a whole number, got ${value}`);
}

function requirePositiveInteger(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1)
    throw new ValidationError(`${field}: must be a positive whole number, got ${value}`);
}

function positive(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new ValidationError(`${field}: must be a positive number, got ${value}`);
  return value;
}
