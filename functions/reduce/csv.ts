/**
 * CSV for spreadsheets (RFC 4180: CRLF rows, quoted cells where needed). Cells that a spreadsheet
 * would run as a formula are defused, since function names, handlers and messages come from member
 * accounts the platform team does not control.
 */
import type { CoverageEntry, FunctionRecord } from '../../shared/contracts.ts';

export type CsvValue = string | number | boolean | null | readonly string[];

/** Lists share one cell, joined with `;` (a comma would look like a column break to a human reader). */
export const LIST_SEPARATOR = ';';

const EQUALS = 0x3d;
const PLUS = 0x2b;
const MINUS = 0x2d;
const AT = 0x40;
const TAB = 0x09;
const CR = 0x0d;

/**
 * A text cell. Cells a spreadsheet would run as a formula get a leading apostrophe (OWASP's
 * CSV-injection advice: the spreadsheet then shows the text as text); cells holding a quote, comma
 * or line break are quoted (RFC 4180). A character-code test and four native substring searches:
 * at a million rows of 24 cells, regular expressions per cell were a visible share of reduce.
 */
function csvText(value: string): string {
  if (value === '') return value;
  const first = value.charCodeAt(0);
  const text =
    first === EQUALS || first === PLUS || first === MINUS || first === AT || first === TAB || first === CR
      ? `'${value}`
      : value;
  return text.includes(',') || text.includes('"') || text.includes('\n') || text.includes('\r')
    ? `"${text.replaceAll('"', '""')}"`
    : text;
}

const optionalText = (value: string | null): string => (value === null ? '' : csvText(value));
const optionalNumber = (value: number | null): string => (value === null ? '' : String(value));
const list = (values: readonly string[]): string =>
  values.length === 0
    ? ''
    : csvText(values.length === 1 ? (values[0] as string) : values.join(LIST_SEPARATOR));

export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return csvText(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return list(value);
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

/**
 * One inventory row, cell by cell in INVENTORY_COLUMNS order (a test holds the two together). Built
 * as one array join: concatenating 24 cells makes a string of 48 pieces that costs three times as
 * much to write out. Cells whose contract allows no comma, quote or formula start (account id,
 * region, the enums, ISO dates, numbers) are written as they are.
 */
export function inventoryCsvRow(r: FunctionRecord): string {
  return `${[
    r.accountId,
    optionalText(r.accountName),
    r.region,
    csvText(r.functionName),
    csvText(r.functionArn),
    optionalText(r.runtime),
    r.runtimeStatus,
    r.deprecationDate ?? '',
    r.blockCreateDate ?? '',
    r.blockUpdateDate ?? '',
    r.packageType,
    list(r.architectures),
    optionalNumber(r.memorySize),
    optionalNumber(r.timeout),
    optionalNumber(r.ephemeralStorage),
    optionalNumber(r.codeSize),
    optionalText(r.handler),
    optionalText(r.lastModified),
    optionalText(r.role),
    list(r.layers),
    optionalText(r.tracingMode),
    optionalText(r.snapStart),
    list(r.environmentVariableNames),
    optionalText(r.version),
  ].join(',')}\r\n`;
}

export function coverageCsv(entries: readonly CoverageEntry[]): string {
  return (
    csvRow(COVERAGE_COLUMNS) + entries.map((entry) => csvRow(COVERAGE_COLUMNS.map((c) => entry[c]))).join('')
  );
}
