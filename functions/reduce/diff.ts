/**
 * What changed since the previous complete run: functions added, removed and changed, functions whose
 * runtime became deprecated or deprecating soon, and targets that stopped or started being scanned.
 *
 * Both inventories are sorted the same way (account, region, function name, version: reduce's row
 * order), so one streaming merge compares them with two records in memory at a time, never two maps
 * of 400,000 functions. Functions are compared only where both runs scanned the target: a function
 * missing from a target this run could not list was not removed, and one found in a target the last
 * run could not list was not added. Those show as coverage changes, with the reason.
 *
 * Rows come with their JSON text when the inventories give it (InventoryReader.rows()): two rows of
 * the same text are the same function, unchanged, and neither is parsed. Only the rows around a
 * change are parsed, checked and compared, so a night with few changes costs little more than reading
 * the two files. The sort order is checked where rows are compared: a run of rows that match the
 * other inventory's text for text needs no order of its own to be merged right.
 *
 * The lists are capped (the counts are not), so the diff stays small even when a whole organization
 * joins at once; the full picture is in the two inventories.
 */
import type { CoverageEntry, CoverageStatus, FunctionRecord, RuntimeStatus } from '../../shared/contracts.ts';
import { RunDataError } from '../../shared/errors.ts';
import { compareText } from '../shared/compare.ts';

export const DIFF_SCHEMA_VERSION = 1;

/** Entries kept in each list of the diff by default. */
export const DEFAULT_DIFF_LIMIT = 1000;

/** The fields whose change makes a function "changed". */
export const COMPARED_FIELDS = [
  'runtime',
  'memorySize',
  'architectures',
  'codeSize',
  'lastModified',
  'layers',
  'environmentVariableNames',
] as const satisfies readonly (keyof FunctionRecord)[];
export type ComparedField = (typeof COMPARED_FIELDS)[number];

export interface FunctionRef {
  accountId: string;
  accountName: string | null;
  region: string;
  functionName: string;
  runtime: string | null;
  runtimeStatus: RuntimeStatus;
}

export interface FieldChange {
  field: ComparedField;
  before: FunctionRecord[ComparedField];
  after: FunctionRecord[ComparedField];
}

export interface ChangedFunction extends FunctionRef {
  changes: FieldChange[];
}

export interface RuntimeStatusChange extends FunctionRef {
  previousRuntime: string | null;
  previousStatus: RuntimeStatus;
  deprecationDate: string | null;
  blockUpdateDate: string | null;
}

/** `not-planned`: the run did not include the target at all. */
export type TargetState = CoverageStatus | 'not-planned';

export interface CoverageChange {
  accountId: string;
  accountName: string | null;
  region: string;
  before: TargetState;
  after: TargetState;
  /** Functions of the run that did scan the target. */
  functionCount: number | null;
  /** Why the target was not scanned: in the current run for a target that stopped, in the previous one for one that started. */
  errorCode: string | null;
  message: string | null;
}

export interface RunRef {
  runId: string;
  startedAt: string;
}

export interface InventoryDiff {
  schemaVersion: typeof DIFF_SCHEMA_VERSION;
  previous: RunRef;
  current: RunRef;
  counts: {
    added: number;
    removed: number;
    changed: number;
    unchanged: number;
    newlyDeprecated: number;
    newlyDeprecatingSoon: number;
    /** Functions of targets scanned in one run only, so not compared. */
    notCompared: { previousOnly: number; currentOnly: number };
    stoppedScanning: number;
    startedScanning: number;
  };
  /** Each list holds at most this many entries. */
  limit: number;
  /** Whether any list was cut at `limit`. */
  truncated: boolean;
  added: FunctionRef[];
  removed: FunctionRef[];
  changed: ChangedFunction[];
  /** Functions in both runs whose runtime status got worse: into deprecating-soon, or into deprecated. */
  newlyAtRisk: RuntimeStatusChange[];
  coverage: { stoppedScanning: CoverageChange[]; startedScanning: CoverageChange[] };
}

export interface RunCoverage extends RunRef {
  coverage: readonly CoverageEntry[];
}

