/**
 * The report's extra files for large fleets. Generates a run (400,000 functions over 1,000 accounts x
 * 20 regions by default), then:
 * - renders report.html and prints its size, by part, and the time it took, for a typical coverage
 *   (5% of targets not scanned) and a worst case (half of them, in every status, which defeats the
 *   coverage grid's background trick);
 * - with `--post-pass`, writes the run's inventory.json (and .gz) and a previous run's, then times, in a
 *   child process whose peak RSS is its own, the one streaming pass that reduce would add: reading
 *   the written inventory back, diffing it against the previous one, collecting the page's
 *   highlights and writing the Athena files.
 *
 *   npx tsx bench/report-size.ts [--functions 400000] [--accounts 1000] [--regions 20] [--out report.html] [--post-pass]
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';
import { AthenaExport } from '../functions/reduce/athena.ts';
import {
  compareFunctionKeys,
  diffInventories,
  formatDiffLine,
  recordRows,
} from '../functions/reduce/diff.ts';
import { HighlightsCollector, renderHtmlReport } from '../functions/reduce/html-report.ts';
import { InventoryReader, readInventoryDocument } from '../functions/reduce/read-inventory.ts';
import { REPORT_GZIP } from '../functions/reduce/write-report.ts';
import { FolderObjectStore } from '../functions/shared/object-store.ts';
import type { CoverageEntry, FunctionRecord } from '../shared/contracts.ts';
import { type Fleet, generateFleet } from '../test/browser/report-fleet.ts';
import { BenchUsage } from './args.ts';

const BUDGET_BYTES = 3 * 1024 * 1024;

const usage: BenchUsage = new BenchUsage(
  '  npx tsx bench/report-size.ts [--functions 400000] [--accounts 1000] [--regions 20] [--out report.html] [--post-pass]',
);
const { values } = usage.parse({
  options: {
    functions: { type: 'string', default: '400000' },
    accounts: { type: 'string', default: '1000' },
    regions: { type: 'string', default: '20' },
    out: { type: 'string' },
    'post-pass': { type: 'boolean', default: false },
    /** Internal: the child process of --post-pass, reading the files in this folder. */
    'read-back': { type: 'string' },
  },
});
const shape = {
  functions: usage.wholeNumber('functions', values.functions, 1),
  accounts: usage.wholeNumber('accounts', values.accounts, 1),
  regions: usage.wholeNumber('regions', values.regions, 1),
};

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;

if (values['read-back']) {
  await readBack(values['read-back']);
  process.exit(0);
}

for (const [name, failureShare] of [
  ['typical coverage (5% of targets not scanned)', 0.05],
  ['worst-case coverage (50% not scanned, all statuses)', 0.5],
] as const) {
  const fleet = generateFleet({
    ...shape,
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

if (values['post-pass']) await postPass();

/** inventory.json as reduce writes it: the header, one function per line, then the tail. */
async function writeInventory(
  path: string,
  runId: string,
  records: readonly FunctionRecord[],
  coverage: readonly CoverageEntry[],
) {
  const out = createWriteStream(path);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`{"schemaVersion":1,"runId":"${runId}","startedAt":"2026-11-02T03:00:00.000Z","functions":[`);
  for (let i = 0; i < records.length; i += 1)
    await write(`${i === 0 ? '\n' : ',\n'}${JSON.stringify(records[i])}`);
  await write(
    `\n],"finishedAt":"2026-11-02T03:09:30.000Z","coverage":${JSON.stringify(coverage)},"summary":{}}\n`,
  );
  await new Promise((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve(undefined))),
  );
  await pipeline(createReadStream(path), createGzip(REPORT_GZIP), createWriteStream(`${path}.gz`));
}

async function postPass(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'report-post-pass-'));
  try {
    const fleet: Fleet = generateFleet({
      ...shape,
    });
    const current = [...fleet.records].sort(compareFunctionKeys);
    // the previous run: 1% of the functions not there yet, 1% since removed, 2% with another memory size
    const previous = current
      .filter((_, i) => i % 100 !== 7)
      .map((record, i) =>
        i % 50 === 3 ? { ...record, memorySize: (record.memorySize ?? 128) * 2 } : record,
      );
    for (let i = 0; i < current.length; i += 100) {
      const record = current[i] as FunctionRecord;
      previous.push({ ...record, functionName: `${record.functionName}-gone` });
    }
    previous.sort(compareFunctionKeys);
    await writeInventory(join(dir, 'previous.json'), 'run-previous', previous, fleet.coverage);
    await writeInventory(join(dir, 'current.json'), 'run-2026-11-02', current, fleet.coverage);
    for (const name of ['current.json', 'current.json.gz']) {
      console.log(`  ${name.padEnd(22)} ${mib((await stat(join(dir, name))).size)}`);
    }
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--read-back', dir],
      { stdio: 'inherit' },
    );
    if (child.status !== 0) throw new Error(`the read-back process failed (${child.status})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readBack(dir: string): Promise<void> {
  const open = (name: string) => new InventoryReader(createReadStream(join(dir, name)), name);
  for (const name of ['current.json', 'current.json.gz']) {
    const started = performance.now();
    let count = 0;
    for await (const _record of open(name).functions()) count += 1;
    console.log(
      `  read ${name.padEnd(17)} ${count} functions in ${(performance.now() - started).toFixed(0)} ms`,
    );
  }
  const documentStarted = performance.now();
  // the previous run's coverage, after its functions in the file (in reduce, this run's is in memory)
  const { coverage } = await readInventoryDocument(
    createReadStream(join(dir, 'previous.json.gz')),
    'previous',
  );
  console.log(
    `  previous coverage, functions passed over: ${(performance.now() - documentStarted).toFixed(0)} ms`,
  );
  const started = performance.now();
  const previous = open('previous.json.gz');
  const current = open('current.json.gz');
  const highlights = new HighlightsCollector();
  const athena = new AthenaExport(new FolderObjectStore(join(dir, 'store')), {
    runId: 'run-2026-11-02',
    startedAt: '2026-11-02T03:00:00.000Z',
  });
  async function* tap(records: AsyncIterable<FunctionRecord>) {
    for await (const record of records) {
      highlights.add(record);
      await athena.writeFunctions([record]);
      yield record;
    }
  }
  // both runs scanned the same targets
  const diff = await diffInventories(recordRows(previous.functions()), recordRows(tap(current.functions())), {
    previous: { runId: 'run-previous', startedAt: '2026-11-01T03:00:00.000Z', coverage },
    current: { runId: 'run-2026-11-02', startedAt: '2026-11-02T03:00:00.000Z', coverage },
  });
  await athena.finish(coverage);
  highlights.result();
  console.log(
    `  one pass: diff + highlights + Athena files in ${(performance.now() - started).toFixed(0)} ms`,
  );
  console.log(`  ${formatDiffLine(diff)}`);
  console.log(`  peak RSS of this process: ${mib(process.resourceUsage().maxRSS * 1024)}`);
}
