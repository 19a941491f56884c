/**
 * Following an execution: its Map Run's item counts (ListMapRuns + DescribeMapRun) as a redrawn line
 * on a TTY or a plain line per change otherwise, and, once it has ended, the same summary table as a
 * local run, read from the report its output names. Exit codes as `run`: 0, or 1 for a run that did
 * not succeed or is below --min-coverage.
 */
import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { getJson, getText, type ObjectStore } from '../../functions/shared/object-store.ts';
import {
  ReduceOutput,
  type SkippedAccount,
  Summary,
  type TargetResult,
  TargetStatus,
} from '../../shared/contracts.ts';
import { coveragePercent } from '../../shared/signals.ts';
import { EXIT, type Io } from '../io.ts';
import { integer, type OptionSpec, type OptionValues } from '../options.ts';
import { renderSummary } from '../summary.ts';
import { request } from './connection.ts';
import { parseCoverageCsv } from './coverage-file.ts';

export interface ItemCounts {
  succeeded: number;
  failed: number;
  pending: number;
  running: number;
  total: number;
}

/** The Map Run's item counts (targets), or undefined before the Map has started. */
export async function mapRunItems(sfn: SFNClient, executionArn: string): Promise<ItemCounts | undefined> {
  const { mapRuns = [] } = await sfn.send(new ListMapRunsCommand({ executionArn }));
  const listed = mapRuns[0];
  if (!listed?.mapRunArn) return undefined;
  const { itemCounts } = await sfn.send(new DescribeMapRunCommand({ mapRunArn: listed.mapRunArn }));
  return {
    succeeded: itemCounts?.succeeded ?? 0,
    failed: (itemCounts?.failed ?? 0) + (itemCounts?.timedOut ?? 0) + (itemCounts?.aborted ?? 0),
    pending: itemCounts?.pending ?? 0,
    running: itemCounts?.running ?? 0,
    total: itemCounts?.total ?? 0,
  };
}

export function progressLine(name: string, status: string, items: ItemCounts | undefined): string {
  const counts = items
    ? `${items.succeeded + items.failed}/${items.total} targets: ${items.succeeded} succeeded, ${items.failed} failed, ${items.pending + items.running} pending`
    : 'planning';
  return `${name} ${status}: ${counts}`;
}

/** Percentage of targets that must be covered for exit code 0, as `run`. */
export const DEFAULT_MIN_COVERAGE = 90;
export const DEFAULT_POLL_MS = 2_000;

export const WATCH_FLAGS = {
  'min-coverage': { type: 'string' },
  'poll-interval': { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies Record<string, OptionSpec>;

export const WATCH_HELP = `Output:
  --min-coverage <pct>           exit 1 when fewer targets are covered (default ${DEFAULT_MIN_COVERAGE})
  --poll-interval <ms>           how often to look at the execution (default ${DEFAULT_POLL_MS})
  --json                         print the run's summary as JSON instead of a table`;

export function parseWatch(values: OptionValues<typeof WATCH_FLAGS>, wait: boolean): WatchOptions {
  return {
    wait,
    minCoverage: integer(values['min-coverage'], '--min-coverage', 0, 100) ?? DEFAULT_MIN_COVERAGE,
    pollMs: integer(values['poll-interval'], '--poll-interval', 10, 600_000) ?? DEFAULT_POLL_MS,
    json: values.json ?? false,
  };
}

export interface WatchOptions {
  pollMs: number;
  /** Follow the execution until it ends (else one look). */
  wait: boolean;
  minCoverage: number;
  json: boolean;
}

export async function watchExecution(
  sfn: SFNClient,
  store: ObjectStore,
  executionArn: string,
  options: WatchOptions,
  io: Io,
): Promise<number> {
  const tty = io.stdout.isTTY === true && !options.json;
  let last = '';
  let execution: DescribeExecutionOutput;
  for (;;) {
    execution = await request('status', sfn.send(new DescribeExecutionCommand({ executionArn })));
    const running = execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE';
    if (!running) break;
    const line = progressLine(
      execution.name ?? executionArn,
      execution.status ?? '',
      await mapRunItems(sfn, executionArn),
    );
    if (line !== last && !options.json) io.stdout.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    last = line;
    if (!options.wait) {
      if (tty) io.stdout.write('\n');
      if (options.json)
        io.stdout.write(`${JSON.stringify({ name: execution.name, status: execution.status })}\n`);
      return EXIT.ok;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
  if (tty && last !== '') io.stdout.write('\r\x1b[K');
  return finished(execution, store, options, io);
}

async function finished(
  execution: DescribeExecutionOutput,
  store: ObjectStore,
  options: WatchOptions,
  io: Io,
): Promise<number> {
  const name = execution.name ?? execution.executionArn ?? '';
  if (execution.status !== 'SUCCEEDED') {
    const why = [execution.error, firstLine(execution.cause)].filter(Boolean).join(': ');
    io.stderr.write(`lambda-inventory: execution ${name} ${execution.status}${why ? `: ${why}` : ''}\n`);
    return EXIT.failed;
  }
  const output = ReduceOutput.parse((JSON.parse(execution.output ?? '{}') as { report?: unknown }).report);
  const summary = Summary.parse(await getJson(store, output.keys.summaryJson));
  const percent = coveragePercent(summary.coverage);
  const durationMs =
    (execution.stopDate?.getTime() ?? Date.now()) - (execution.startDate?.getTime() ?? Date.now());
  if (options.json) {
    io.stdout.write(
      `${JSON.stringify({ execution: name, ...output, coveragePercent: percent, summary }, null, 2)}\n`,
    );
  } else {
    const { problems, skipped } = await coverageProblems(store, output.keys.coverageCsv);
    io.stdout.write(
      `${renderSummary({
        summary,
        problems,
        skipped,
        reportLocation: `${store.location}/${output.keys.prefix}`,
        durationMs,
        minCoverage: options.minCoverage,
      })}\n`,
    );
  }
  if (percent >= options.minCoverage) return EXIT.ok;
  io.stderr.write(
    `lambda-inventory: coverage ${percent.toFixed(1)}% is below --min-coverage ${options.minCoverage}% (see ${store.location}/${output.keys.coverageCsv})\n`,
  );
  return EXIT.failed;
}

/** The gaps the summary table lists, from the report's coverage.csv (the local run has them from its workers). */
async function coverageProblems(
  store: ObjectStore,
  key: string,
): Promise<{ problems: TargetResult[]; skipped: SkippedAccount[] }> {
  const rows = parseCoverageCsv(await getText(store, key));
  const problems: TargetResult[] = [];
  const skipped: SkippedAccount[] = [];
  for (const row of rows) {
    if (row.status === 'account-skipped') {
      skipped.push({
        accountId: row.accountId,
        reason: row.message || row.errorCode || 'skipped',
        ...(row.accountName ? { accountName: row.accountName } : {}),
      });
      continue;
    }
    const status = TargetStatus.safeParse(row.status);
    if (!status.success || status.data === 'ok') continue;
    problems.push({
      accountId: row.accountId,
      region: row.region,
      status: status.data,
      functionCount: 0,
      pages: 0,
      durationMs: 0,
      scannedAt: new Date(0).toISOString(),
      ...(row.errorCode ? { errorCode: row.errorCode } : {}),
    });
  }
  return { problems, skipped };
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0] ?? '';
}