/**
 * A run whose rows are still being written while they are compared (reduce diffs its own inventory
 * as it writes it): whether it scanned a target is asked only once its rows have gone past that
 * target, and its whole coverage once they have all been read.
 */
export interface LiveRunCoverage extends RunRef {
  scanned(accountId: string, region: string): boolean;
  coverage(): Promise<readonly CoverageEntry[]>;
}

export interface DiffOptions {
  previous: RunCoverage;
  current: RunCoverage | LiveRunCoverage;
  /** @default DEFAULT_DIFF_LIMIT */
  limit?: number;
}

/** Reduce's row order, as far as it identifies a function: the ARN after it adds nothing. */
export function compareFunctionKeys(
  a: Pick<FunctionRecord, 'accountId' | 'region' | 'functionName' | 'version'>,
  b: Pick<FunctionRecord, 'accountId' | 'region' | 'functionName' | 'version'>,
): number {
  return (
    compareText(a.accountId, b.accountId) ||
    compareText(a.region, b.region) ||
    compareText(a.functionName, b.functionName) ||
    compareText(a.version ?? '', b.version ?? '')
  );
}

const STATUS_RISK: Record<RuntimeStatus, number> = {
  supported: 0,
  unknown: 0,
  image: 0,
  'deprecating-soon': 1,
  deprecated: 2,
};

const targetKey = (accountId: string, region: string) => `${accountId}/${region}`;

/** A run's coverage, looked up by target; skipped accounts by account. */
class CoverageIndex {
  readonly targets = new Map<string, CoverageEntry>();
  readonly skipped = new Map<string, CoverageEntry>();

  constructor(entries: readonly CoverageEntry[]) {
    for (const entry of entries) {
      if (entry.region === null) this.skipped.set(entry.accountId, entry);
      else this.targets.set(targetKey(entry.accountId, entry.region), entry);
    }
  }

  scanned(accountId: string, region: string): boolean {
    return this.targets.get(targetKey(accountId, region))?.status === 'ok';
  }

  /** The target's entry, or the account's skipped entry, or nothing (not planned). */
  entry(accountId: string, region: string): CoverageEntry | undefined {
    return this.targets.get(targetKey(accountId, region)) ?? this.skipped.get(accountId);
  }
}

/** A function to merge: its JSON text when known (equal texts, equal rows), its record parsed on demand. */
export interface DiffRow {
  readonly text: string | undefined;
  record(): FunctionRecord;
}

/** Records already parsed, as rows without a text. */
export async function* recordRows(records: AsyncIterable<FunctionRecord>): AsyncGenerator<DiffRow> {
  for await (const record of records) yield { text: undefined, record: () => record };
}

/** Which inventory a diff could not read: reduce leaves the diff out for the previous one's faults only. */
export type DiffSide = 'previous' | 'current';

/** A fault of one inventory (unreadable, damaged, a row off the contract, out of order), naming which. */
export class DiffInputError extends RunDataError {
  constructor(
    readonly side: DiffSide,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Pulls one inventory's rows; refuses, where rows are compared, any that break the merge's order. */
class SortedCursor {
  current: DiffRow | undefined;
  private last: DiffRow | undefined;
  private readonly iterator: AsyncIterator<DiffRow>;
  private position = 0;

  constructor(
    rows: AsyncIterable<DiffRow>,
    private readonly side: DiffSide,
  ) {
    this.iterator = rows[Symbol.asyncIterator]();
  }

  async advance(): Promise<void> {
    this.last = this.current;
    const next = await this.faultsNamed(() => this.iterator.next());
    this.current = next.done ? undefined : next.value;
    if (this.current) this.position += 1;
  }

  /** The current row's record, checked to sort after the row before it. */
  async record(): Promise<FunctionRecord> {
    const current = this.current as DiffRow;
    const record = await this.faultsNamed(async () => current.record());
    const before = this.last && (await this.faultsNamed(async () => (this.last as DiffRow).record()));
    if (before && compareFunctionKeys(before, record) >= 0) {
      const { accountId, region, functionName } = record;
      throw new DiffInputError(
        this.side,
        `the ${this.side} inventory is not sorted by account, region and function name (or repeats a ` +
          `function) at function ${this.position}: ${accountId}/${region}/${functionName}`,
      );
    }
    return record;
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }

  private async faultsNamed<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof DiffInputError) throw error;
      throw new DiffInputError(this.side, (error as Error).message, { cause: error });
    }
  }
}

