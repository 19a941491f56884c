/**
 * CSV for spreadsheets (RFC 4180: CRLF rows, quoted cells where needed). Cells that a spreadsheet
 * would run as a formula are defused, since function names, handlers and messages come from member
 * accounts the platform team does not control.
 */
import type { CoverageEntry, FunctionRecord } from '../../shared/contracts.ts';

export type CsvValue = string | number | boolean | null | readonly string[];

/** Lists share one cell, joined with `;` (a comma would look like a column break to a human reader). */
export const LIST_SEPARATOR = ';';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'string' ? value : value.join(LIST_SEPARATOR);
  // OWASP's CSV-injection advice: a leading apostrophe makes the spreadsheet show the text as text
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** Column order of inventory.csv: stable, so saved spreadsheet formulas and scripts keep working. */
export const INVENTORY_COLUMNS = [
  'accountId',
  'accountName',
  'region',
  'functionName',
  'functionArn',
  'runtime',
  'runtimeStatus',
  'deprecationDate',
  'blockCreateDate',
  'blockUpdateDate',
  'packageType',
  'architectures',
  'memorySize',
  'timeout',
  'ephemeralStorage',
  'codeSize',
  'handler',
  'lastModified',
  'role',
  'layers',
  'tracingMode',
  'snapStart',
  'environmentVariableNames',
  'version',
] as const satisfies readonly (keyof FunctionRecord)[];

export const COVERAGE_COLUMNS = [
  'accountId',
  'accountName',
  'region',
  'status',
  'functionCount',
  'pages',
  'durationMs',
  'errorCode',
  'message',
] as const satisfies readonly (keyof CoverageEntry)[];

export const inventoryCsvHeader = (): string => csvRow(INVENTORY_COLUMNS);

export const inventoryCsvRow = (record: FunctionRecord): string =>
  csvRow(INVENTORY_COLUMNS.map((column) => record[column]));

export function coverageCsv(entries: readonly CoverageEntry[]): string {
  return (
    csvRow(COVERAGE_COLUMNS) + entries.map((entry) => csvRow(COVERAGE_COLUMNS.map((c) => entry[c]))).join('')
  );
}
