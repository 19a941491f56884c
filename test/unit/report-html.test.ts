import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TABLE_SCRIPT } from '../../functions/reduce/html/table-script.ts';
import { HighlightsCollector, renderHtmlReport } from '../../functions/reduce/html-report.ts';
import type { FunctionRecord } from '../../shared/contracts.ts';
import { generateFleet } from '../browser/report-fleet.ts';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  coverageEntry,
  deniedEntry,
  functionRecord,
  summaryOf,
} from './report-fixtures.ts';

function collect(records: readonly FunctionRecord[], limit?: number) {
  const collector = new HighlightsCollector(limit);
  for (const record of records) collector.add(record);
  return collector.result();
}

describe('HighlightsCollector', () => {
  it('keeps the most urgent at-risk functions when there are more than the limit, and counts them all', () => {
    const records = [
      functionRecord({ functionName: 'soon-1', runtime: 'nodejs22.x' }),
      functionRecord({ functionName: 'old-python', runtime: 'python3.9' }),
      functionRecord({ functionName: 'fine', runtime: 'nodejs24.x' }),
      functionRecord({ functionName: 'soon-2', runtime: 'nodejs22.x' }),
      functionRecord({ functionName: 'old-node-b', runtime: 'nodejs16.x' }),
      functionRecord({ functionName: 'old-node-a', runtime: 'nodejs16.x' }),
    ];

    const highlights = collect(records, 3);

    expect(highlights.atRisk.total).toBe(5);
    // deprecated first; then the earliest deprecation (nodejs16.x before python3.9, same block date)
    expect(highlights.atRisk.rows.map((r) => r.functionName)).toEqual([
      'old-node-a',
      'old-node-b',
      'old-python',
    ]);
  });

  it('keeps the same rows whatever order the functions come in', () => {
    const records = Array.from({ length: 60 }, (_, i) =>
      functionRecord({
        accountId: i % 2 ? ACCOUNT_A : ACCOUNT_B,
        functionName: `f-${i}`,
        runtime: ['python3.9', 'nodejs16.x', 'nodejs22.x', 'nodejs24.x'][i % 4] as string,
      }),
    );

    const forward = collect(records, 7).atRisk.rows;
    const backward = collect([...records].reverse(), 7).atRisk.rows;

    expect(backward).toEqual(forward);
  });

  it('counts at-risk functions per account, most deprecated first', () => {
    const highlights = collect([
      functionRecord({ accountId: ACCOUNT_A, functionName: 'a', runtime: 'nodejs22.x' }),
      functionRecord({ accountId: ACCOUNT_B, functionName: 'b1', runtime: 'python3.9' }),
      functionRecord({ accountId: ACCOUNT_B, functionName: 'b2', runtime: 'nodejs22.x' }),
      functionRecord({ accountId: ACCOUNT_B, functionName: 'b3', runtime: 'nodejs24.x' }),
    ]);

    expect(highlights.accounts).toEqual([
      { accountId: ACCOUNT_B, accountName: 'name-222', deprecated: 1, deprecatingSoon: 1 },
      { accountId: ACCOUNT_A, accountName: 'name-111', deprecated: 0, deprecatingSoon: 1 },
    ]);
  });

  it('counts the functions reaching each lifecycle date by month, and each runtime status', () => {
    const highlights = collect([
      functionRecord({ functionName: 'a', runtime: 'nodejs22.x' }),
      functionRecord({ functionName: 'b', runtime: 'nodejs22.x' }),
      functionRecord({ functionName: 'c', runtime: 'python3.9' }),
      functionRecord({ functionName: 'img', runtime: null, packageType: 'Image' }),
    ]);

    expect(highlights.lifecycle).toEqual([
      { month: '2025-12', deprecation: 1, blockCreate: 0, blockUpdate: 0 },
      { month: '2027-02', deprecation: 0, blockCreate: 1, blockUpdate: 0 },
      { month: '2027-03', deprecation: 0, blockCreate: 0, blockUpdate: 1 },
      { month: '2027-04', deprecation: 2, blockCreate: 0, blockUpdate: 0 },
      { month: '2027-06', deprecation: 0, blockCreate: 2, blockUpdate: 0 },
      { month: '2027-07', deprecation: 0, blockCreate: 0, blockUpdate: 2 },
    ]);
    expect(highlights.runtimeStatus).toEqual({ 'nodejs22.x': 'deprecating-soon', 'python3.9': 'deprecated' });
  });
});

describe('renderHtmlReport', () => {
  const hostile = '</script><img src=x onerror=alert(1)>';
  const records = [
    functionRecord({ functionName: hostile, runtime: 'python3.9', accountName: hostile }),
    functionRecord({ accountId: ACCOUNT_B, functionName: 'ok', runtime: 'nodejs24.x' }),
  ];
  const coverage = [
    coverageEntry({ accountId: ACCOUNT_A, accountName: hostile, functionCount: 1 }),
    coverageEntry({ accountId: ACCOUNT_B, functionCount: 1 }),
    deniedEntry('333333333333', 'eu-west-1'),
  ];
  const render = () =>
    renderHtmlReport({ summary: summaryOf(records, coverage), coverage, highlights: collect(records) });

  it('escapes names from member accounts, in markup and in the embedded rows', () => {
    const html = render();

    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    const data =
      html.match(/<script type="application\/json" id="at-risk-data">([\s\S]*?)<\/script>/)?.[1] ?? '';
    expect(data).toContain('\\u003c/script>\\u003cimg');
    expect(JSON.parse(data).rows[0][3]).toBe(hostile);
  });

  it('allows exactly its own script, and no request of any kind', () => {
    const html = render();
    const hash = createHash('sha256').update(TABLE_SCRIPT).digest('base64');

    const policy = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)?.[1];

    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain(`script-src 'sha256-${hash}'`);
    expect(html).toContain(`<script>${TABLE_SCRIPT}</script>`);
    expect(html).not.toMatch(/<(link|img|iframe)\b|src="http|href="http/);
  });

  it('writes well-formed tags: every attribute of the chart SVG is one name="value" pair', () => {
    const html = render();
    const tags = [...html.matchAll(/<(svg|g|path|text|rect|tspan)\b([^>]*)>/g)];

    const malformed = tags.filter(
      ([, , attributes]) => !/^(\s+[\w:-]+="[^"]*")*\s*\/?$/.test(attributes ?? ''),
    );

    expect(tags.length).toBeGreaterThan(10);
    expect(malformed.map(([tag]) => tag).slice(0, 3)).toEqual([]);
  });

  it('writes the same bytes for the same run', () => {
    expect(render()).toBe(render());
  });

  it('names the role gaps with the command that fixes them', () => {
    const html = render();

    expect(html).toContain('Role gaps: 1 accounts without a working member role');
    expect(html).toContain('Accounts=333333333333,AccountFilterType=INTERSECTION');
  });

  it('stays within 3 MB for 400,000 functions on 1,000 accounts x 20 regions, coverage at its worst', () => {
    const fleet = generateFleet({
      functions: 400_000,
      accounts: 1000,
      regions: 20,
      failureShare: 0.5,
      skippedAccounts: 50,
    });
    const highlights = collect(fleet.records);

    const html = renderHtmlReport({ summary: fleet.summary, coverage: fleet.coverage, highlights });

    expect(highlights.atRisk.total).toBeGreaterThan(100_000);
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(3 * 1024 * 1024);
    expect(html).toContain(`${highlights.atRisk.total.toLocaleString('en-US')} functions are on deprecated`);
  }, 60_000);
});
