/**
 * Finding a run's report in the store the user points at (a local folder or an S3 bucket) and reading
 * it. Everything that can go wrong here is about what the user asked for (no such folder, bucket or
 * run, a report that cannot be read), so it becomes a UsageError: one line, exit 2.
 */
import { existsSync, statSync } from 'node:fs';
import pLimit from 'p-limit';
import { InventoryReader } from '../../functions/reduce/read-inventory.ts';
import { getJson, type ObjectStore } from '../../functions/shared/object-store.ts';
import { localStore } from '../../local/stores.ts';
import { LatestPointer, Summary } from '../../shared/contracts.ts';
import { ObjectNotFoundError, ObjectStoreError, RunDataError } from '../../shared/errors.ts';
import { keys, REPORT_FILES } from '../../shared/keys.ts';
import { UsageError } from '../usage-error.ts';

export const DEFAULT_REPORTS_DIR = './inventory-data';

const SUMMARY_READS_AT_ONCE = 16;

/** Where the reports are: `--out <dir>` or `--bucket <name>`. */
export interface StoreFlags {
  out: string;
  bucket?: string;
}

export function openReportStore(flags: StoreFlags): ObjectStore {
  if (flags.bucket !== undefined) return localStore({ bucket: flags.bucket });
  if (!existsSync(flags.out) || !statSync(flags.out).isDirectory()) {
    throw new UsageError(`no report folder at ${flags.out} (give --out <dir> or --bucket <name>)`);
  }
  return localStore({ folder: flags.out });
}

/** One report found under reports/: its summary and the names of its files. */
export interface RunEntry {
  runId: string;
  date: string;
  /** `reports/<date>/<runId>/` */
  prefix: string;
  summary: Summary;
  files: ReadonlySet<string>;
}

const SUMMARY_KEY = new RegExp(`^reports/(\\d{4}-\\d{2}-\\d{2})/([^/]+)/${REPORT_FILES.summaryJson.name}$`);

/**
 * Every report of the store, oldest first by start time. One LIST of reports/ and one small GET per
 * run (summary.json): the inventories are never read to list the runs.
 */
export async function listRuns(store: ObjectStore): Promise<RunEntry[]> {
  const allKeys = await storeCall(store, 'listing reports/', () => store.list('reports/'));
  const filesByPrefix = new Map<string, Set<string>>();
  for (const key of allKeys) {
    const slash = key.lastIndexOf('/');
    const prefix = key.slice(0, slash + 1);
    const files = filesByPrefix.get(prefix) ?? new Set<string>();
    files.add(key.slice(slash + 1));
    filesByPrefix.set(prefix, files);
  }
  const summaryKeys = allKeys.flatMap((key) => {
    const match = SUMMARY_KEY.exec(key);
    return match ? [{ key, date: match[1] ?? '', runId: match[2] ?? '' }] : [];
  });
  // a year of nightly runs is 365 small GETs: a few at a time, not one after another
  const limit = pLimit(SUMMARY_READS_AT_ONCE);
  const runs = await Promise.all(
    summaryKeys.map(({ key, date, runId }) =>
      limit(async (): Promise<RunEntry> => {
        const prefix = keys.reportPrefix(date, runId);
        const raw = await storeCall(store, `reading ${key}`, () => getJson(store, key));
        const parsed = Summary.safeParse(raw);
        if (!parsed.success) throw new UsageError(`${store.location}/${key} is not a run summary`);
        return { runId, date, prefix, summary: parsed.data, files: filesByPrefix.get(prefix) ?? new Set() };
      }),
    ),
  );
  return runs.sort(
    (a, b) => a.summary.startedAt.localeCompare(b.summary.startedAt) || a.runId.localeCompare(b.runId),
  );
}

/** The run `latest.json` points at, or null when the store has no complete run yet. */
export async function latestRunId(store: ObjectStore): Promise<string | null> {
  try {
    const raw = await storeCall(store, `reading ${keys.latest}`, () => getJson(store, keys.latest));
    const parsed = LatestPointer.safeParse(raw);
    if (!parsed.success) throw new UsageError(`${store.location}/${keys.latest} is not a report pointer`);
    return parsed.data.runId;
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return null;
    throw error;
  }
}

/** `runId`, or the latest run, among `runs`; a UsageError naming what is missing. */
export async function pickRun(
  store: ObjectStore,
  runs: readonly RunEntry[],
  runId: string | undefined,
): Promise<RunEntry> {
  const wanted = runId ?? (await latestRunId(store)) ?? runs.at(-1)?.runId;
  if (wanted === undefined) throw new UsageError(`no reports in ${store.location}`);
  // a run id given again writes a new report: the newest one of that id
  const run = runs.findLast((candidate) => candidate.runId === wanted);
  if (!run) throw new UsageError(`no report of run ${wanted} in ${store.location}`);
  return run;
}

/** The key of one of a run's files, compressed or not, or null when the run has neither. */
export function runFileKey(run: RunEntry, name: string): string | null {
  if (run.files.has(name)) return `${run.prefix}${name}`;
  if (run.files.has(`${name}.gz`)) return `${run.prefix}${name}.gz`;
  return null;
}

/**
 * A reader of the run's inventory.json (plain or gzip): functions one by one, then its coverage.
 * `parse: false` passes over the functions, for the fields after them.
 */
export async function openInventory(
  store: ObjectStore,
  run: RunEntry,
  { parse = true }: { parse?: boolean } = {},
): Promise<InventoryReader> {
  const key = runFileKey(run, REPORT_FILES.inventoryJson.name);
  if (key === null)
    throw new UsageError(`run ${run.runId} has no inventory in ${store.location}/${run.prefix}`);
  const stream = await storeCall(store, `reading ${key}`, () => store.getStream(key));
  return new InventoryReader(stream, `${store.location}/${key}`, { parse });
}

/** Reads a whole (small) text file of a run. */
export async function readRunText(store: ObjectStore, key: string): Promise<string> {
  return new TextDecoder().decode(await storeCall(store, `reading ${key}`, () => store.get(key)));
}

/**
 * The store's own failures in the CLI's words: a missing bucket, no access or a damaged report is
 * the user's input (exit 2), told in one line.
 */
export async function storeCall<T>(store: ObjectStore, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ObjectNotFoundError) throw error;
    if (error instanceof ObjectStoreError || error instanceof RunDataError) {
      throw new UsageError(`${store.location}: ${what}: ${firstLine(error.message)}`);
    }
    const { name, message } = error as Error;
    throw new UsageError(`${store.location}: ${what}: ${name}: ${firstLine(message)}`);
  }
}

/** Runs an inventory read, turning a damaged report into a UsageError. */
export async function readingReport<T>(store: ObjectStore, what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RunDataError) throw new UsageError(`unreadable report: ${firstLine(error.message)}`);
    if (error instanceof ObjectStoreError)
      throw new UsageError(`${store.location}: ${what}: ${firstLine(error.message)}`);
    throw error;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
