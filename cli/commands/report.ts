/**
 * `report`: show a run's inventory from the local folder or the S3 bucket: the latest run or
 * `--run <id>`, filtered; `--list` of the runs; `--gaps`, the accounts whose member role is missing.
 */
import { csvRow, INVENTORY_COLUMNS, inventoryCsvRow } from '../../functions/reduce/csv.ts';
import { findRoleGaps, GAPS_COLUMNS, gapsCsv, stackSetCommand } from '../../functions/reduce/gaps.ts';
import { HighlightsCollector, renderHtmlReport } from '../../functions/reduce/html-report.ts';
import type { ObjectStore } from '../../functions/shared/object-store.ts';
import { AccountId, type FunctionRecord, Region, RunId, RuntimeStatus } from '../../shared/contracts.ts';
import { REPORT_FILES } from '../../shared/keys.ts';
import { coveragePercent } from '../../shared/signals.ts';
import * as z from '../../shared/zod.ts';
import { EXIT, type Io } from '../io.ts';
import { list, one, parseOptions } from '../options.ts';
import { isFiltered, matches, type ReportFilter } from '../report/filter.ts';
import {
  DEFAULT_REPORTS_DIR,
  listRuns,
  openInventory,
  openReportStore,
  pickRun,
  type RunEntry,
  readingReport,
  readRunText,
  runFileKey,
  type StoreFlags,
} from '../report/runs.ts';
import { textTable } from '../report/table.ts';
import { UsageError } from '../usage-error.ts';

export const FORMATS = ['table', 'json', 'csv', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export interface ReportOptions extends StoreFlags {
  view: 'functions' | 'list' | 'gaps';
  runId?: string;
  filter: ReportFilter;
  /** Undefined: a table on a terminal, JSON into a pipe. */
  format?: Format;
}

export const help = `Usage: lambda-inventory report [options]

Shows a run's inventory: the latest run by default.

Which report:
  --run <runId>                  a run other than the latest
  --list                         every run: date, functions, coverage, deprecated functions
  --gaps                         accounts whose member role is missing or refuses the worker, and the
                                 StackSets command that rolls the role out to exactly those

Filters (comma-separated or repeated; rows must match every filter given):
  --runtime-status <statuses>    supported, deprecating-soon, deprecated, unknown, image
  --runtime <runtimes>           nodejs20.x, python3.12 ... (image: container images)
  --account <ids>                account ids
  --region <codes>               regions

Output:
  --format <table|json|csv|html> default: table on a terminal, json otherwise; json and csv hold exactly
                                 the rows shown; html is the run's whole page (no filters)
  --out <dir>                    the local report folder (default ${DEFAULT_REPORTS_DIR})
  --bucket <name>                an S3 bucket instead (your AWS credentials and endpoint settings)
  -h, --help                     show this help`;

export function parse(argv: readonly string[]): ReportOptions {
  const values = parseOptions(argv, {
    run: { type: 'string' },
    list: { type: 'boolean' },
    gaps: { type: 'boolean' },
    'runtime-status': { type: 'string', multiple: true },
    runtime: { type: 'string', multiple: true },
    account: { type: 'string', multiple: true },
    region: { type: 'string', multiple: true },
    format: { type: 'string' },
    out: { type: 'string' },
    bucket: { type: 'string' },
  });
  if (values.out !== undefined && values.bucket !== undefined) {
    throw new UsageError('--out and --bucket cannot be used together: reports are read from one place');
  }
  const filter: ReportFilter = {
    runtimeStatus: list(values['runtime-status'], '--runtime-status', RuntimeStatus) as
      | RuntimeStatus[]
      | undefined,
    runtime: list(values.runtime, '--runtime', RuntimeName),
    account: list(values.account, '--account', AccountId),
    region: list(values.region, '--region', Region),
  };
  const format = one(values.format, '--format', z.enum(FORMATS)) as Format | undefined;
  if (values.list && values.gaps) throw new UsageError('--list and --gaps cannot be used together');
  const view = values.list ? 'list' : values.gaps ? 'gaps' : 'functions';
  if (view !== 'functions' && isFiltered(filter)) {
    throw new UsageError(`--${view} takes no filters (--runtime-status, --runtime, --account, --region)`);
  }
  if (view === 'list' && values.run !== undefined)
    throw new UsageError('--list and --run cannot be used together');
  if (format === 'html' && (view !== 'functions' || isFiltered(filter))) {
    throw new UsageError('--format html shows a whole run: use it without --list, --gaps and filters');
  }
  if (format === 'csv' && view === 'list') throw new UsageError('--format csv: --list is table or json');
  return {
    view,
    runId: one(values.run, '--run', RunId),
    filter,
    format,
    out: values.out ?? DEFAULT_REPORTS_DIR,
    bucket: values.bucket,
  };
}

const RuntimeName = z
  .string()
  .check(z.regex(/^[a-z][a-z0-9.]*$/, 'is not a runtime name such as nodejs20.x'));

export async function execute(options: ReportOptions, io: Io): Promise<number> {
  const store = openReportStore(options);
  const format = options.format ?? (io.stdout.isTTY ? 'table' : 'json');
  const runs = await listRuns(store);
  if (options.view === 'list') {
    writeRunList(runs, format, io, store.location);
    return EXIT.ok;
  }
  const run = await pickRun(store, runs, options.runId);
  if (options.view === 'gaps') await writeGaps(store, run, format, io);
  else if (format === 'html') io.stdout.write(await htmlPage(store, run));
  else await writeFunctions(store, run, options.filter, format, io);
  return EXIT.ok;
}

function writeRunList(runs: readonly RunEntry[], format: Format, io: Io, location: string): void {
  const rows = runs.map(({ runId, date, summary }) => ({
    runId,
    date,
    startedAt: summary.startedAt,
    functions: summary.functionCount,
    coveragePercent: Number(coveragePercent(summary.coverage).toFixed(1)),
    deprecated: summary.byRuntimeStatus.deprecated ?? 0,
    deprecatingSoon: summary.byRuntimeStatus['deprecating-soon'] ?? 0,
  }));
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    io.stdout.write(`no reports in ${location}\n`);
    return;
  }
  io.stdout.write(
    `${textTable(
      ['DATE', 'RUN', 'FUNCTIONS', 'COVERAGE %', 'DEPRECATED', 'DEPRECATING SOON'],
      rows.map((row) => [
        row.date,
        row.runId,
        row.functions,
        row.coveragePercent,
        row.deprecated,
        row.deprecatingSoon,
      ]),
    )}\n`,
  );
}

