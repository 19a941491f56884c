/**
 * A report's coverage.csv read back (RFC 4180, as functions/reduce/csv.ts writes it), and the targets a
 * retry scans again. Pure: text in, rows out.
 */
import { COVERAGE_COLUMNS } from '../../functions/reduce/csv.ts';
import type { CoverageStatus } from '../../shared/contracts.ts';

export interface CoverageRow {
  accountId: string;
  accountName: string;
  /** Empty for an account skipped as a whole. */
  region: string;
  status: CoverageStatus | string;
  errorCode: string;
  message: string;
}

export class CoverageFileError extends Error {
  override name = 'CoverageFileError';
}

export function parseCoverageCsv(text: string): CoverageRow[] {
  const [header, ...rows] = csvRecords(text);
  const expected = COVERAGE_COLUMNS.join(',');
  if (header?.join(',') !== expected) {
    throw new CoverageFileError(`coverage.csv does not start with the header ${expected}`);
  }
  const at = (name: (typeof COVERAGE_COLUMNS)[number]) => COVERAGE_COLUMNS.indexOf(name);
  return rows.map((cells) => ({
    accountId: cells[at('accountId')] ?? '',
    // csv.ts guards cells a spreadsheet would run as formulas with a leading apostrophe
    accountName: (cells[at('accountName')] ?? '').replace(/^'(?=[=+\-@\t\r])/, ''),
    region: cells[at('region')] ?? '',
    status: cells[at('status')] ?? '',
    errorCode: cells[at('errorCode')] ?? '',
    message: cells[at('message')] ?? '',
  }));
}

/** RFC 4180 records: quoted cells with doubled quotes, CRLF (or LF) record ends. */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      record.push(cell);
      cell = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += char;
  }
  if (cell !== '' || record.length > 0) {
    record.push(cell);
    records.push(record);
  }
  return records;
}

/**
 * Statuses a retry scans again: failures that may pass next time (throttled, error, a failed batch),
 * and access-denied, which passes once the member role is rolled out. A region the account has not
 * enabled, or an account skipped as not ACTIVE, would give the same answer again.
 */
const RETRIED = new Set(['access-denied', 'throttled', 'error', 'not-scanned']);

export interface RetryPlan {
  /** The account x region pairs the run did not scan. */
  pairs: { accountId: string; region: string }[];
  accounts: string[];
  regions: string[];
  /**
   * Pairs the input scans although the run did: an execution input names accounts and regions, and
   * the plan scans every account in every region given, not a list of pairs.
   */
  extraPairs: number;
}

export function retryPlan(rows: readonly CoverageRow[]): RetryPlan {
  const pairs = rows
    .filter((row) => RETRIED.has(row.status) && row.region !== '')
    .map(({ accountId, region }) => ({ accountId, region }));
  const accounts = [...new Set(pairs.map((pair) => pair.accountId))];
  const regions = [...new Set(pairs.map((pair) => pair.region))];
  return { pairs, accounts, regions, extraPairs: accounts.length * regions.length - pairs.length };
}

/** The coverage.csv of a run's report (`reports/<date>/<runId>/coverage.csv`): the newest if the id ran on several days. */
export function coverageKeyOf(reportKeys: readonly string[], runId: string): string | undefined {
  return reportKeys
    .filter((key) => key.endsWith(`/${runId}/coverage.csv`))
    .sort()
    .at(-1);
}
