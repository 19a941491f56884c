/**
 * `diff [<fromRunId> <toRunId>]`: what changed between two runs (functions added, removed, changed,
 * newly deprecated; targets no longer or newly scanned). Default: the latest run against the one
 * started before it. Both inventories are streamed side by side: neither is held in memory.
 */
import { diffInventories, formatDiffLine, type InventoryDiff } from '../../functions/reduce/diff.ts';
import type { ObjectStore } from '../../functions/shared/object-store.ts';
import { RunId } from '../../shared/contracts.ts';
import * as z from '../../shared/zod.ts';
import { EXIT, type Io } from '../io.ts';
import { integer, one, parseOptions } from '../options.ts';
import {
  DEFAULT_REPORTS_DIR,
  listRuns,
  openInventory,
  openReportStore,
  pickRun,
  type RunEntry,
  readingReport,
  type StoreFlags,
} from '../report/runs.ts';
import { textTable } from '../report/table.ts';
import { UsageError } from '../usage-error.ts';

export interface DiffCommandOptions extends StoreFlags {
  /** Both or neither. */
  runs?: { from: string; to: string };
  /** Undefined: a table on a terminal, JSON into a pipe. */
  format?: 'table' | 'json';
  /** Entries per list at most. */
  limit?: number;
}

export const help = `Usage: lambda-inventory diff [<fromRunId> <toRunId>] [options]

Shows what changed between two runs: functions added, removed and changed, functions whose runtime
became deprecated or deprecating soon, and targets no longer (or newly) scanned. Functions of a target
scanned in one run only are not compared. Default: the latest run against the run started before it.

  --format <table|json>          default: table on a terminal, json otherwise
  --limit <n>                    entries per list at most (default 1000)
  --out <dir>                    the local report folder (default ${DEFAULT_REPORTS_DIR})
  --bucket <name>                an S3 bucket instead (your AWS credentials and endpoint settings)
  -h, --help                     show this help`;

export function parse(argv: readonly string[]): DiffCommandOptions {
  // the run ids come first, before any flag
  const positionals: string[] = [];
  while (positionals.length < argv.length && !(argv[positionals.length] as string).startsWith('-')) {
    positionals.push(argv[positionals.length] as string);
  }
  if (positionals.length !== 0 && positionals.length !== 2) {
    throw new UsageError('diff takes two run ids (<fromRunId> <toRunId>) or none');
  }
  const values = parseOptions(argv.slice(positionals.length), {
    format: { type: 'string' },
    limit: { type: 'string' },
    out: { type: 'string' },
    bucket: { type: 'string' },
  });
  if (values.out !== undefined && values.bucket !== undefined) {
    throw new UsageError('--out and --bucket cannot be used together: reports are read from one place');
  }
  const [from, to] = positionals.map((runId, i) => one(runId, i === 0 ? '<fromRunId>' : '<toRunId>', RunId));
  return {
    runs: from !== undefined && to !== undefined ? { from, to } : undefined,
    format: one(values.format, '--format', z.enum(['table', 'json'])) as 'table' | 'json' | undefined,
    limit: integer(values.limit, '--limit', 1, 1_000_000),
    out: values.out ?? DEFAULT_REPORTS_DIR,
    bucket: values.bucket,
  };
}

export async function execute(options: DiffCommandOptions, io: Io): Promise<number> {
  const store = openReportStore(options);
  const runs = await listRuns(store);
  const [from, to] = options.runs
    ? [await pickRun(store, runs, options.runs.from), await pickRun(store, runs, options.runs.to)]
    : await latestPair(store, runs);
  const diff = await diffRuns(store, from, to, options.limit);
  const format = options.format ?? (io.stdout.isTTY ? 'table' : 'json');
  io.stdout.write(format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : `${diffTable(diff)}\n`);
  return EXIT.ok;
}

/** The latest run and the run started before it. */
async function latestPair(store: ObjectStore, runs: readonly RunEntry[]): Promise<[RunEntry, RunEntry]> {
  const to = await pickRun(store, runs, undefined);
  const before = runs.filter(
    (run) => run !== to && run.summary.startedAt.localeCompare(to.summary.startedAt) < 0,
  );
  const from = before.at(-1);
  if (!from) throw new UsageError(`no run before ${to.runId} in ${store.location}: nothing to compare with`);
  return [from, to];
}

async function diffRuns(
  store: ObjectStore,
  from: RunEntry,
  to: RunEntry,
  limit: number | undefined,
): Promise<InventoryDiff> {
  // inventory.json keeps the coverage after the functions, and the diff needs it first: one pass for it
  const coverageOf = async (run: RunEntry) => {
    const reader = await openInventory(store, run, { parse: false });
    for await (const _ of reader.functions()) {
      // passed over
    }
    return reader.document();
  };
  return readingReport(store, `comparing ${from.runId} with ${to.runId}`, async () => {
    const [previous, current] = [await coverageOf(from), await coverageOf(to)];
    const [oldReader, newReader] = [await openInventory(store, from), await openInventory(store, to)];
    return diffInventories(oldReader.rows(), newReader.rows(), {
      previous: { runId: from.runId, startedAt: previous.startedAt, coverage: previous.coverage },
      current: { runId: to.runId, startedAt: current.startedAt, coverage: current.coverage },
      limit,
    });
  });
}

function diffTable(diff: InventoryDiff): string {
  const rows: (string | null)[][] = [
    ...diff.added.map((f) => ['added', f.accountId, f.region, f.functionName, f.runtime ?? 'image']),
    ...diff.removed.map((f) => ['removed', f.accountId, f.region, f.functionName, f.runtime ?? 'image']),
    ...diff.changed.map((f) => [
      'changed',
      f.accountId,
      f.region,
      f.functionName,
      f.changes.map((change) => change.field).join(', '),
    ]),
    ...diff.newlyAtRisk.map((f) => [
      f.runtimeStatus,
      f.accountId,
      f.region,
      f.functionName,
      `${f.previousRuntime ?? 'image'} -> ${f.runtime ?? 'image'}`,
    ]),
    ...[...diff.coverage.stoppedScanning, ...diff.coverage.startedScanning].map((t) => [
      `target ${t.before} -> ${t.after}`,
      t.accountId,
      t.region,
      null,
      t.errorCode,
    ]),
  ];
  const lines = [`${diff.previous.runId} -> ${diff.current.runId}: ${formatDiffLine(diff)}`];
  if (rows.length > 0) lines.push('', textTable(['CHANGE', 'ACCOUNT', 'REGION', 'FUNCTION', 'DETAIL'], rows));
  if (diff.truncated)
    lines.push('', `(lists cut at ${diff.limit} entries each: use --limit or --format json)`);
  return lines.join('\n');
}
