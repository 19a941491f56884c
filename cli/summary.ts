/** The end-of-run summary table, rendered as plain text (pure: data in, string out). */
import type { SkippedAccount, Summary, TargetResult } from '../shared/contracts.ts';
import { coveragePercent } from '../shared/signals.ts';

export interface SummaryView {
  summary: Summary;
  /** Targets that were not scanned completely, as the workers reported them. */
  problems: TargetResult[];
  skipped: SkippedAccount[];
  reportLocation: string;
  durationMs: number;
  minCoverage: number;
  /** The change since the previous complete run, when there was one (reduce's `changes.line`). */
  changesLine?: string | undefined;
  /** What the same run would cost deployed (cli/report/cost-line.ts), when it planned any target. */
  costLine?: string | null | undefined;
}

const STATUS_ORDER = ['supported', 'deprecating-soon', 'deprecated', 'unknown', 'image'];
const MAX_PROBLEMS_SHOWN = 10;

export function renderSummary(view: SummaryView): string {
  const { summary } = view;
  const lines: string[] = [];
  lines.push(
    `Run ${summary.runId}: ${summary.functionCount} functions in ${formatDuration(view.durationMs)}`,
  );
  lines.push('');
  lines.push('Functions by runtime status');
  lines.push(...table(STATUS_ORDER.map((status) => [status, String(summary.byRuntimeStatus[status] ?? 0)])));

  if (summary.deprecated.length > 0) {
    lines.push('');
    lines.push('Deprecated and soon-deprecated runtimes');
    lines.push(
      ...table([
        ['runtime', 'status', 'deprecation', 'functions'],
        ...summary.deprecated.map((entry) => [
          entry.runtime,
          entry.runtimeStatus,
          entry.deprecationDate ?? '-',
          String(entry.functionCount),
        ]),
      ]),
    );
  }

  const percent = coveragePercent(summary.coverage);
  lines.push('');
  lines.push(
    `Coverage: ${percent.toFixed(1)}% of ${summary.coverage.targets} targets (account x region)` +
      `${percent < view.minCoverage ? `, BELOW the required ${view.minCoverage}%` : ''}`,
  );
  lines.push(
    ...table(
      Object.entries(summary.coverage.byStatus)
        .filter(([, count]) => count > 0)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, count]) => [status, String(count)]),
    ),
  );
  for (const account of view.skipped) {
    lines.push(
      `  skipped account ${account.accountId}${account.accountName ? ` (${account.accountName})` : ''}: ${account.reason}`,
    );
  }
  // a region the account has not enabled is counted above, but it is not a gap worth listing
  const problems = view.problems.filter(
    (result) => result.status !== 'ok' && result.status !== 'region-not-enabled',
  );
  for (const result of problems.slice(0, MAX_PROBLEMS_SHOWN)) {
    lines.push(
      `  ${result.status.padEnd(18)} ${result.accountId} ${result.region}${result.errorCode ? ` ${result.errorCode}` : ''}`,
    );
  }
  if (problems.length > MAX_PROBLEMS_SHOWN) {
    lines.push(`  ... and ${problems.length - MAX_PROBLEMS_SHOWN} more (see coverage.csv)`);
  }
  lines.push('');
  if (view.changesLine) lines.push(view.changesLine);
  if (view.costLine) lines.push(view.costLine);
  lines.push(`Report: ${view.reportLocation}`);
  return lines.join('\n');
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map(
    (row) =>
      `  ${row
        .map((cell, i) =>
          i === row.length - 1 && /^\d+$/.test(cell)
            ? cell.padStart(widths[i] ?? 0)
            : cell.padEnd(widths[i] ?? 0),
        )
        .join('  ')
        .trimEnd()}`,
  );
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}
