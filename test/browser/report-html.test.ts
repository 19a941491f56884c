/**
 * report.html in a real browser: Debian's chromium driven by playwright-core. The page must load with
 * no console error and no request, show the counts of summary.json, and filter and sort its table.
 * A screenshot is left in test-output/report.png.
 *
 * Needs /usr/bin/chromium (CI: `apt-get install -y chromium`); without it these tests are skipped,
 * saying why.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRoleGaps } from '../../functions/reduce/gaps.ts';
import {
  type Highlights,
  HighlightsCollector,
  renderHtmlReport,
} from '../../functions/reduce/html-report.ts';
import { type Fleet, generateFleet } from './report-fleet.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = resolve('test-output');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `report.html browser tests skipped: ${CHROMIUM} not found (install it with: apt-get install -y chromium)`,
  );
}

/** Rows the page holds at most in this test: fewer than the fleet's at-risk functions, so the cap shows. */
const ROW_LIMIT = 600;

describe.skipIf(!hasChromium)('report.html in chromium', () => {
  let fleet: Fleet;
  let highlights: Highlights;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const consoleMessages: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];
  let pageUrl: string;

  beforeAll(async () => {
    fleet = generateFleet({
      accounts: 40,
      regions: 6,
      functions: 3000,
      skippedAccounts: 2,
      roleGaps: 2,
      seed: 7,
    });
    const collector = new HighlightsCollector(ROW_LIMIT);
    for (const record of fleet.records) collector.add(record);
    highlights = collector.result();
    const html = renderHtmlReport({
      summary: fleet.summary,
      coverage: fleet.coverage,
      highlights,
      diffLine: '+12 −3 ~40 functions, 5 newly deprecated since run-2026-11-01',
    });
    await mkdir(OUTPUT, { recursive: true });
    await writeFile(join(OUTPUT, 'summary.json'), JSON.stringify(fleet.summary, null, 2));
    const file = join(OUTPUT, 'report.html');
    await writeFile(file, html);
    pageUrl = pathToFileURL(file).href;

    profile = await mkdtemp(join(tmpdir(), 'report-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') consoleMessages.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pageUrl, { waitUntil: 'load' });
    await page.waitForSelector('#at-risk-body tr');
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const counts = (selector: string) =>
    page.$$eval(`${selector} tbody tr`, (rows) =>
      Object.fromEntries(
        rows.map((row) => [
          row.querySelector('th')?.textContent ?? '',
          Number(row.querySelector('td[data-count]:last-child')?.getAttribute('data-count')),
        ]),
      ),
    );

  it('loads with no console error, no script error and no request but the page itself', () => {
    expect(consoleMessages).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(requests).toEqual([pageUrl]);
  });

  it('shows the counts of summary.json beside the charts', async () => {
    const { summary } = fleet;

    expect(await counts('#runtime-status')).toEqual(summary.byRuntimeStatus);
    expect(await counts('#runtimes')).toEqual(summary.byRuntime);
    const coverage = await counts('#coverage');
    const { 'account-skipped (accounts)': skipped, ...byStatus } = coverage;
    expect(skipped).toBe(summary.coverage.skippedAccounts);
    const { 'account-skipped': _skipped, ...expectedByStatus } = summary.coverage.byStatus;
    expect(byStatus).toEqual(expectedByStatus);
  });

  it('labels the bars of the charts with the same counts', async () => {
    const labels = await page.$$eval('#runtime-status svg text', (texts) => texts.map((t) => t.textContent));
    for (const [status, count] of Object.entries(fleet.summary.byRuntimeStatus)) {
      expect(labels).toContain(status);
      expect(labels).toContain(String(count));
    }
  });

  it('ranks the accounts by deprecated functions, as counted from the rows', async () => {
    const deprecated = new Map<string, number>();
    for (const record of fleet.records) {
      if (record.runtimeStatus === 'deprecated') {
        deprecated.set(record.accountId, (deprecated.get(record.accountId) ?? 0) + 1);
      }
    }
    const top = [...deprecated.values()].sort((a, b) => b - a).slice(0, 15);

    const shown = await page.$$eval('#accounts tbody tr', (rows) =>
      rows.map((row) => Number(row.querySelectorAll('td[data-count]')[0]?.getAttribute('data-count'))),
    );

    expect(shown).toEqual(top);
  });

  it('says that the table is capped and where the full list is', async () => {
    const atRisk = fleet.records.filter(
      (r) => r.runtimeStatus === 'deprecated' || r.runtimeStatus === 'deprecating-soon',
    );

    const note = await page.textContent('#at-risk-cap');

    expect(atRisk.length).toBeGreaterThan(ROW_LIMIT);
    expect(note).toContain(`${atRisk.length.toLocaleString('en-US')} functions`);
    expect(note).toContain('inventory.csv');
    expect(await page.textContent('#at-risk-count')).toBe(`${ROW_LIMIT} matching, 200 shown`);
  });

  it('filters the at-risk table by text and by status, and sorts it by a column', async () => {
    const account = highlights.atRisk.rows[0]?.accountId as string;
    const expected = highlights.atRisk.rows.filter(
      (r) => r.accountId === account && r.runtimeStatus === 'deprecated',
    );

    await page.fill('#at-risk-filter', account);
    await page.selectOption('#at-risk-status', 'deprecated');
    await page.click('#at-risk-table th[data-key="functionName"] button');
    const rows = await page.$$eval('#at-risk-body tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );

    expect(rows.length).toBe(Math.min(expected.length, 200));
    expect(rows.map((r) => r[0])).toEqual(rows.map(() => account));
    expect(rows.map((r) => r[5])).toEqual(rows.map(() => 'deprecated'));
    expect(rows.map((r) => r[3])).toEqual(
      expected
        .map((r) => r.functionName)
        .sort()
        .slice(0, 200),
    );
    expect(await page.textContent('#at-risk-count')).toBe(
      `${expected.length} matching, ${rows.length} shown`,
    );

    await page.fill('#at-risk-filter', 'no-such-function-anywhere');
    expect(await page.$$('#at-risk-body tr')).toHaveLength(0);
    await page.fill('#at-risk-filter', '');
    await page.selectOption('#at-risk-status', '');
  });

  it('shows more rows on request', async () => {
    await page.click('#at-risk-more');

    expect(await page.$$('#at-risk-body tr')).toHaveLength(400);
  });

  it('lists the role gaps with the StackSets command for them', async () => {
    const gaps = findRoleGaps(fleet.coverage).map((g) => g.accountId);

    const command = await page.textContent('#gaps-command');

    expect(gaps).toHaveLength(2);
    expect(command).toContain(`Accounts=${gaps.join(',')},AccountFilterType=INTERSECTION`);
  });

  it('leaves a screenshot in test-output/report.png', async () => {
    await page.evaluate('window.scrollTo(0, 0)');
    const path = join(OUTPUT, 'report.png');

    await page.screenshot({ path, fullPage: true });

    expect(existsSync(path)).toBe(true);
  });
});
