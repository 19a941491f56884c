/**
 * report.html: one self-contained page for people. Charts (static SVG from ECharts' server-side
 * renderer, see html/charts.ts) each with their numbers in a table beside them, a filterable and
 * sortable table of the at-risk functions, the coverage grid and the role gaps. It loads nothing: no
 * CDN, no font, no request, so it opens from S3, a mail attachment or a laptop offline alike.
 *
 * Size: the at-risk table is capped (html/highlights.ts) and the full list stays in inventory.csv;
 * lists of unscanned targets and skipped accounts are capped the same way. A 400,000-function fleet
 * of 1,000 accounts x 20 regions stays under 3 MB (bench/report-size.ts measures it).
 *
 * The page depends only on its inputs (no clock), so reducing a run again writes the same bytes.
 */
import {
  type CoverageEntry,
  type CoverageStatus,
  RuntimeStatus,
  type Summary,
} from '../../shared/contracts.ts';
import { compareText } from '../shared/compare.ts';
import { findRoleGaps, type StackSetCommandOptions, stackSetCommand } from './gaps.ts';
import { barChart, columnChart, stackedBarChart, statusGrid } from './html/charts.ts';
import type { Highlights } from './html/highlights.ts';
import {
  chartWithTable,
  documentShell,
  embedJson,
  escapeHtml,
  formatCount,
  numberTable,
} from './html/page.ts';
import { TABLE_SCRIPT } from './html/table-script.ts';

export { AT_RISK_ROW_LIMIT, type Highlights, HighlightsCollector } from './html/highlights.ts';

export const RUNTIME_STATUS_COLORS: Record<RuntimeStatus, string> = {
  supported: '#16a34a',
  'deprecating-soon': '#f59e0b',
  deprecated: '#dc2626',
  unknown: '#6b7280',
  image: '#2563eb',
};

export const COVERAGE_COLORS: Record<CoverageStatus, string> = {
  ok: '#16a34a',
  'access-denied': '#dc2626',
  'region-not-enabled': '#d1d5db',
  throttled: '#f59e0b',
  error: '#7c3aed',
  'not-scanned': '#374151',
  'account-skipped': '#9ca3af',
};

/** Rows of the unscanned-targets and skipped-accounts lists the page shows at most (all are in coverage.csv). */
export const COVERAGE_LIST_LIMIT = 500;
/** Accounts in the "most deprecated functions" chart. */
export const TOP_ACCOUNTS = 15;

export interface HtmlReportInput {
  summary: Summary;
  coverage: readonly CoverageEntry[];
  highlights: Highlights;
  /** The change since the previous run in one line (diff.ts `formatDiffLine`), when there was one. */
  diffLine?: string | null;
  /** Names of the report's files beside this page, for the notes that point to them. */
  files?: { inventoryCsv?: string; coverageCsv?: string; gapsCsv?: string };
  /** How the role-gap command names the StackSet and the OUs. */
  stackSet?: StackSetCommandOptions;
}

const percent = (part: number, whole: number) => (whole === 0 ? '0' : ((100 * part) / whole).toFixed(1));

export function renderHtmlReport(input: HtmlReportInput): string {
  const { summary, coverage, highlights } = input;
  const files = {
    inventoryCsv: 'inventory.csv',
    coverageCsv: 'coverage.csv',
    gapsCsv: 'gaps.csv',
    ...input.files,
  };
  const title = `Lambda inventory · ${summary.runId}`;
  const sections = [
    runtimeStatusSection(summary),
    runtimeSection(summary, highlights),
    lifecycleSection(summary, highlights),
    accountsSection(highlights),
    atRiskSection(highlights, files.inventoryCsv),
    coverageSection(summary, coverage, files.coverageCsv),
    gapsSection(coverage, files.gapsCsv, input.stackSet),
  ];
  return documentShell(
    title,
    header(summary, coverage, input.diffLine ?? null),
    sections.join('\n'),
    TABLE_SCRIPT,
  );
}

function header(summary: Summary, coverage: readonly CoverageEntry[], diffLine: string | null): string {
  const accounts = new Set(coverage.filter((e) => e.region !== null).map((e) => e.accountId)).size;
  const deprecated = summary.byRuntimeStatus.deprecated ?? 0;
  const soon = summary.byRuntimeStatus['deprecating-soon'] ?? 0;
  const { scanned, targets, skippedAccounts } = summary.coverage;
  const kpi = (label: string, value: string, kind = '') =>
    `<li${kind ? ` class="${kind}"` : ''}><b>${escapeHtml(value)}</b>${escapeHtml(label)}</li>`;
  return `<h1>Lambda inventory</h1>
<p class="meta">Run <b>${escapeHtml(summary.runId)}</b>, started ${escapeHtml(summary.startedAt)}, data complete ${escapeHtml(summary.finishedAt)}</p>
${diffLine ? `<p class="meta" id="diff-line">Since the previous run: ${escapeHtml(diffLine)}</p>` : ''}
<ul class="kpis">
${kpi('functions', formatCount(summary.functionCount))}
${kpi('on deprecated runtimes', formatCount(deprecated), deprecated > 0 ? 'bad' : '')}
${kpi('deprecating soon', formatCount(soon), soon > 0 ? 'warn' : '')}
${kpi(`targets scanned of ${formatCount(targets)} (${percent(scanned, targets)}%)`, formatCount(scanned), scanned < targets ? 'warn' : '')}
${kpi(`accounts planned${skippedAccounts > 0 ? `, ${formatCount(skippedAccounts)} skipped` : ''}`, formatCount(accounts))}
</ul>`;
}

