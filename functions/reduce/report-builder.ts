/**
 * The report's pure core: inventory rows from scanned functions, coverage from the plan's targets and
 * the workers' results, and the summary counts. Data in, data out; reduce's handler does the I/O.
 */

import {
  type CoverageEntry,
  CoverageStatus,
  type FunctionRecord,
  type ReportKeys,
  RuntimeStatus,
  type ScannedFunction,
  type SkippedAccount,
  type Summary,
  type Target,
  type TargetResult,
} from '../../shared/contracts.ts';
import { keys, type ReportFile } from '../../shared/keys.ts';
import { compareTargets, compareText } from '../shared/compare.ts';
import {
  RUNTIME_LIFECYCLE_DATA,
  type RuntimeLifecycle,
  type RuntimeLifecycleData,
  runtimeLifecycle,
} from '../shared/runtime-lifecycle.ts';

/** byRuntime key for container images, which report no runtime. */
export const IMAGE_RUNTIME_KEY = 'image';
/** byRuntime key for a zip function without a runtime (not expected from Lambda, but counted, not dropped). */
export const NO_RUNTIME_KEY = '(none)';

export const targetId = (target: { accountId: string; region: string }): string =>
  `${target.accountId}/${target.region}`;

/** A target's function rows in one partial, as far as the screen needs to know them. */
export interface TargetRowsRef {
  /** The target's id (`targetId`). */
  target: string;
  functionCount: number;
}

/** How many partial lines were left out, and a few of the targets they named (for one log line). */
export interface IgnoredLines {
  targetLines: number;
  functionLines: number;
  /** Targets not in the plan's targets file. */
  unplanned: string[];
  /** Planned targets an earlier partial (or line) had already reported. */
  repeated: string[];
  /** Planned targets with function lines but no status line in the same partial. */
  withoutTargetLine: string[];
}

const IGNORED_SAMPLE_SIZE = 10;

/**
 * Decides which partial lines count, partials taken in key order: a target counts only if the plan
 * planned it, and only from the first partial that reports it; a function counts only with its
 * target's line in the same partial. So a stray or repeated partial (another scan's, a batch written
 * twice) can never add a target or its functions a second time, and the outcome depends only on the
 * partials' content and key order.
 */
export class PartialScreen {
  readonly results = new Map<string, TargetResult>();
  private readonly planned: ReadonlySet<string>;
  private targetLines = 0;
  private functionLines = 0;
  private readonly unplanned = new Set<string>();
  private readonly repeated = new Set<string>();
  private readonly withoutTargetLine = new Set<string>();

  constructor(targets: readonly Target[]) {
    this.planned = new Set(targets.map(targetId));
  }

  /** The groups of function rows that count, in their order; records the partial's accepted target lines. */
  accept<G extends TargetRowsRef>(partial: { targets: readonly TargetResult[]; groups: readonly G[] }): G[] {
    const owned = new Set<string>();
    for (const result of partial.targets) {
      const id = targetId(result);
      if (this.planned.has(id) && !this.results.has(id)) {
        this.results.set(id, result);
        owned.add(id);
      } else {
        this.targetLines += 1;
        (this.planned.has(id) ? this.repeated : this.unplanned).add(id);
      }
    }
    return partial.groups.filter(({ target, functionCount }) => {
      if (owned.has(target)) return true;
      this.functionLines += functionCount;
      if (!this.planned.has(target)) this.unplanned.add(target);
      else if (this.results.has(target)) this.repeated.add(target);
      else this.withoutTargetLine.add(target);
      return false;
    });
  }

  /** What was left out, or undefined when every line counted. */
  ignoredLines(): IgnoredLines | undefined {
    if (this.targetLines === 0 && this.functionLines === 0) return undefined;
    const sample = (ids: Set<string>) => [...ids].sort(compareText).slice(0, IGNORED_SAMPLE_SIZE);
    return {
      targetLines: this.targetLines,
      functionLines: this.functionLines,
      unplanned: sample(this.unplanned),
      repeated: sample(this.repeated),
      withoutTargetLine: sample(this.withoutTargetLine),
    };
  }
}

