/**
 * The report's extra parts fed by what reduce really writes: two runs reduced by `reduceRun` (the
 * first plain, the second gzip-compressed), then the pass that writes diff.json, report.html, the
 * Athena files and gaps.csv from the written inventories, as reduce is meant to run it after its own
 * files (see the wiring notes in the report of this change). If reduce changes its row order or its
 * inventory layout, the diff or the reader fails here.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AthenaExport } from '../../functions/reduce/athena.ts';
import { diffInventories, formatDiffLine } from '../../functions/reduce/diff.ts';
import { findRoleGaps, gapsCsv } from '../../functions/reduce/gaps.ts';
import { HighlightsCollector, renderHtmlReport } from '../../functions/reduce/html-report.ts';
import { InventoryReader, readInventoryDocument } from '../../functions/reduce/read-inventory.ts';
import { reduceRun } from '../../functions/reduce/reduce-run.ts';
import { getJson } from '../../functions/shared/object-store.ts';
import { athenaObjectKey } from '../../shared/athena.ts';
import {
  type FunctionRecord,
  LatestPointer,
  type ScannedFunction,
  Summary,
  type Target,
  type TargetResult,
} from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import {
  functionLine,
  MemoryStore,
  planOutput,
  type RunFixture,
  scannedFunction,
  silentLogger,
  targetLine,
  targetResult,
  writeRun,
} from './reduce-fixtures.ts';

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const REGIONS = ['eu-west-1', 'us-east-1'];

/** One partial per account, its functions in no particular order (reduce sorts them). */
function run(
  runId: string,
  startedAt: string,
  functions: Record<string, Partial<ScannedFunction>[]>,
  denied: readonly string[] = [],
): RunFixture {
  const targets: Target[] = ACCOUNTS.flatMap((accountId) => REGIONS.map((region) => ({ accountId, region })));
  const partials: RunFixture['partials'] = {};
  for (const accountId of ACCOUNTS) {
    const lines = [];
    for (const region of REGIONS) {
      const id = `${accountId}/${region}`;
      const list = denied.includes(id) ? [] : (functions[id] ?? []);
      const result: TargetResult = denied.includes(id)
        ? targetResult({
            accountId,
            region,
            status: 'access-denied',
            functionCount: 0,
            errorCode: 'AccessDenied',
          })
        : targetResult({ accountId, region, functionCount: list.length });
      lines.push(targetLine({ ...result, scannedAt: startedAt }));
      for (const fn of [...list].reverse()) {
        lines.push(functionLine(scannedFunction({ accountId, region, ...fn })));
      }
    }
    partials[`${accountId}-${runId}`] = lines;
  }
  const plan = planOutput({
    runId,
    startedAt,
    targetCount: targets.length,
    accountCount: ACCOUNTS.length,
    regions: REGIONS,
    targetsKey: keys.targets(runId),
    skippedKey: keys.skipped(runId),
  });
  return { plan, targets, skipped: [], partials };
}

const names = (...list: string[]) => list.map((functionName) => ({ functionName }));

const first = run('run-1', '2026-11-01T03:00:00.000Z', {
  '111111111111/eu-west-1': [
    ...names('b-api', 'a-api', 'c-old'),
    { functionName: 'd-aging', runtime: 'nodejs24.x' },
  ],
  '111111111111/us-east-1': names('z-worker'),
  '222222222222/eu-west-1': names('gone', 'kept'),
  '222222222222/us-east-1': names('hidden-next-run'),
  '333333333333/eu-west-1': names('orders'),
});
const second = run(
  'run-2',
  '2026-11-02T03:00:00.000Z',
  {
    '111111111111/eu-west-1': [
      ...names('b-api', 'a-api', 'c-old', 'new-one'),
      { functionName: 'd-aging', runtime: 'nodejs16.x' },
    ],
    '111111111111/us-east-1': [{ functionName: 'z-worker', memorySize: 1024 }],
    '222222222222/eu-west-1': names('kept'),
    '333333333333/eu-west-1': names('orders'),
  },
  // account B's second region, and all of account C, refuse this run
  ['222222222222/us-east-1', '333333333333/eu-west-1', '333333333333/us-east-1'],
);