function runtimeStatusSection(summary: Summary): string {
  const statuses = RuntimeStatus.options;
  const bars = statuses.map((status) => ({
    label: status,
    value: summary.byRuntimeStatus[status] ?? 0,
    color: RUNTIME_STATUS_COLORS[status],
  }));
  return chartWithTable(
    'runtime-status',
    'Functions by runtime status',
    barChart(bars),
    numberTable(
      'Functions by runtime status',
      ['Status', 'Functions'],
      bars.map((bar) => [bar.label, bar.value]),
    ),
  );
}

function runtimeSection(summary: Summary, highlights: Highlights): string {
  const entries = Object.entries(summary.byRuntime).sort(([a, x], [b, y]) => y - x || compareText(a, b));
  const statusOf = (runtime: string): RuntimeStatus =>
    runtime === 'image' ? 'image' : (highlights.runtimeStatus[runtime] ?? 'unknown');
  return chartWithTable(
    'runtimes',
    'Functions by runtime',
    barChart(
      entries.map(([runtime, value]) => ({
        label: runtime,
        value,
        color: RUNTIME_STATUS_COLORS[statusOf(runtime)],
      })),
    ),
    numberTable(
      'Functions by runtime',
      ['Runtime', 'Status', 'Functions'],
      entries.map(([runtime, value]) => [runtime, statusOf(runtime), value]),
    ),
    legend(RuntimeStatus.options.map((s) => [s, RUNTIME_STATUS_COLORS[s]])),
  );
}

function lifecycleSection(summary: Summary, highlights: Highlights): string {
  const runMonth = summary.startedAt.slice(0, 7);
  const earlier = `before ${runMonth}`;
  const months = new Map<string, { deprecation: number; blockCreate: number; blockUpdate: number }>();
  for (const month of highlights.lifecycle) {
    // dates already past are one bar: what matters there is how many, not when
    const key = month.month < runMonth ? earlier : month.month;
    const counts = months.get(key) ?? { deprecation: 0, blockCreate: 0, blockUpdate: 0 };
    counts.deprecation += month.deprecation;
    counts.blockCreate += month.blockCreate;
    counts.blockUpdate += month.blockUpdate;
    months.set(key, counts);
  }
  const categories = [...months.keys()];
  const values = [...months.values()];
  const series = [
    { name: 'Deprecation', color: '#f59e0b', values: values.map((v) => v.deprecation) },
    { name: 'Block create', color: '#ea580c', values: values.map((v) => v.blockCreate) },
    { name: 'Block update', color: '#b91c1c', values: values.map((v) => v.blockUpdate) },
  ];
  return chartWithTable(
    'lifecycle',
    'Deprecation timeline: functions reaching each date, by month',
    categories.length > 0
      ? columnChart(categories, series)
      : '<p class="note">No function has a runtime with lifecycle dates.</p>',
    numberTable(
      'Functions reaching each lifecycle date',
      ['Month', 'Deprecation', 'Block create', 'Block update'],
      categories.map((month, i) => [
        month,
        values[i]?.deprecation ?? 0,
        values[i]?.blockCreate ?? 0,
        values[i]?.blockUpdate ?? 0,
      ]),
    ),
    `<p class="note">Deprecated: no more security patches. Block create, then block update: Lambda refuses to create, then to update, functions on the runtime. Dates before ${escapeHtml(runMonth)} are counted in one bar.</p>`,
  );
}