/**
 * The report's files: dated by the run's start, so a run's files stay together whenever reduce runs.
 * With `compress`, the two large inventory files are gzip objects under `.gz` keys. diff.json's key is
 * added only once there is a previous run to compare with (report-pass.ts).
 */
export function reportKeysFor(runId: string, startedAt: string, compress: boolean): ReportKeys {
  const date = new Date(startedAt).toISOString().slice(0, 10);
  // shared/keys.ts names the files, so the keys written here are the keys infra grants
  const file = (name: ReportFile) => keys.reportFile(date, runId, name, compress);
  return {
    prefix: keys.reportPrefix(date, runId),
    inventoryJson: file('inventoryJson'),
    inventoryCsv: file('inventoryCsv'),
    summaryJson: file('summaryJson'),
    coverageCsv: file('coverageCsv'),
    compression: compress ? 'gzip' : 'none',
    reportHtml: file('reportHtml'),
    gapsCsv: file('gapsCsv'),
  };
}

/**
 * Inventory rows from scanned functions, with each runtime's lifecycle as of `asOf` (the run's start).
 * A lifecycle depends only on the runtime, so it is worked out once per runtime, not once per row.
 */
export class FunctionRecords {
  private readonly zipLifecycles = new Map<string | null, RuntimeLifecycle>();
  private readonly imageLifecycle: RuntimeLifecycle;

  constructor(
    private readonly asOf: Date,
    private readonly data: RuntimeLifecycleData = RUNTIME_LIFECYCLE_DATA,
  ) {
    this.imageLifecycle = runtimeLifecycle(null, 'Image', asOf, data);
  }

  lifecycleOf(runtime: string | null, packageType: ScannedFunction['packageType']): RuntimeLifecycle {
    if (packageType === 'Image') return this.imageLifecycle;
    let lifecycle = this.zipLifecycles.get(runtime);
    if (lifecycle === undefined) {
      lifecycle = runtimeLifecycle(runtime, packageType, this.asOf, this.data);
      this.zipLifecycles.set(runtime, lifecycle);
    }
    return lifecycle;
  }

  /** The row, its fields in contract order (the order of inventory.json), built field by field: no spread. */
  of(s: ScannedFunction): FunctionRecord {
    const lifecycle = this.lifecycleOf(s.runtime, s.packageType);
    return {
      accountId: s.accountId,
      accountName: s.accountName,
      region: s.region,
      functionName: s.functionName,
      functionArn: s.functionArn,
      runtime: s.runtime,
      packageType: s.packageType,
      architectures: s.architectures,
      memorySize: s.memorySize,
      timeout: s.timeout,
      ephemeralStorage: s.ephemeralStorage,
      codeSize: s.codeSize,
      handler: s.handler,
      lastModified: s.lastModified,
      role: s.role,
      layers: s.layers,
      tracingMode: s.tracingMode,
      snapStart: s.snapStart,
      environmentVariableNames: s.environmentVariableNames,
      version: s.version,
      runtimeStatus: lifecycle.runtimeStatus,
      deprecationDate: lifecycle.deprecationDate,
      blockCreateDate: lifecycle.blockCreateDate,
      blockUpdateDate: lifecycle.blockUpdateDate,
    };
  }
}

export function compareFunctions(a: FunctionRecord, b: FunctionRecord): number {
  return (
    compareTargets(a, b) ||
    compareText(a.functionName, b.functionName) ||
    compareText(a.version ?? '', b.version ?? '') ||
    compareText(a.functionArn, b.functionArn)
  );
}

export function isSorted<T>(items: readonly T[], compare: (a: T, b: T) => number): boolean {
  for (let i = 1; i < items.length; i += 1) {
    if (compare(items[i - 1] as T, items[i] as T) > 0) return false;
  }
  return true;
}

