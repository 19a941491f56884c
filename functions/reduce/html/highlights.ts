/**
 * What the HTML report needs from the inventory rows beyond summary.json, counted as the rows stream
 * past once: the at-risk functions (deprecated or deprecating soon) for the page's table, at-risk
 * counts per account, when functions reach their runtime's deprecation and blocks, and each runtime's
 * status. Memory stays bounded: the at-risk rows kept are capped (the most urgent win), the rest are
 * counts per account, per month and per runtime.
 */
import type { FunctionRecord, RuntimeStatus } from '../../../shared/contracts.ts';
import { compareText } from '../../shared/compare.ts';

/**
 * At-risk rows the page carries at most. About 50 bytes each in the page: 20,000 rows are about 1 MB,
 * which leaves room in the 3 MB budget for the coverage grid of 1,000 accounts x 20 regions. The full
 * list is inventory.csv's rows with runtimeStatus deprecated or deprecating-soon.
 */
export const AT_RISK_ROW_LIMIT = 20_000;

export type AtRiskStatus = Extract<RuntimeStatus, 'deprecated' | 'deprecating-soon'>;

export interface AtRiskRow {
  accountId: string;
  accountName: string | null;
  region: string;
  functionName: string;
  runtime: string;
  runtimeStatus: AtRiskStatus;
  deprecationDate: string | null;
  blockCreateDate: string | null;
  blockUpdateDate: string | null;
  /** The day only (`yyyy-mm-dd`) of Lambda's LastModified. */
  lastModified: string | null;
}

export interface AccountRisk {
  accountId: string;
  accountName: string | null;
  deprecated: number;
  deprecatingSoon: number;
}

/** Functions whose runtime reaches a lifecycle date in a month (`yyyy-mm`). */
export interface LifecycleMonth {
  month: string;
  deprecation: number;
  blockCreate: number;
  blockUpdate: number;
}

export interface Highlights {
  atRisk: {
    /** Every at-risk function of the run. */
    total: number;
    /** The most urgent `limit` of them, most urgent first. */
    rows: AtRiskRow[];
    limit: number;
  };
  /** Accounts with at-risk functions, most deprecated first. */
  accounts: AccountRisk[];
  /** Months with any lifecycle date, in order. */
  lifecycle: LifecycleMonth[];
  /** Each runtime's status in this run (for colouring). */
  runtimeStatus: Record<string, RuntimeStatus>;
}

const isAtRisk = (status: RuntimeStatus): status is AtRiskStatus =>
  status === 'deprecated' || status === 'deprecating-soon';

/** Most urgent first: deprecated, then the earliest block of updates, then the earliest deprecation. */
export function compareUrgency(a: AtRiskRow, b: AtRiskRow): number {
  return (
    compareText(a.runtimeStatus === 'deprecated' ? '0' : '1', b.runtimeStatus === 'deprecated' ? '0' : '1') ||
    compareText(a.blockUpdateDate ?? '9999', b.blockUpdateDate ?? '9999') ||
    compareText(a.deprecationDate ?? '9999', b.deprecationDate ?? '9999') ||
    compareText(a.runtime, b.runtime) ||
    compareText(a.accountId, b.accountId) ||
    compareText(a.region, b.region) ||
    compareText(a.functionName, b.functionName)
  );
}

/**
 * What the highlights need from a run of records, small enough to cross threads: the runtimes'
 * statuses, the lifecycle months' counts and the at-risk rows (only the page's fields of each), in
 * the records' order.
 */
export interface HighlightsPart {
  /** Each runtime once, with the status of its first record. */
  runtimes: [string, RuntimeStatus][];
  months: LifecycleMonth[];
  atRisk: AtRiskRow[];
}

/** The page's fields of an at-risk record; null for any other record. */
function atRiskRow(record: FunctionRecord): AtRiskRow | null {
  const status = record.runtimeStatus;
  if (!isAtRisk(status) || record.runtime === null) return null;
  return {
    accountId: record.accountId,
    accountName: record.accountName,
    region: record.region,
    functionName: record.functionName,
    runtime: record.runtime,
    runtimeStatus: status,
    deprecationDate: record.deprecationDate,
    blockCreateDate: record.blockCreateDate,
    blockUpdateDate: record.blockUpdateDate,
    lastModified: record.lastModified?.slice(0, 10) ?? null,
  };
}