describe('the report parts on reduce output', () => {
  it('diffs, renders, exports and lists gaps from two reduced runs', async () => {
    const store = new MemoryStore();
    const deps = (compress: boolean) => ({
      storeFor: () => store,
      concurrency: 2,
      compress,
      digestThreads: 0,
      logger: silentLogger(),
    });
    await writeRun(store, first);
    await reduceRun(deps(false), { plan: first.plan });
    // what latest.json named before this run's reduce replaces it: the previous complete run
    const previous = LatestPointer.parse(await getJson(store, keys.latest));
    await writeRun(store, second);
    const output = await reduceRun(deps(true), { plan: second.plan });

    // Act: the pass over the written inventories
    const open = async (key: string) => new InventoryReader(await store.getStream(key), key);
    const previousDocument = await readInventoryDocument(
      await store.getStream(previous.keys.inventoryJson),
      previous.keys.inventoryJson,
    );
    const summary = Summary.parse(await getJson(store, output.keys.summaryJson));
    const current = await open(output.keys.inventoryJson);
    const currentDocument = await readInventoryDocument(
      await store.getStream(output.keys.inventoryJson),
      output.keys.inventoryJson,
    );
    const run2 = { runId: 'run-2', startedAt: '2026-11-02T03:00:00.000Z' };
    const highlights = new HighlightsCollector();
    const athena = new AthenaExport(store, run2);
    async function* tap(records: AsyncIterable<FunctionRecord>) {
      for await (const record of records) {
        highlights.add(record);
        await athena.writeFunctions([record]);
        yield record;
      }
    }
    const diff = await diffInventories(
      (await open(previous.keys.inventoryJson)).functions(),
      tap(current.functions()),
      {
        previous: previousDocument,
        current: { ...run2, coverage: currentDocument.coverage },
      },
    );
    await athena.finish(currentDocument.coverage);
    const gaps = findRoleGaps(currentDocument.coverage);
    const html = renderHtmlReport({
      summary,
      coverage: currentDocument.coverage,
      highlights: highlights.result(),
      diffLine: formatDiffLine(diff),
    });

    // Assess
    expect(output.keys.inventoryJson.endsWith('.gz')).toBe(true);
    expect(previous.runId).toBe('run-1');
    expect(diff.added.map((f) => f.functionName)).toEqual(['new-one']);
    expect(diff.removed.map((f) => f.functionName)).toEqual(['gone']);
    expect(diff.changed.map((f) => [f.functionName, f.changes.map((c) => c.field)])).toEqual([
      ['d-aging', ['runtime']],
      ['z-worker', ['memorySize']],
    ]);
    expect(diff.newlyAtRisk.map((f) => [f.functionName, f.runtimeStatus])).toEqual([
      ['d-aging', 'deprecated'],
    ]);
    // B's us-east-1 and C were not scanned: their functions are neither removed nor compared
    expect(diff.counts.notCompared).toEqual({ previousOnly: 2, currentOnly: 0 });
    expect(diff.coverage.stoppedScanning.map((c) => `${c.accountId}/${c.region}`)).toEqual([
      '222222222222/us-east-1',
      '333333333333/eu-west-1',
      '333333333333/us-east-1',
    ]);
    expect(formatDiffLine(diff)).toBe(
      '+1 −1 ~2 functions, 1 newly deprecated since run-1; targets: 3 no longer scanned',
    );
    expect(html).toContain('Since the previous run: +1 −1 ~2 functions');
    expect(gaps.map((g) => g.accountId)).toEqual(['333333333333']);
    expect(gapsCsv(gaps)).toContain('333333333333,');
    const athenaLines = gunzipSync(await store.get(athenaObjectKey('functions', run2)))
      .toString()
      .trim()
      .split('\n');
    expect(athenaLines).toHaveLength(summary.functionCount);
  });
});