async function writeFunctions(
  store: ObjectStore,
  run: RunEntry,
  filter: ReportFilter,
  format: Exclude<Format, 'html'>,
  io: Io,
): Promise<void> {
  const reader = await openInventory(store, run);
  const rows: FunctionRecord[] = [];
  let shown = 0;
  await readingReport(store, `reading run ${run.runId}`, async () => {
    if (format === 'csv') io.stdout.write(csvRow(INVENTORY_COLUMNS));
    if (format === 'json') io.stdout.write('[');
    for await (const record of reader.functions()) {
      if (!matches(filter, record)) continue;
      // json and csv stream row by row: a large inventory never sits in memory
      if (format === 'csv') io.stdout.write(inventoryCsvRow(record));
      else if (format === 'json') io.stdout.write(`${shown === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`);
      else rows.push(record);
      shown += 1;
    }
    if (format === 'json') io.stdout.write(shown === 0 ? ']\n' : '\n]\n');
  });
  if (format !== 'table') return;
  io.stdout.write(
    `${textTable(
      ['ACCOUNT', 'REGION', 'FUNCTION', 'RUNTIME', 'STATUS', 'DEPRECATED ON', 'BLOCK UPDATE'],
      rows.map((r) => [
        r.accountId,
        r.region,
        r.functionName,
        r.runtime ?? 'image',
        r.runtimeStatus,
        r.deprecationDate,
        r.blockUpdateDate,
      ]),
    )}\n\n${shown} of ${run.summary.functionCount} functions, run ${run.runId} (${run.summary.startedAt})\n`,
  );
}

async function writeGaps(store: ObjectStore, run: RunEntry, format: Format, io: Io): Promise<void> {
  const reader = await openInventory(store, run);
  const document = await readingReport(store, `reading run ${run.runId}`, async () => {
    for await (const _ of reader.functions()) {
      // only the coverage after the functions is needed
    }
    return reader.document();
  });
  const gaps = findRoleGaps(document.coverage);
  const command = stackSetCommand(gaps);
  if (format === 'csv') io.stdout.write(gapsCsv(gaps));
  else if (format === 'json')
    io.stdout.write(`${JSON.stringify({ runId: run.runId, gaps, command }, null, 2)}\n`);
  else if (gaps.length === 0) io.stdout.write(`no role gaps in run ${run.runId}\n`);
  else {
    io.stdout.write(
      `${textTable(
        [...GAPS_COLUMNS],
        gaps.map((gap) => GAPS_COLUMNS.map((column) => gap[column])),
      )}\n\n${gaps.length} accounts without a working member role in run ${run.runId}; roll it out with:\n${command}\n`,
    );
  }
}

/** The run's report.html, or (for runs older than it) the page rendered from the inventory. */
async function htmlPage(store: ObjectStore, run: RunEntry): Promise<string> {
  const stored = runFileKey(run, 'report.html');
  if (stored !== null) return readRunText(store, stored);
  const reader = await openInventory(store, run);
  const highlights = new HighlightsCollector();
  const document = await readingReport(store, `reading run ${run.runId}`, async () => {
    for await (const record of reader.functions()) highlights.add(record);
    return reader.document();
  });
  const inventoryCsv = runFileKey(run, REPORT_FILES.inventoryCsv.name);
  return renderHtmlReport({
    summary: run.summary,
    coverage: document.coverage,
    highlights: highlights.result(),
    files: inventoryCsv ? { inventoryCsv: inventoryCsv.slice(run.prefix.length) } : {},
  });
}
