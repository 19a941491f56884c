/** The table of `runs` (pure: rows in, text out). An unknown figure shows as `-`, never as 0. */

export interface RunRow {
  name: string;
  status: string;
  startDate: string | null;
  durationMs: number | null;
  runId: string | null;
  functions: number | null;
  coveragePercent: number | null;
  /** Functions on a deprecated runtime. */
  deprecated: number | null;
}

const HEADER = ['execution', 'status', 'started', 'duration', 'functions', 'coverage', 'deprecated'];

export function renderRuns(rows: readonly RunRow[], formatDuration: (ms: number) => string): string {
  if (rows.length === 0) return 'no executions';
  const cells = rows.map((row) => [
    row.name,
    row.status,
    row.startDate?.replace(/\.\d+Z$/, 'Z') ?? '-',
    row.durationMs === null ? '-' : formatDuration(row.durationMs),
    row.functions === null ? '-' : String(row.functions),
    row.coveragePercent === null ? '-' : `${row.coveragePercent.toFixed(1)}%`,
    row.deprecated === null ? '-' : String(row.deprecated),
  ]);
  const widths = HEADER.map((title, i) =>
    Math.max(title.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  // numbers right-aligned, text left-aligned
  const line = (row: string[]) =>
    row
      .map((cell, i) => (i >= 3 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(HEADER), ...cells.map(line)].join('\n');
}