export function highlightsPart(records: Iterable<FunctionRecord>): HighlightsPart {
  const runtimes = new Map<string, RuntimeStatus>();
  const months = new Map<string, LifecycleMonth>();
  const atRisk: AtRiskRow[] = [];
  const count = (date: string | null, field: 'deprecation' | 'blockCreate' | 'blockUpdate') => {
    if (date === null) return;
    const key = date.slice(0, 7);
    let month = months.get(key);
    if (!month) {
      month = { month: key, deprecation: 0, blockCreate: 0, blockUpdate: 0 };
      months.set(key, month);
    }
    month[field] += 1;
  };
  for (const record of records) {
    if (record.runtime !== null && !runtimes.has(record.runtime))
      runtimes.set(record.runtime, record.runtimeStatus);
    count(record.deprecationDate, 'deprecation');
    count(record.blockCreateDate, 'blockCreate');
    count(record.blockUpdateDate, 'blockUpdate');
    const row = atRiskRow(record);
    if (row) atRisk.push(row);
  }
  return { runtimes: [...runtimes], months: [...months.values()], atRisk };
}

export class HighlightsCollector {
  private total = 0;
  /** Up to twice the limit: sorted and cut back to the limit whenever it fills. */
  private rows: AtRiskRow[] = [];
  /** Once the rows have been cut, the least urgent row kept: a row less urgent than it can never make the cut. */
  private threshold: AtRiskRow | undefined;
  private readonly accounts = new Map<string, AccountRisk>();
  private readonly months = new Map<string, LifecycleMonth>();
  private readonly runtimes = new Map<string, RuntimeStatus>();

  constructor(private readonly limit = AT_RISK_ROW_LIMIT) {
    if (!Number.isInteger(limit) || limit < 0)
      throw new RangeError(`limit must be a whole number, got ${limit}`);
  }

  add(record: FunctionRecord): void {
    if (record.runtime !== null && !this.runtimes.has(record.runtime)) {
      this.runtimes.set(record.runtime, record.runtimeStatus);
    }
    this.month(record.deprecationDate, 'deprecation');
    this.month(record.blockCreateDate, 'blockCreate');
    this.month(record.blockUpdateDate, 'blockUpdate');
    const row = atRiskRow(record);
    if (row) this.addAtRisk(row);
  }

  /** What `add` would have done with each of the part's records, in their order. */
  addPart(part: HighlightsPart): void {
    for (const [runtime, status] of part.runtimes) {
      if (!this.runtimes.has(runtime)) this.runtimes.set(runtime, status);
    }
    for (const { month: key, deprecation, blockCreate, blockUpdate } of part.months) {
      let month = this.months.get(key);
      if (!month) {
        month = { month: key, deprecation: 0, blockCreate: 0, blockUpdate: 0 };
        this.months.set(key, month);
      }
      month.deprecation += deprecation;
      month.blockCreate += blockCreate;
      month.blockUpdate += blockUpdate;
    }
    for (const row of part.atRisk) this.addAtRisk(row);
  }

  private addAtRisk(row: AtRiskRow): void {
    this.total += 1;
    let account = this.accounts.get(row.accountId);
    if (!account) {
      account = { accountId: row.accountId, accountName: row.accountName, deprecated: 0, deprecatingSoon: 0 };
      this.accounts.set(row.accountId, account);
    }
    if (row.runtimeStatus === 'deprecated') account.deprecated += 1;
    else account.deprecatingSoon += 1;

    if (this.threshold && compareUrgency(row, this.threshold) > 0) return;
    this.rows.push(row);
    if (this.rows.length >= 2 * this.limit + 1) this.cut();
  }

  result(): Highlights {
    this.cut();
    return {
      atRisk: { total: this.total, rows: [...this.rows], limit: this.limit },
      accounts: [...this.accounts.values()]
        .map((account) => ({ ...account }))
        .sort(
          (a, b) =>
            b.deprecated - a.deprecated ||
            b.deprecatingSoon - a.deprecatingSoon ||
            compareText(a.accountId, b.accountId),
        ),
      lifecycle: [...this.months.values()]
        .map((month) => ({ ...month }))
        .sort((a, b) => compareText(a.month, b.month)),
      runtimeStatus: Object.fromEntries([...this.runtimes].sort(([a], [b]) => compareText(a, b))),
    };
  }

  private cut(): void {
    this.rows.sort(compareUrgency);
    if (this.rows.length > this.limit) {
      this.rows.length = this.limit;
      this.threshold = this.rows[this.limit - 1];
    }
  }

  private month(date: string | null, field: 'deprecation' | 'blockCreate' | 'blockUpdate'): void {
    if (date === null) return;
    const key = date.slice(0, 7);
    let month = this.months.get(key);
    if (!month) {
      month = { month: key, deprecation: 0, blockCreate: 0, blockUpdate: 0 };
      this.months.set(key, month);
    }
    month[field] += 1;
  }
}