export function runtimeKey(record: Pick<FunctionRecord, 'packageType' | 'runtime'>): string {
  if (record.packageType === 'Image') return IMAGE_RUNTIME_KEY;
  return record.runtime ?? NO_RUNTIME_KEY;
}

type DeprecatedRuntime = Summary['deprecated'][number];

/** A tally as plain data (structured-clone safe), to cross from a worker thread. */
export interface TallyData {
  functionCount: number;
  byRuntime: [string, number][];
  byAccount: [string, number][];
  byRegion: [string, number][];
  byRuntimeStatus: [string, number][];
  ending: DeprecatedRuntime[];
}

/**
 * Running counts over the inventory rows. Rows stream past once and are never held, so everything
 * the summary needs is counted as they go by.
 */
export class FunctionTally {
  functionCount = 0;
  private readonly byRuntime = new Map<string, number>();
  private readonly byAccount = new Map<string, number>();
  private readonly byRegion = new Map<string, number>();
  private readonly byRuntimeStatus = new Map<string, number>();
  private readonly ending = new Map<string, DeprecatedRuntime>();

  add(record: FunctionRecord): void {
    this.functionCount += 1;
    increment(this.byRuntime, runtimeKey(record));
    increment(this.byAccount, record.accountId);
    increment(this.byRegion, record.region);
    increment(this.byRuntimeStatus, record.runtimeStatus);
    if (
      (record.runtimeStatus === 'deprecated' || record.runtimeStatus === 'deprecating-soon') &&
      record.runtime
    ) {
      const seen = this.ending.get(record.runtime);
      if (seen) seen.functionCount += 1;
      else
        this.ending.set(record.runtime, {
          runtime: record.runtime,
          runtimeStatus: record.runtimeStatus,
          deprecationDate: record.deprecationDate,
          blockUpdateDate: record.blockUpdateDate,
          functionCount: 1,
        });
    }
  }

  toData(): TallyData {
    return {
      functionCount: this.functionCount,
      byRuntime: [...this.byRuntime],
      byAccount: [...this.byAccount],
      byRegion: [...this.byRegion],
      byRuntimeStatus: [...this.byRuntimeStatus],
      ending: [...this.ending.values()].map((entry) => ({ ...entry })),
    };
  }

  /** Adds another tally's counts (one target's rows, digested elsewhere). */
  addData(data: TallyData): void {
    this.functionCount += data.functionCount;
    addCounts(this.byRuntime, data.byRuntime);
    addCounts(this.byAccount, data.byAccount);
    addCounts(this.byRegion, data.byRegion);
    addCounts(this.byRuntimeStatus, data.byRuntimeStatus);
    for (const entry of data.ending) {
      const seen = this.ending.get(entry.runtime);
      if (seen) seen.functionCount += entry.functionCount;
      else this.ending.set(entry.runtime, { ...entry });
    }
  }

