/**
 * The report's extra parts as reduce writes them (report-pass.ts, run-diff.ts, run-signals.ts): two runs reduced by
 * `reduceRun` (the first plain, the second gzip-compressed), the second compared with the first. If
 * reduce changes its row order or its inventory layout, the diff or the reader fails here.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { diffInventories, type InventoryDiff } from '../../functions/reduce/diff.ts';
import { InventoryReader, readInventoryDocument } from '../../functions/reduce/read-inventory.ts';
import { type ReduceRunDeps, reduceRun } from '../../functions/reduce/reduce-run.ts';
import { reportKeysFor } from '../../functions/reduce/report-builder.ts';
import type { RunPublisher } from '../../functions/reduce/run-signals.ts';
import { getJson, type ObjectStore, putJson } from '../../functions/shared/object-store.ts';
import { athenaObjectKey } from '../../shared/athena.ts';
import {
  LatestPointer,
  type ScannedFunction,
  type Target,
  type TargetResult,
} from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import { RunCompletedDetail } from '../../shared/signals.ts';
import {
  functionLine,
  MemoryStore,
  planOutput,
  type RunFixture,
  scannedFunction,
  silentLogger,
  storeFailingUpload,
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
  accounts: readonly string[] = ACCOUNTS,
): RunFixture {
  const targets: Target[] = accounts.flatMap((accountId) => REGIONS.map((region) => ({ accountId, region })));
  const partials: RunFixture['partials'] = {};
  for (const accountId of accounts) {
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
    accountCount: accounts.length,
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

/** A memory store that remembers the content type each key was written with. */
class TypedStore extends MemoryStore {
  readonly types = new Map<string, string | undefined>();
  override async put(key: string, body: string | Uint8Array, contentType?: string): Promise<void> {
    this.types.set(key, contentType);
    await super.put(key, body);
  }
}

const text = async (store: ObjectStore, key: string) => Buffer.from(await store.get(key)).toString('utf8');

function depsFor(store: ObjectStore, compress: boolean, extra: Partial<ReduceRunDeps> = {}): ReduceRunDeps {
  return {
    storeFor: () => store,
    concurrency: 2,
    compress,
    digestThreads: 0,
    logger: silentLogger(),
    ...extra,
  };
}

/** Reduces the first run, then the second, as two consecutive nightly runs. */
async function twoRuns(store: ObjectStore, extra: Partial<ReduceRunDeps> = {}) {
  await writeRun(store, first);
  const firstOutput = await reduceRun(depsFor(store, false, extra), { plan: first.plan });
  await writeRun(store, second);
  const secondOutput = await reduceRun(depsFor(store, true, extra), { plan: second.plan });
  return { firstOutput, secondOutput };
}