const sameValue = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b)
    ? a.length === b.length && a.every((item, index) => item === b[index])
    : a === b;

/** Lists of names compare as sets: the order Lambda lists layers in matters, env var names' does not. */
const SET_FIELDS: ReadonlySet<ComparedField> = new Set(['environmentVariableNames']);

function fieldChanges(before: FunctionRecord, after: FunctionRecord): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of COMPARED_FIELDS) {
    let a = before[field];
    let b = after[field];
    if (SET_FIELDS.has(field) && Array.isArray(a) && Array.isArray(b)) {
      a = [...a].sort(compareText);
      b = [...b].sort(compareText);
    }
    if (!sameValue(a, b)) changes.push({ field, before: before[field], after: after[field] });
  }
  return changes;
}

const ref = (record: FunctionRecord): FunctionRef => ({
  accountId: record.accountId,
  accountName: record.accountName,
  region: record.region,
  functionName: record.functionName,
  runtime: record.runtime,
  runtimeStatus: record.runtimeStatus,
});

/** Compares two sorted inventories in one streaming pass; see the module comment. */
export async function diffInventories(
  previous: AsyncIterable<DiffRow>,
  current: AsyncIterable<DiffRow>,
  options: DiffOptions,
): Promise<InventoryDiff> {
  const limit = options.limit ?? DEFAULT_DIFF_LIMIT;
  const before = new CoverageIndex(options.previous.coverage);
  const { current: run } = options;
  const after = Array.isArray(run.coverage) ? new CoverageIndex(run.coverage) : undefined;
  const scannedNow = after
    ? (accountId: string, region: string) => after.scanned(accountId, region)
    : (run as LiveRunCoverage).scanned.bind(run);
  const diff: InventoryDiff = {
    schemaVersion: DIFF_SCHEMA_VERSION,
    previous: { runId: options.previous.runId, startedAt: options.previous.startedAt },
    current: { runId: options.current.runId, startedAt: options.current.startedAt },
    counts: {
      added: 0,
      removed: 0,
      changed: 0,
      unchanged: 0,
      newlyDeprecated: 0,
      newlyDeprecatingSoon: 0,
      notCompared: { previousOnly: 0, currentOnly: 0 },
      stoppedScanning: 0,
      startedScanning: 0,
    },
    limit,
    truncated: false,
    added: [],
    removed: [],
    changed: [],
    newlyAtRisk: [],
    coverage: { stoppedScanning: [], startedScanning: [] },
  };
  const keep = <T>(list: T[], item: T) => {
    if (list.length < limit) list.push(item);
    else diff.truncated = true;
  };
  const compared = (record: FunctionRecord) =>
    before.scanned(record.accountId, record.region) && scannedNow(record.accountId, record.region);

  const old = new SortedCursor(previous, 'previous');
  const now = new SortedCursor(current, 'current');
  try {
    await Promise.all([old.advance(), now.advance()]);
    while (old.current || now.current) {
      if (old.current?.text !== undefined && old.current.text === now.current?.text) {
        // the same text: the same function, every field the same
        diff.counts.unchanged += 1;
        await Promise.all([old.advance(), now.advance()]);
        continue;
      }
      const was = old.current && (await old.record());
      const is = now.current && (await now.record());
      const order = was && is ? compareFunctionKeys(was, is) : was ? -1 : 1;
      if (order < 0) {
        const record = was as FunctionRecord;
        if (!compared(record)) diff.counts.notCompared.previousOnly += 1;
        else {
          diff.counts.removed += 1;
          keep(diff.removed, ref(record));
        }
        await old.advance();
      } else if (order > 0) {
        const record = is as FunctionRecord;
        if (!compared(record)) diff.counts.notCompared.currentOnly += 1;
        else {
          diff.counts.added += 1;
          keep(diff.added, ref(record));
        }
        await now.advance();
      } else if (was && is) {
        const changes = fieldChanges(was, is);
        if (changes.length > 0) {
          diff.counts.changed += 1;
          keep(diff.changed, { ...ref(is), changes });
        } else diff.counts.unchanged += 1;
        const risk = STATUS_RISK[is.runtimeStatus];
        if (risk > STATUS_RISK[was.runtimeStatus]) {
          if (is.runtimeStatus === 'deprecated') diff.counts.newlyDeprecated += 1;
          else diff.counts.newlyDeprecatingSoon += 1;
          keep(diff.newlyAtRisk, {
            ...ref(is),
            previousRuntime: was.runtime,
            previousStatus: was.runtimeStatus,
            deprecationDate: is.deprecationDate,
            blockUpdateDate: is.blockUpdateDate,
          });
        }
        await Promise.all([old.advance(), now.advance()]);
      }
    }
  } finally {
    // an error leaves the other side's stream open: release it
    await Promise.allSettled([old.close(), now.close()]);
  }
  const coverage = diffCoverage(
    before,
    after ?? new CoverageIndex(await (run as LiveRunCoverage).coverage()),
  );
  diff.counts.stoppedScanning = coverage.stoppedScanning.length;
  diff.counts.startedScanning = coverage.startedScanning.length;
  diff.coverage = {
    stoppedScanning: coverage.stoppedScanning.slice(0, limit),
    startedScanning: coverage.startedScanning.slice(0, limit),
  };
  if (coverage.stoppedScanning.length > limit || coverage.startedScanning.length > limit)
    diff.truncated = true;
  return diff;
}

