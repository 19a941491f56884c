/**
 * Size of report.html for large fleets: generates a run (400,000 functions over 1,000 accounts x 20
 * regions by default), renders the page and prints its size, by part, and the time it took. Two
 * coverage cases: a typical one (5% of targets not scanned) and a worst case (half of them, in
 * every status, which defeats the grid's background trick).
 *
 *   npx tsx bench/report-size.ts [--functions 400000] [--accounts 1000] [--regions 20] [--out report.html]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { HighlightsCollector, renderHtmlReport } from '../functions/reduce/html-report.ts';
import { generateFleet } from '../test/browser/report-fleet.ts';

const BUDGET_BYTES = 3 * 1024 * 1024;

const { values } = parseArgs({
  options: {
    functions: { type: 'string', default: '400000' },
    accounts: { type: 'string', default: '1000' },
    regions: { type: 'string', default: '20' },
    out: { type: 'string' },
  },
});

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

for (const [name, failureShare] of [
  ['typical coverage (5% of targets not scanned)', 0.05],
  ['worst-case coverage (50% not scanned, all statuses)', 0.5],
] as const) {
  const fleet = generateFleet({
    functions: Number(values.functions),
    accounts: Number(values.accounts),
    regions: Number(values.regions),
    failureShare,
    skippedAccounts: 20,
    roleGaps: 10,
  });
  const started = performance.now();
  const collector = new HighlightsCollector();
  for (const record of fleet.records) collector.add(record);
  const highlights = collector.result();
  const collected = performance.now();
  const html = renderHtmlReport({ summary: fleet.summary, coverage: fleet.coverage, highlights });
  const rendered = performance.now();
  const bytes = Buffer.byteLength(html);
  const part = (pattern: RegExp) => Buffer.byteLength(html.match(pattern)?.[0] ?? '');
  console.log(`\n${name}`);
  console.log(
    `  functions ${fleet.records.length}, at-risk ${highlights.atRisk.total}, rows in page ${highlights.atRisk.rows.length}`,
  );
  console.log(
    `  report.html            ${mib(bytes)} (${bytes} bytes; budget ${mib(BUDGET_BYTES)}: ${bytes <= BUDGET_BYTES ? 'within' : 'OVER'})`,
  );
  console.log(
    `  at-risk rows (JSON)    ${mib(part(/<script type="application\/json" id="at-risk-data">[\s\S]*?<\/script>/))}`,
  );
  console.log(`  coverage section      ${mib(part(/<section id="coverage">[\s\S]*?<\/section>/))}`);
  console.log(`  coverage lists        ${mib(part(/<section id="coverage-details">[\s\S]*?<\/section>/))}`);
  console.log(
    `  highlights ${(collected - started).toFixed(0)} ms, render ${(rendered - collected).toFixed(0)} ms`,
  );
  if (values.out && failureShare === 0.05) {
    await writeFile(values.out, html);
    console.log(`  written to ${values.out}`);
  }
}