describe('the report parts reduce writes', () => {
  it('writes report.html, gaps.csv and the Athena files, and no diff, for a first run', async () => {
    // Prepare
    const store = new TypedStore();
    await writeRun(store, first);

    // Act
    const output = await reduceRun(depsFor(store, false), { plan: first.plan });

    // Assess
    expect(output.changes).toBeUndefined();
    expect(output.keys.diffJson).toBeUndefined();
    expect(await store.list(output.keys.prefix)).not.toContain(`${output.keys.prefix}diff.json`);
    const html = await text(store, output.keys.reportHtml as string);
    expect(html).not.toContain('Since the previous run');
    expect(store.types.get(output.keys.reportHtml as string)).toBe('text/html; charset=utf-8');
    expect(await text(store, output.keys.gapsCsv as string)).toBe(
      'accountId,accountName,regions,errorCode,message\r\n',
    );
    const athena = gunzipSync(await store.get(athenaObjectKey('functions', first.plan)))
      .toString()
      .trim()
      .split('\n');
    expect(athena.map((line) => JSON.parse(line).functionName).sort()).toEqual([
      'a-api',
      'b-api',
      'c-old',
      'd-aging',
      'gone',
      'hidden-next-run',
      'kept',
      'orders',
      'z-worker',
    ]);
  });

  it('diffs the second of two runs with the first, and names the diff in its output and latest.json', async () => {
    // Prepare
    const store = new TypedStore();

    // Act
    const { secondOutput: output } = await twoRuns(store);

    // Assess
    expect(output.keys.inventoryJson.endsWith('.gz')).toBe(true);
    expect(output.keys.diffJson).toBe(`${output.keys.prefix}diff.json`);
    const diff = (await getJson(store, output.keys.diffJson as string)) as {
      previous: { runId: string };
      added: { functionName: string }[];
      removed: { functionName: string }[];
      changed: { functionName: string; changes: { field: string }[] }[];
      newlyAtRisk: { functionName: string; runtimeStatus: string }[];
      counts: { notCompared: unknown };
      coverage: { stoppedScanning: { accountId: string; region: string }[] };
    };
    expect(diff.previous.runId).toBe('run-1');
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
    expect(output.changes).toEqual({
      previousRunId: 'run-1',
      line: '+1 −1 ~2 functions, 1 newly deprecated since run-1; targets: 3 no longer scanned',
      added: 1,
      removed: 1,
      changed: 2,
      newlyDeprecated: 1,
    });
    expect(LatestPointer.parse(await getJson(store, keys.latest)).keys).toEqual(output.keys);
  });

  it('shows the change on the page and lists the account the role refuses in gaps.csv', async () => {
    // Prepare
    const store = new TypedStore();

    // Act
    const { secondOutput: output } = await twoRuns(store);

    // Assess
    const html = await text(store, output.keys.reportHtml as string);
    expect(html).toContain('Since the previous run: +1 −1 ~2 functions');
    expect(html).toContain('inventory.csv.gz');
    // only C is refused in every region: B still lists eu-west-1
    const gaps = (await text(store, output.keys.gapsCsv as string)).trim().split('\n');
    expect(gaps.slice(1).map((row) => row.split(',').slice(0, 4).join(','))).toEqual([
      '333333333333,,2,AccessDenied',
    ]);
    const athena = gunzipSync(await store.get(athenaObjectKey('functions', second.plan)))
      .toString()
      .trim()
      .split('\n');
    expect(athena.map((line) => JSON.parse(line).functionName)).toEqual([
      'a-api',
      'b-api',
      'c-old',
      'd-aging',
      'new-one',
      'z-worker',
      'kept',
    ]);
  });

  it('writes the report without a diff, and warns, when the previous inventory is damaged', async () => {
    // Prepare
    const store = new MemoryStore();
    const logger = silentLogger();
    const warn = vi.spyOn(logger, 'warn');
    await writeRun(store, first);
    const firstOutput = await reduceRun(depsFor(store, false), { plan: first.plan });
    await store.put(firstOutput.keys.inventoryJson, '{"runId":"run-1","functions":[{"accountId":');
    await writeRun(store, second);

    // Act
    const output = await reduceRun(depsFor(store, true, { logger }), { plan: second.plan });

    // Assess
    expect(output.changes).toBeUndefined();
    expect(output.keys.diffJson).toBeUndefined();
    expect(await store.list(`${output.keys.prefix}diff.json`)).toEqual([]);
    expect(await text(store, output.keys.reportHtml as string)).not.toContain('Since the previous run');
    expect(LatestPointer.parse(await getJson(store, keys.latest)).runId).toBe('run-2');
    // its coverage comes from its Athena file: the damage shows when its functions are compared
    expect(warn.mock.calls.map(([message]) => message)).toContain(
      'the previous run inventory cannot be compared; the report has no diff',
    );
  });

  it('reads the previous coverage from its inventory when its Athena file cannot be read', async () => {
    // Prepare: the same two runs, run-1's Athena coverage file damaged
    const store = new MemoryStore();
    await writeRun(store, first);
    await reduceRun(depsFor(store, false), { plan: first.plan });
    await store.put(athenaObjectKey('coverage', first.plan), 'not gzip');
    await writeRun(store, second);

    // Act
    const output = await reduceRun(depsFor(store, true), { plan: second.plan });

    // Assess: the diff of the test above, coverage changes included
    expect(output.changes?.line).toBe(
      '+1 −1 ~2 functions, 1 newly deprecated since run-1; targets: 3 no longer scanned',
    );
  });

  it('writes the report without a diff, and warns, when the previous inventory is not sorted', async () => {
    // Prepare: two of run-1's function lines swapped (the document still parses)
    const store = new MemoryStore();
    const logger = silentLogger();
    const warn = vi.spyOn(logger, 'warn');
    await writeRun(store, first);
    const firstOutput = await reduceRun(depsFor(store, false), { plan: first.plan });
    const lines = (await text(store, firstOutput.keys.inventoryJson)).split('\n');
    const a = lines.findIndex((line) => line.includes('"functionName":"a-api"'));
    const b = lines.findIndex((line) => line.includes('"functionName":"b-api"'));
    [lines[a], lines[b]] = [(lines[b] as string).replace(/,$/, ''), `${lines[a]?.replace(/,$/, '')},`];
    await store.put(firstOutput.keys.inventoryJson, lines.join('\n'));
    await writeRun(store, second);

    // Act
    const output = await reduceRun(depsFor(store, true, { logger }), { plan: second.plan });

    // Assess
    expect(output.changes).toBeUndefined();
    expect(await store.list(`${output.keys.prefix}diff.json`)).toEqual([]);
    expect(warn.mock.calls.map(([message]) => message)).toContain(
      'the previous run inventory cannot be compared; the report has no diff',
    );
    // the pass went on after the diff stopped: every current function reached Athena
    const athena = gunzipSync(await store.get(athenaObjectKey('functions', second.plan)))
      .toString()
      .trim()
      .split('\n');
    expect(athena).toHaveLength(output.functionCount);
  });

  it('writes the report without a diff, and warns, when the previous inventory is gone', async () => {
    // Prepare: latest.json names an inventory that is not there (its Athena coverage is)
    const store = new MemoryStore();
    const logger = silentLogger();
    const warn = vi.spyOn(logger, 'warn');
    await writeRun(store, first);
    await reduceRun(depsFor(store, false), { plan: first.plan });
    const latest = LatestPointer.parse(await getJson(store, keys.latest));
    const missing = `${latest.keys.prefix}gone/inventory.json`;
    await putJson(store, keys.latest, { ...latest, keys: { ...latest.keys, inventoryJson: missing } });
    await writeRun(store, second);

    // Act
    const output = await reduceRun(depsFor(store, true, { logger }), { plan: second.plan });

    // Assess
    expect(output.changes).toBeUndefined();
    expect(await store.list(`${output.keys.prefix}diff.json`)).toEqual([]);
    expect(LatestPointer.parse(await getJson(store, keys.latest)).runId).toBe('run-2');
    const warning = warn.mock.calls.find(
      ([message]) => message === 'the previous run inventory cannot be compared; the report has no diff',
    );
    expect(JSON.stringify(warning?.[1])).toContain(`${missing} could not be read`);
  });

  it('fails the reduce, and keeps the previous report the latest, when an upload fails while the diff follows the inventory', async () => {
    // Prepare: the second run's inventory.csv upload never takes a byte, then fails
    const store = storeFailingUpload('inventory.csv.gz');
    await writeRun(store, first);
    await reduceRun(depsFor(store, false), { plan: first.plan });
    await writeRun(store, second);

    // Act
    const reducing = reduceRun(depsFor(store, true), { plan: second.plan });

    // Assess
    await expect(reducing).rejects.toThrow('inventory.csv.gz failed: SlowDown');
    expect(LatestPointer.parse(await getJson(store, keys.latest)).runId).toBe('run-1');
    const { prefix } = reportKeysFor(second.plan.runId, second.plan.startedAt, true);
    expect(prefix).toBe('reports/2026-11-02/run-2/');
    expect(await store.list(prefix)).toEqual([]);
  });

  it('diffs the rows as it writes them: over many partials and digest threads, diff.json is the diff of the two stored inventories', async () => {
    // Prepare: 40 accounts x 2 regions x 30 functions, far more partials than the writer's tap holds
    const accounts = Array.from({ length: 40 }, (_, a) => String(500_000_000_000 + a));
    const night = (second: boolean) => {
      const functions: Record<string, Partial<ScannedFunction>[]> = {};
      accounts.forEach((accountId, a) => {
        for (const region of REGIONS) {
          const list: Partial<ScannedFunction>[] = [];
          for (let f = 0; f < 30; f += 1) {
            // removed: the last function of every third account
            if (second && f === 29 && a % 3 === 0) continue;
            list.push({
              functionName: `fn-${String(f).padStart(2, '0')}`,
              // changed: the runtime of fn-03 in every fourth account (to a deprecated one)
              runtime: second && f === 3 && a % 4 === 0 ? 'python3.9' : 'nodejs24.x',
              // changed: the memory of fn-05 everywhere
              memorySize: second && f === 5 ? 512 : 128,
            });
          }
          // added: one function in every fifth account
          if (second && a % 5 === 0) list.push({ functionName: 'new-fn' });
          functions[`${accountId}/${region}`] = list;
        }
      });
      return functions;
    };
    // refused on the second night: account 7's us-east-1, all of account 8
    const denied = [`${accounts[7]}/us-east-1`, `${accounts[8]}/eu-west-1`, `${accounts[8]}/us-east-1`];
    const one = run('run-1', '2026-11-01T03:00:00.000Z', night(false), [], accounts);
    const two = run('run-2', '2026-11-02T03:00:00.000Z', night(true), denied, accounts);
    const store = new MemoryStore();
    await writeRun(store, one);
    const firstOutput = await reduceRun(depsFor(store, true, { digestThreads: 2 }), { plan: one.plan });
    await writeRun(store, two);

    // Act
    const output = await reduceRun(depsFor(store, true, { digestThreads: 2 }), { plan: two.plan });

    // Assess: the counts the two nights make (accounts 0..39; 7 and 8 partly refused)
    const diff = (await getJson(store, output.keys.diffJson as string)) as InventoryDiff;
    expect(diff.counts).toEqual({
      // every third account, both regions (7 and 8 are not among them)
      removed: 14 * 2,
      // every fifth account, both regions
      added: 8 * 2,
      // fn-05 in the 77 targets scanned both nights, fn-03 in every fourth account but 8 (both regions)
      changed: 77 + 9 * 2,
      unchanged: 77 * 30 - 14 * 2 - 77 - 9 * 2,
      newlyDeprecated: 9 * 2,
      newlyDeprecatingSoon: 0,
      notCompared: { previousOnly: 3 * 30, currentOnly: 0 },
      stoppedScanning: 3,
      startedScanning: 0,
    });
    // and the diff the CLI makes of the two inventories as stored
    const read = async (key: string) => new InventoryReader(await store.getStream(key), key);
    const coverageOf = async (key: string) =>
      (await readInventoryDocument(await store.getStream(key), key)).coverage;
    const stored = await diffInventories(
      (await read(firstOutput.keys.inventoryJson)).rows(),
      (await read(output.keys.inventoryJson)).rows(),
      {
        previous: { ...diff.previous, coverage: await coverageOf(firstOutput.keys.inventoryJson) },
        current: { ...diff.current, coverage: await coverageOf(output.keys.inventoryJson) },
      },
    );
    expect(diff).toEqual(JSON.parse(JSON.stringify(stored)));
  });

  it('hands the publisher the completion event of the second run, with the newly deprecated function', async () => {
    // Prepare
    const store = new MemoryStore();
    const published: unknown[] = [];
    const publisher: RunPublisher = {
      publish: async (detail) => {
        published.push(detail);
      },
    };

    // Act
    const { firstOutput, secondOutput } = await twoRuns(store, { publisher });

    // Assess
    const [firstDetail, secondDetail] = published.map((detail) => RunCompletedDetail.parse(detail));
    expect(firstDetail?.newlyDeprecated).toEqual({ previousRunId: null, count: 0, functions: [] });
    expect(firstDetail?.report.keys).toEqual(firstOutput.keys);
    expect(secondDetail?.newlyDeprecated.previousRunId).toBe('run-1');
    expect(secondDetail?.newlyDeprecated.functions.map((f) => [f.functionName, f.runtime])).toEqual([
      ['d-aging', 'nodejs16.x'],
    ]);
    expect(secondDetail?.functionCount).toBe(secondOutput.functionCount);
    expect(secondDetail?.report).toEqual({ bucket: second.plan.bucket, keys: secondOutput.keys });
  });

  it('completes the run when the publisher fails, and logs the failure', async () => {
    // Prepare
    const store = new MemoryStore();
    const logger = silentLogger();
    const error = vi.spyOn(logger, 'error');
    await writeRun(store, first);
    const publisher: RunPublisher = { publish: () => Promise.reject(new Error('bus gone')) };

    // Act
    const output = await reduceRun(depsFor(store, false, { logger, publisher }), { plan: first.plan });

    // Assess
    expect(LatestPointer.parse(await getJson(store, keys.latest)).runId).toBe(output.runId);
    expect(error).toHaveBeenCalledWith('run signals not sent; the report is written', { error: 'bus gone' });
  });
});