function diffCoverage(
  before: CoverageIndex,
  after: CoverageIndex,
): { stoppedScanning: CoverageChange[]; startedScanning: CoverageChange[] } {
  const stoppedScanning: CoverageChange[] = [];
  const startedScanning: CoverageChange[] = [];
  const keys = new Set([...before.targets.keys(), ...after.targets.keys()]);
  for (const key of [...keys].sort(compareText)) {
    const [accountId, region] = key.split('/') as [string, string];
    const was = before.entry(accountId, region);
    const is = after.entry(accountId, region);
    const wasOk = was?.status === 'ok';
    const isOk = is?.status === 'ok';
    if (wasOk === isOk) continue;
    // the entry that says why the target was not scanned, and the one that counted its functions
    const reason = wasOk ? is : was;
    const counted = wasOk ? was : is;
    (wasOk ? stoppedScanning : startedScanning).push({
      accountId,
      accountName: is?.accountName ?? was?.accountName ?? null,
      region,
      before: was?.status ?? 'not-planned',
      after: is?.status ?? 'not-planned',
      functionCount: counted?.functionCount ?? null,
      errorCode: reason?.errorCode ?? null,
      message: reason?.message ?? null,
    });
  }
  return { stoppedScanning, startedScanning };
}

/**
 * One line for logs, the CLI and notifications:
 * `+12 −3 ~40 functions, 5 newly deprecated since run-2026-11-01`, with the soon-deprecated and the
 * coverage changes added when there are any.
 */
export function formatDiffLine(diff: InventoryDiff): string {
  const { counts } = diff;
  let line = `+${counts.added} −${counts.removed} ~${counts.changed} functions, ${counts.newlyDeprecated} newly deprecated`;
  if (counts.newlyDeprecatingSoon > 0) line += `, ${counts.newlyDeprecatingSoon} newly deprecating soon`;
  line += ` since ${diff.previous.runId}`;
  const coverage: string[] = [];
  if (counts.stoppedScanning > 0) coverage.push(`${counts.stoppedScanning} no longer scanned`);
  if (counts.startedScanning > 0) coverage.push(`${counts.startedScanning} newly scanned`);
  if (coverage.length > 0) line += `; targets: ${coverage.join(', ')}`;
  return line;
}