  counts(): Pick<
    Summary,
    'functionCount' | 'byRuntime' | 'byAccount' | 'byRegion' | 'byRuntimeStatus' | 'deprecated'
  > {
    return {
      functionCount: this.functionCount,
      byRuntime: sortedCounts(this.byRuntime),
      byAccount: sortedCounts(this.byAccount),
      byRegion: sortedCounts(this.byRegion),
      // every status appears, 0 included: readers compare runs without checking for missing keys
      byRuntimeStatus: Object.fromEntries(
        RuntimeStatus.options.map((s) => [s, this.byRuntimeStatus.get(s) ?? 0]),
      ),
      deprecated: [...this.ending.values()]
        .map((entry) => ({ ...entry }))
        .sort(
          (a, b) =>
            compareText(a.deprecationDate ?? '9999', b.deprecationDate ?? '9999') ||
            compareText(a.runtime, b.runtime),
        ),
    };
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function addCounts(counts: Map<string, number>, more: readonly [string, number][]): void {
  for (const [key, count] of more) counts.set(key, (counts.get(key) ?? 0) + count);
}

function sortedCounts(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(([a], [b]) => compareText(a, b)));
}

/** Why a batch's Map child failed, from the Distributed Map's result files. */
export interface BatchFailure {
  errorCode: string | null;
  message: string | null;
}

export interface CoverageInput {
  targets: readonly Target[];
  /** What the workers reported, by `targetId`. */
  results: ReadonlyMap<string, TargetResult>;
  skipped: readonly SkippedAccount[];
  /** Failed batches' errors, by `targetId` of each target in the batch. */
  failures?: ReadonlyMap<string, BatchFailure>;
}

/**
 * One entry per planned target, plus one per skipped account. Counts are null wherever the target was
 * not scanned completely: a report never shows "0 functions" where it could not look.
 */
export function buildCoverage({ targets, results, skipped, failures }: CoverageInput): CoverageEntry[] {
  const entries = targets.map((target): CoverageEntry => {
    const result = results.get(targetId(target));
    const accountName = target.accountName ?? result?.accountName ?? null;
    if (!result) {
      const failure = failures?.get(targetId(target));
      return {
        accountId: target.accountId,
        accountName,
        region: target.region,
        status: 'not-scanned',
        functionCount: null,
        pages: null,
        durationMs: null,
        errorCode: failure?.errorCode ?? null,
        message: failure?.message ?? null,
      };
    }
    const complete = result.status === 'ok';
    return {
      accountId: target.accountId,
      accountName,
      region: target.region,
      status: result.status,
      functionCount: complete ? result.functionCount : null,
      pages: complete ? result.pages : null,
      durationMs: result.durationMs,
      errorCode: result.errorCode ?? null,
      message: result.message ?? null,
    };
  });
  for (const account of skipped) {
    entries.push({
      accountId: account.accountId,
      accountName: account.accountName ?? null,
      region: null,
      status: 'account-skipped',
      functionCount: null,
      pages: null,
      durationMs: null,
      errorCode: null,
      message: account.reason,
    });
  }
  return entries.sort(
    (a, b) =>
      compareText(a.accountId, b.accountId) ||
      compareText(a.region ?? '', b.region ?? '') ||
      compareText(a.status, b.status),
  );
}

/**
 * `targets` counts planned account x region pairs; `byStatus` counts coverage entries (the rows of
 * coverage.csv), so `account-skipped` there equals `skippedAccounts`.
 */
export function coverageSummary(
  targetCount: number,
  coverage: readonly CoverageEntry[],
): Summary['coverage'] {
  const byStatus = new Map<string, number>();
  for (const entry of coverage) increment(byStatus, entry.status);
  return {
    targets: targetCount,
    scanned: byStatus.get('ok') ?? 0,
    byStatus: Object.fromEntries(CoverageStatus.options.map((s) => [s, byStatus.get(s) ?? 0])),
    skippedAccounts: byStatus.get('account-skipped') ?? 0,
  };
}

/** When the run's data was complete: the last target's scan, so that reducing again gives the same report. */
export function finishedAt(results: Iterable<TargetResult>, startedAt: string): string {
  let latest = startedAt;
  for (const result of results) {
    if (Date.parse(result.scannedAt) > Date.parse(latest)) latest = result.scannedAt;
  }
  return latest;
}

export interface SummaryInput {
  runId: string;
  startedAt: string;
  finishedAt: string;
  tally: FunctionTally;
  targetCount: number;
  coverage: readonly CoverageEntry[];
}

export function buildSummary(input: SummaryInput): Summary {
  const { functionCount, deprecated, ...counts } = input.tally.counts();
  return {
    runId: input.runId,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    functionCount,
    ...counts,
    coverage: coverageSummary(input.targetCount, input.coverage),
    deprecated,
  };
}