function accountsSection(highlights: Highlights): string {
  const top = highlights.accounts.slice(0, TOP_ACCOUNTS);
  const label = (a: { accountId: string; accountName: string | null }) =>
    a.accountName ? `${a.accountName} (${a.accountId})` : a.accountId;
  const chart =
    top.length > 0
      ? stackedBarChart(top.map(label), [
          {
            name: 'Deprecated',
            color: RUNTIME_STATUS_COLORS.deprecated,
            values: top.map((a) => a.deprecated),
          },
          {
            name: 'Deprecating soon',
            color: RUNTIME_STATUS_COLORS['deprecating-soon'],
            values: top.map((a) => a.deprecatingSoon),
          },
        ])
      : '<p class="note">No account has functions on deprecated or deprecating runtimes.</p>';
  return chartWithTable(
    'accounts',
    `Accounts with the most deprecated functions (top ${TOP_ACCOUNTS})`,
    chart,
    numberTable(
      'At-risk functions per account',
      ['Account', 'Name', 'Deprecated', 'Deprecating soon'],
      top.map((a) => [a.accountId, a.accountName, a.deprecated, a.deprecatingSoon]),
    ),
    highlights.accounts.length > TOP_ACCOUNTS
      ? `<p class="note">${formatCount(highlights.accounts.length)} accounts have at-risk functions; the ${TOP_ACCOUNTS} with the most deprecated ones are shown.</p>`
      : '',
  );
}

/**
 * The at-risk rows as compact JSON: accounts, regions and runtimes (with their dates) once each, and
 * each row as `[account, region, runtime, functionName, lastModified]` indexes and values.
 */
function atRiskData(highlights: Highlights) {
  const accounts = new Map<string, number>();
  const regions = new Map<string, number>();
  const runtimes = new Map<string, number>();
  const data = {
    total: highlights.atRisk.total,
    accounts: [] as [string, string | null][],
    regions: [] as string[],
    runtimes: [] as [string, string, string | null, string | null, string | null][],
    rows: [] as [number, number, number, string, string | null][],
  };
  const indexOf = (map: Map<string, number>, key: string, add: () => void) => {
    let index = map.get(key);
    if (index === undefined) {
      index = map.size;
      map.set(key, index);
      add();
    }
    return index;
  };
  for (const row of highlights.atRisk.rows) {
    const account = indexOf(accounts, row.accountId, () =>
      data.accounts.push([row.accountId, row.accountName]),
    );
    const region = indexOf(regions, row.region, () => data.regions.push(row.region));
    const runtime = indexOf(runtimes, row.runtime, () =>
      data.runtimes.push([
        row.runtime,
        row.runtimeStatus,
        row.deprecationDate,
        row.blockCreateDate,
        row.blockUpdateDate,
      ]),
    );
    data.rows.push([account, region, runtime, row.functionName, row.lastModified]);
  }
  return data;
}

function atRiskSection(highlights: Highlights, inventoryCsv: string): string {
  const { total, rows, limit } = highlights.atRisk;
  const capped = total > rows.length;
  const columns: [string, string][] = [
    ['accountId', 'Account'],
    ['accountName', 'Name'],
    ['region', 'Region'],
    ['functionName', 'Function'],
    ['runtime', 'Runtime'],
    ['runtimeStatus', 'Status'],
    ['deprecationDate', 'Deprecated'],
    ['blockCreateDate', 'Block create'],
    ['blockUpdateDate', 'Block update'],
    ['lastModified', 'Last modified'],
  ];
  const note = capped
    ? `<p class="note" id="at-risk-cap">${formatCount(total)} functions are on deprecated or deprecating runtimes; this page holds the ${formatCount(limit)} most urgent (deprecated first, earliest block of updates first). The full list is in <code>${escapeHtml(inventoryCsv)}</code>: filter its runtimeStatus column on deprecated and deprecating-soon.</p>`
    : `<p class="note">${formatCount(total)} functions are on deprecated or deprecating runtimes (runtimes deprecating within 180 days).</p>`;
  return `<section id="at-risk"><h2>At-risk functions</h2>${note}
<div id="at-risk-controls" hidden>
<label>Filter <input id="at-risk-filter" type="search" placeholder="account, region, function or runtime"></label>
<label>Status <select id="at-risk-status"><option value="">all</option><option value="deprecated">deprecated</option><option value="deprecating-soon">deprecating soon</option></select></label>
<span id="at-risk-count" aria-live="polite"></span>
</div>
<noscript><p class="note">The table needs JavaScript; the same rows are in ${escapeHtml(inventoryCsv)}.</p></noscript>
<div class="scroll"><table id="at-risk-table"><thead><tr>${columns
    .map(
      ([key, label]) =>
        `<th scope="col" data-key="${key}"><button type="button">${escapeHtml(label)}</button></th>`,
    )
    .join('')}</tr></thead><tbody id="at-risk-body"></tbody></table></div>
<p><button type="button" id="at-risk-more" hidden>Show more</button></p>
<script type="application/json" id="at-risk-data">${embedJson(atRiskData(highlights))}</script>
</section>`;
}

function coverageSection(summary: Summary, coverage: readonly CoverageEntry[], coverageCsv: string): string {
  const targets = coverage.filter((e): e is CoverageEntry & { region: string } => e.region !== null);
  const skipped = coverage.filter((e) => e.region === null);
  const accounts = [...new Set(targets.map((e) => e.accountId))].sort(compareText);
  const regions = [...new Set(targets.map((e) => e.region))].sort(compareText);
  const statuses: readonly CoverageStatus[] = (Object.keys(COVERAGE_COLORS) as CoverageStatus[]).filter(
    (s) => s !== 'account-skipped',
  );
  const names = new Map<string, string | null>();
  const row = new Map(accounts.map((id, index) => [id, index]));
  const column = new Map(regions.map((region, index) => [region, index]));
  const cells = accounts.map(() => regions.map(() => -1));
  for (const entry of targets) {
    if (!names.get(entry.accountId)) names.set(entry.accountId, entry.accountName);
    const cellRow = cells[row.get(entry.accountId) as number] as number[];
    cellRow[column.get(entry.region) as number] = statuses.indexOf(entry.status);
  }
  const rowLabels = accounts.map((id) => (names.get(id) ? `${names.get(id)} (${id})` : id));
  const grid =
    accounts.length > 0
      ? statusGrid(
          rowLabels,
          regions,
          cells,
          statuses.map((s) => ({ label: s, color: COVERAGE_COLORS[s] })),
        )
      : '<p class="note">No target was planned.</p>';
  const counts = statuses.map((s) => [s, summary.coverage.byStatus[s] ?? 0] as [string, number]);
  counts.push(['account-skipped (accounts)', summary.coverage.skippedAccounts]);

  const unscanned = targets.filter((e) => e.status !== 'ok');
  const list = (items: readonly CoverageEntry[], what: string) =>
    items.length > COVERAGE_LIST_LIMIT
      ? `<p class="note">${formatCount(items.length)} ${what}; the first ${COVERAGE_LIST_LIMIT} are listed, all are in <code>${escapeHtml(coverageCsv)}</code>.</p>`
      : '';
  const problems =
    unscanned.length > 0
      ? `<h3>Targets not scanned</h3>${list(unscanned, 'targets were not scanned')}<div class="scroll">${numberTable(
          'Targets not scanned, with the reason',
          ['Account', 'Name', 'Region', 'Status', 'Error', 'Message'],
          unscanned
            .slice(0, COVERAGE_LIST_LIMIT)
            .map((e) => [e.accountId, e.accountName, e.region, e.status, e.errorCode, e.message]),
        )}`
      : '';
  const skippedList =
    skipped.length > 0
      ? `<h3>Accounts skipped</h3>${list(skipped, 'accounts were skipped')}<div class="scroll">${numberTable(
          'Accounts not scanned at all, with the reason',
          ['Account', 'Name', 'Reason'],
          skipped.slice(0, COVERAGE_LIST_LIMIT).map((e) => [e.accountId, e.accountName, e.message]),
        )}</div>`
      : '';
  return `${chartWithTable(
    'coverage',
    'Coverage: accounts × regions',
    grid,
    numberTable('Targets by status', ['Status', 'Targets'], counts),
    `${legend(statuses.map((s) => [s, COVERAGE_COLORS[s]]))}<p class="note">${formatCount(accounts.length)} accounts × ${formatCount(regions.length)} regions. A target that could not be scanned has no function count: the report never claims 0 functions where it could not look.</p>`,
  )}
${problems || skippedList ? `<section id="coverage-details">${problems}${skippedList}</section>` : ''}`;
}

function gapsSection(
  coverage: readonly CoverageEntry[],
  gapsCsv: string,
  stackSet: StackSetCommandOptions | undefined,
): string {
  const gaps = findRoleGaps(coverage);
  if (gaps.length === 0) {
    return '<section id="gaps"><h2>Role gaps</h2><p class="note">Every scanned account let the worker in: no role gap.</p></section>';
  }
  const command = stackSetCommand(gaps, stackSet) as string;
  return `<section id="gaps"><h2>Role gaps: ${formatCount(gaps.length)} accounts without a working member role</h2>
<p class="note">Every region of these ACTIVE accounts was access-denied: the member role is missing or does not trust the worker. The list is in <code>${escapeHtml(gapsCsv)}</code>. This command rolls the role out to exactly these accounts (StackSets never deploy to the management account: deploy the template there as a plain stack):</p>
<pre id="gaps-command">${escapeHtml(command)}</pre>
<div class="scroll">${numberTable(
    'Accounts without the member role',
    ['Account', 'Name', 'Regions', 'Error'],
    gaps.slice(0, COVERAGE_LIST_LIMIT).map((g) => [g.accountId, g.accountName, g.regions, g.errorCode]),
  )}</div></section>`;
}

function legend(items: readonly [string, string][]): string {
  return `<ul class="legend">${items
    .map(
      ([label, color]) =>
        `<li><span class="swatch" style="background:${color}"></span>${escapeHtml(label)}</li>`,
    )
    .join('')}</ul>`;
}
