import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  compressionFromEnv,
  createReduceHandler,
  defaultDigestThreads,
  reduceDepsFromEnv,
} from '../../functions/reduce/handler.ts';
import {
  PARTIALS_PER_THREAD,
  reduceRun as reduceRunCore,
  usefulThreads,
} from '../../functions/reduce/reduce-run.ts';
import {
  FolderObjectStore,
  getText,
  type ObjectStore,
  ObjectStoreError,
  putJson,
  S3ObjectStore,
  type WriteCondition,
} from '../../functions/shared/object-store.ts';
import {
  CoverageEntry,
  FunctionRecord,
  LatestPointer,
  type ReduceOutput,
  Summary,
  ValidationError,
} from '../../shared/contracts.ts';
import { DEFAULTS, ENV } from '../../shared/env.ts';
import { RunDataError } from '../../shared/errors.ts';
import { keys } from '../../shared/keys.ts';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ACCOUNT_C,
  functionLine,
  MemoryStore,
  planOutput,
  type RunFixture,
  SCAN_ID,
  sampleRun,
  scannedFunction,
  silentLogger,
  storeFailingUpload,
  targetLine,
  targetResult,
  writeRun,
} from './reduce-fixtures.ts';

const REPORT = 'reports/2026-11-02/run-2026-11-02/';
const reportFiles = ['inventory.json', 'inventory.csv', 'summary.json', 'coverage.csv'].map(
  (f) => `${REPORT}${f}`,
);
/** Written by the pass over the inventory, after reduce's own files (diff.json only with a previous run). */
const passFiles = ['gaps.csv', 'report.html'].map((f) => `${REPORT}${f}`);

function reduceWith(store: ObjectStore, concurrency = 2) {
  return createReduceHandler({ storeFor: () => store, concurrency, logger: silentLogger() });
}

async function reduceRun(store: ObjectStore, run: RunFixture, map?: unknown): Promise<ReduceOutput> {
  await writeRun(store, run);
  return reduceWith(store)({ plan: run.plan, ...(map === undefined ? {} : { map }) });
}

interface InventoryJson {
  schemaVersion: number;
  runId: string;
  startedAt: string;
  finishedAt: string;
  functions: unknown[];
  coverage: unknown[];
  summary: unknown;
}

let dir: string;
let store: FolderObjectStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reduce-'));
  store = new FolderObjectStore(dir);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reduce handler', () => {
  it('writes an inventory with every function of the run, sorted, with its runtime lifecycle', async () => {
    // Act
    await reduceRun(store, sampleRun());

    // Assess
    const inventory = JSON.parse(await getText(store, `${REPORT}inventory.json`)) as InventoryJson;
    expect(inventory).toMatchObject({
      schemaVersion: 1,
      runId: 'run-2026-11-02',
      startedAt: '2026-11-02T03:00:00.000Z',
      finishedAt: '2026-11-02T03:00:09.000Z',
    });
    const functions = inventory.functions.map((f) => FunctionRecord.parse(f));
    expect(functions.map((f) => [f.region, f.functionName, f.runtimeStatus])).toEqual([
      ['eu-west-1', 'alpha', 'supported'],
      ['eu-west-1', 'zeta', 'deprecated'],
      ['us-east-1', 'image-fn', 'image'],
    ]);
    expect(functions[1]).toMatchObject({ deprecationDate: '2025-12-15', blockUpdateDate: '2027-03-03' });
  });

  it('reports coverage for every planned target and skipped account, with null counts where nothing was scanned', async () => {
    // Act
    await reduceRun(store, sampleRun());

    // Assess
    const inventory = JSON.parse(await getText(store, `${REPORT}inventory.json`)) as InventoryJson;
    const coverage = inventory.coverage.map((c) => CoverageEntry.parse(c));
    expect(coverage.map((c) => [c.accountId, c.region, c.status, c.functionCount, c.pages])).toEqual([
      [ACCOUNT_A, 'eu-west-1', 'ok', 2, 1],
      [ACCOUNT_A, 'us-east-1', 'ok', 1, 1],
      [ACCOUNT_B, 'eu-west-1', 'access-denied', null, null],
      [ACCOUNT_B, 'us-east-1', 'not-scanned', null, null],
      [ACCOUNT_C, null, 'account-skipped', null, null],
    ]);
    expect(coverage[4]?.message).toBe('account is SUSPENDED');
  });

  it('returns the report keys and the coverage summary', async () => {
    // Act
    const output = await reduceRun(store, sampleRun());

    // Assess
    expect(output).toEqual({
      runId: 'run-2026-11-02',
      keys: {
        prefix: REPORT,
        inventoryJson: `${REPORT}inventory.json`,
        inventoryCsv: `${REPORT}inventory.csv`,
        summaryJson: `${REPORT}summary.json`,
        coverageCsv: `${REPORT}coverage.csv`,
        compression: 'none',
        reportHtml: `${REPORT}report.html`,
        gapsCsv: `${REPORT}gaps.csv`,
      },
      functionCount: 3,
      coverage: {
        targets: 4,
        scanned: 2,
        byStatus: {
          ok: 2,
          'access-denied': 1,
          'region-not-enabled': 0,
          throttled: 0,
          error: 0,
          'account-skipped': 1,
          'not-scanned': 1,
        },
        skippedAccounts: 1,
      },
    });
  });

  it('writes summary.json, the same summary as inventory.json holds', async () => {
    // Act
    await reduceRun(store, sampleRun());

    // Assess
    const summary = Summary.parse(JSON.parse(await getText(store, `${REPORT}summary.json`)));
    const inventory = JSON.parse(await getText(store, `${REPORT}inventory.json`)) as InventoryJson;
    expect(inventory.summary).toEqual(summary);
    expect(summary).toMatchObject({
      functionCount: 3,
      byRuntime: { image: 1, 'nodejs24.x': 1, 'python3.9': 1 },
      byAccount: { [ACCOUNT_A]: 3 },
      byRegion: { 'eu-west-1': 2, 'us-east-1': 1 },
      deprecated: [{ runtime: 'python3.9', runtimeStatus: 'deprecated', functionCount: 1 }],
      finishedAt: '2026-11-02T03:00:09.000Z',
    });
  });

  it('writes inventory.csv with a header and one row per function, and coverage.csv with one row per entry', async () => {
    // Act
    await reduceRun(store, sampleRun());

    // Assess
    const inventory = (await getText(store, `${REPORT}inventory.csv`)).split('\r\n');
    expect(inventory[0]).toMatch(
      /^accountId,accountName,region,functionName,functionArn,runtime,runtimeStatus,/,
    );
    expect(inventory.slice(1, -1).map((row) => row.split(',')[3])).toEqual(['alpha', 'zeta', 'image-fn']);
    expect(inventory.at(-1)).toBe('');
    const coverage = (await getText(store, `${REPORT}coverage.csv`)).split('\r\n');
    expect(coverage.slice(1, -1)).toEqual([
      `${ACCOUNT_A},alpha,eu-west-1,ok,2,1,120,,`,
      `${ACCOUNT_A},alpha,us-east-1,ok,1,1,120,,`,
      `${ACCOUNT_B},beta,eu-west-1,access-denied,,,120,AccessDenied,not authorized to perform sts:AssumeRole`,
      `${ACCOUNT_B},beta,us-east-1,not-scanned,,,,,`,
      `${ACCOUNT_C},closing,,account-skipped,,,,,account is SUSPENDED`,
    ]);
  });

  it('points latest.json at the report, written after every report file', async () => {
    // Prepare
    const recording = new RecordingStore();

    // Act
    await reduceRun(recording, sampleRun());

    // Assess
    expect(recording.written.filter((key) => key.startsWith('reports/'))).toEqual([
      ...reportFiles,
      ...passFiles,
      keys.latest,
    ]);
    const latest = LatestPointer.parse(JSON.parse(recording.text(keys.latest)));
    expect(latest).toMatchObject({ runId: 'run-2026-11-02', functionCount: 3, keys: { prefix: REPORT } });
  });

  it('writes byte-identical files when the same run is reduced twice', async () => {
    // Prepare
    const run = sampleRun();
    await reduceRun(store, run);
    const first = await Promise.all([...reportFiles, ...passFiles, keys.latest].map((key) => store.get(key)));

    // Act
    await reduceWith(store)({ plan: run.plan });

    // Assess
    const second = await Promise.all(
      [...reportFiles, ...passFiles, keys.latest].map((key) => store.get(key)),
    );
    expect(second.map((b) => Buffer.from(b).toString('base64'))).toEqual(
      first.map((b) => Buffer.from(b).toString('base64')),
    );
  });

  it('gives the same report whatever the read concurrency', async () => {
    // Prepare
    const run = sampleRun();
    await writeRun(store, run);
    await reduceWith(store, 1)({ plan: run.plan });
    const sequential = await getText(store, `${REPORT}inventory.json`);

    // Act
    await reduceWith(store, 8)({ plan: run.plan });

    // Assess
    expect(await getText(store, `${REPORT}inventory.json`)).toBe(sequential);
  });

  it('leaves latest.json on a newer run when an older run is reduced afterwards', async () => {
    // Prepare
    const newer = sampleRun({ runId: 'run-newer', startedAt: '2026-11-03T03:00:00.000Z' });
    const older = sampleRun({ runId: 'run-older', startedAt: '2026-11-02T03:00:00.000Z' });
    await reduceRun(store, newer);

    // Act
    const output = await reduceRun(store, older);

    // Assess
    const latest = LatestPointer.parse(JSON.parse(await getText(store, keys.latest)));
    expect(latest.runId).toBe('run-newer');
    // no diff.json: the run latest.json names started after this one
    expect(await store.list(output.keys.prefix)).toEqual(
      ['coverage.csv', 'gaps.csv', 'inventory.csv', 'inventory.json', 'report.html', 'summary.json'].map(
        (f) => `${output.keys.prefix}${f}`,
      ),
    );
  });

  it('moves latest.json to a newer run', async () => {
    // Prepare
    await reduceRun(store, sampleRun({ runId: 'run-older', startedAt: '2026-11-02T03:00:00.000Z' }));

    // Act
    await reduceRun(store, sampleRun({ runId: 'run-newer', startedAt: '2026-11-03T03:00:00.000Z' }));

    // Assess
    const latest = LatestPointer.parse(JSON.parse(await getText(store, keys.latest)));
    expect(latest).toMatchObject({ runId: 'run-newer', keys: { prefix: 'reports/2026-11-03/run-newer/' } });
  });

  it('replaces a latest.json that is not a pointer', async () => {
    // Prepare
    await store.put(keys.latest, '{"runId": 42');

    // Act
    await reduceRun(store, sampleRun());

    // Assess
    expect(LatestPointer.parse(JSON.parse(await getText(store, keys.latest))).runId).toBe('run-2026-11-02');
  });

  it('fails with RunDataError when the targets file is missing, and writes nothing', async () => {
    // Prepare
    const run = sampleRun();

    // Act
    const reducing = reduceWith(store)({ plan: run.plan });

    // Assess
    await expect(reducing).rejects.toThrow(RunDataError);
    await expect(reducing).rejects.toThrow(keys.targets(run.plan.runId));
    expect(await store.list('reports/')).toEqual([]);
  });

  it('fails on a corrupt partial line naming the partial, and leaves no report and the old pointer', async () => {
    // Prepare
    await reduceRun(store, sampleRun({ runId: 'run-before', startedAt: '2026-11-01T03:00:00.000Z' }));
    const run = sampleRun();
    const badName = `${ACCOUNT_B}-eu-west-1-bbbbbbbb`;
    run.partials[badName] = [
      targetLine(targetResult({ accountId: ACCOUNT_B })),
      '{"kind":"function","functi',
    ];

    // Act
    const reducing = reduceRun(store, run);

    // Assess
    await expect(reducing).rejects.toThrow(RunDataError);
    await expect(reducing).rejects.toThrow(
      `partial ${keys.partial(run.plan.runId, run.plan.scanId, badName)}, line 2`,
    );
    expect(await store.list(REPORT)).toEqual([]);
    expect(await readdir(join(dir, 'reports/2026-11-02/run-2026-11-02'))).toEqual([]);
    expect(LatestPointer.parse(JSON.parse(await getText(store, keys.latest))).runId).toBe('run-before');
  });

  it('rejects an event that is not a ReduceInput, naming the field', async () => {
    // Act
    const reducing = reduceWith(store)({ plan: { ...sampleRun().plan, runId: 'bad id!' } });

    // Assess
    await expect(reducing).rejects.toThrow(ValidationError);
    await expect(reducing).rejects.toThrow(/plan\.runId/);
  });

  it('reports a run whose every target failed: no functions, every target not-scanned', async () => {
    // Prepare
    const run = sampleRun();
    run.partials = {};

    // Act
    const output = await reduceRun(store, run);

    // Assess
    const inventory = JSON.parse(await getText(store, `${REPORT}inventory.json`)) as InventoryJson;
    expect(inventory.functions).toEqual([]);
    expect(inventory.finishedAt).toBe(run.plan.startedAt);
    expect(output.coverage.byStatus['not-scanned']).toBe(4);
    expect(output.functionCount).toBe(0);
  });
});

describe('reduce handler and scans of a reused run id', () => {
  it("reports exactly its own scan's functions when an earlier scan of the run id left partials", async () => {
    // Prepare: scan 1 covered two accounts in two regions; scan 2 of the same run id only one target.
    // Scan 1's prefix sorts first, so reading both scans would take its lines first.
    const first = sampleRun();
    await reduceRun(store, first);
    const secondPlan = {
      ...first.plan,
      scanId: '5ca1ab1e0002',
      targetCount: 1,
      accountCount: 1,
      skippedCount: 0,
    };
    const second: RunFixture = {
      plan: { ...secondPlan, regions: ['eu-west-1'] },
      targets: [{ accountId: ACCOUNT_A, accountName: 'alpha', region: 'eu-west-1' }],
      skipped: [],
      partials: {
        [`${ACCOUNT_A}-eu-west-1-cccccccc`]: [
          targetLine(targetResult({ accountName: 'alpha', functionCount: 1 })),
          functionLine(scannedFunction({ functionName: 'only-in-scan-2' })),
        ],
      },
    };

    // Act
    const output = await reduceRun(store, second);

    // Assess
    const inventory = JSON.parse(await getText(store, `${REPORT}inventory.json`)) as InventoryJson;
    const functions = inventory.functions.map((f) => FunctionRecord.parse(f));
    expect(functions.map((f) => `${f.accountId}/${f.region}/${f.functionName}`)).toEqual([
      `${ACCOUNT_A}/eu-west-1/only-in-scan-2`,
    ]);
    const coverage = inventory.coverage.map((c) => CoverageEntry.parse(c));
    expect(coverage.map((c) => [c.accountId, c.region, c.status, c.functionCount])).toEqual([
      [ACCOUNT_A, 'eu-west-1', 'ok', 1],
    ]);
    expect(output).toMatchObject({
      functionCount: 1,
      coverage: { targets: 1, scanned: 1, skippedAccounts: 0 },
    });
  });

  it('ignores lines of unplanned targets and counts a target reported twice once, logging it once', async () => {
    // Prepare: besides the sample run's partials, one that repeats a target and names one never planned
    const run = sampleRun();
    run.partials[`${ACCOUNT_A}-eu-west-1-ffffffff`] = [
      targetLine(
        targetResult({ accountName: 'alpha', functionCount: 1, scannedAt: '2026-11-02T04:00:00.000Z' }),
      ),
      functionLine(scannedFunction({ functionName: 'repeated' })),
      targetLine(targetResult({ accountId: ACCOUNT_C, functionCount: 1 })),
      functionLine(scannedFunction({ accountId: ACCOUNT_C, functionName: 'unplanned' })),
    ];
    await writeRun(store, run);
    const logger = silentLogger();
    const warn = vi.spyOn(logger, 'warn');

    // Act
    const output = await reduceRunCore(
      { storeFor: () => store, concurrency: 2, compress: false, digestThreads: 0, logger },
      { plan: run.plan },
    );

    // Assess
    const inventory = JSON.parse(await getText(store, `${REPORT}inventory.json`)) as InventoryJson;
    const functions = inventory.functions.map((f) => FunctionRecord.parse(f));
    expect(functions.map((f) => f.functionName)).toEqual(['alpha', 'zeta', 'image-fn']);
    const coverage = inventory.coverage.map((c) => CoverageEntry.parse(c));
    expect(coverage.map((c) => [c.accountId, c.region, c.status, c.functionCount])).toEqual([
      [ACCOUNT_A, 'eu-west-1', 'ok', 2],
      [ACCOUNT_A, 'us-east-1', 'ok', 1],
      [ACCOUNT_B, 'eu-west-1', 'access-denied', null],
      [ACCOUNT_B, 'us-east-1', 'not-scanned', null],
      [ACCOUNT_C, null, 'account-skipped', null],
    ]);
    // the repeated report's scan time is not the run's end either
    expect(inventory.finishedAt).toBe('2026-11-02T03:00:09.000Z');
    expect(output).toMatchObject({ functionCount: 3, coverage: { targets: 4, scanned: 2 } });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toEqual({
      targetLines: 2,
      functionLines: 2,
      unplanned: [`${ACCOUNT_C}/eu-west-1`],
      repeated: [`${ACCOUNT_A}/eu-west-1`],
      withoutTargetLine: [],
    });
  });

  it('fails with RunDataError naming the skipped-accounts file when it is missing, and writes nothing', async () => {
    // Prepare
    const run = sampleRun();
    await writeRun(store, run);
    await rm(join(dir, run.plan.skippedKey));

    // Act
    const reducing = reduceWith(store)({ plan: run.plan });

    // Assess
    await expect(reducing).rejects.toThrow(RunDataError);
    await expect(reducing).rejects.toThrow(run.plan.skippedKey);
    expect(await store.list('reports/')).toEqual([]);
  });
});

describe('reduce handler and store failures', () => {
  it('fails with ObjectStoreError naming the file when an inventory upload fails, and moves no pointer', async () => {
    // Prepare: an upload that takes nothing and then fails, so the writer waits on backpressure
    const failing = storeFailingUpload('inventory.csv');

    // Act
    const reducing = reduceRun(failing, sampleRun());

    // Assess
    await expect(reducing).rejects.toThrow(ObjectStoreError);
    await expect(reducing).rejects.toThrow(`writing ${REPORT}inventory.csv failed: SlowDown`);
    expect(await failing.list('reports/')).toEqual([]);
  });
});

describe('reduce handler and environment variables', () => {
  it('reports environment variable names and nothing else about the environment', async () => {
    // Prepare
    const run = sampleRun();
    run.partials[`${ACCOUNT_A}-eu-west-1-aaaaaaaa`] = [
      targetLine(targetResult({ functionCount: 1 })),
      functionLine(scannedFunction({ environmentVariableNames: ['DB_PASSWORD', 'API_TOKEN'] })),
    ];

    // Act
    await reduceRun(store, run);

    // Assess
    const inventory = JSON.parse(await getText(store, `${REPORT}inventory.json`)) as InventoryJson;
    const [fn] = inventory.functions as Record<string, unknown>[];
    expect(fn?.environmentVariableNames).toEqual(['DB_PASSWORD', 'API_TOKEN']);
    expect(Object.keys(fn ?? {}).filter((k) => /env/i.test(k))).toEqual(['environmentVariableNames']);
    expect(await getText(store, `${REPORT}inventory.csv`)).toContain(',DB_PASSWORD;API_TOKEN,');
  });

  it('refuses a partial that carries environment values, and no value reaches any output', async () => {
    // Prepare
    const run = sampleRun();
    const decoy = { ...scannedFunction(), environment: { Variables: { DB_PASSWORD: 'hunter2-secret' } } };
    run.partials[`${ACCOUNT_A}-eu-west-1-aaaaaaaa`] = [
      targetLine(targetResult({ functionCount: 1 })),
      JSON.stringify({ kind: 'function', function: decoy }),
    ];

    // Act
    const error = (await reduceRun(store, run).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;

    // Assess
    expect(error).toBeInstanceOf(RunDataError);
    expect(error.message).not.toContain('hunter2-secret');
    expect(await store.list('reports/')).toEqual([]);
  });
});

describe('reduce handler and failed map batches', () => {
  const MAP_PREFIX = `${keys.mapResultsPrefix}/0f1e2d3c`;
  const mapOutput = {
    MapRunArn: 'arn:aws:states:eu-west-1:999999999999:mapRun:inventory/scan:0f1e2d3c',
    ResultWriterDetails: { Bucket: 'inventory-bucket', Key: `${MAP_PREFIX}/manifest.json` },
  };

  async function writeMapResults(failed: unknown[]): Promise<void> {
    await putJson(store, `${MAP_PREFIX}/manifest.json`, {
      DestinationBucket: 'inventory-bucket',
      MapRunArn: mapOutput.MapRunArn,
      ResultFiles: {
        FAILED: [{ Key: `${MAP_PREFIX}/FAILED_0.json`, Size: 1 }],
        PENDING: [],
        SUCCEEDED: [{ Key: `${MAP_PREFIX}/SUCCEEDED_0.json`, Size: 1 }],
      },
    });
    await putJson(store, `${MAP_PREFIX}/FAILED_0.json`, failed);
  }

  const failedBatch = (items: unknown[], error: string, cause: string) => ({
    ExecutionArn: 'arn:aws:states:eu-west-1:999999999999:express:inventory/scan:1',
    Input: JSON.stringify({
      Items: items,
      BatchInput: { runId: 'run-2026-11-02', scanId: SCAN_ID, bucket: 'inventory-bucket' },
    }),
    InputDetails: { Included: true },
    Name: '1',
    Error: error,
    Cause: cause,
    Status: 'FAILED',
    StartDate: '2026-11-02T03:00:01.000Z',
    StopDate: '2026-11-02T03:05:01.000Z',
  });

  it("attaches the failed batch's error and cause to its not-scanned targets", async () => {
    // Prepare
    await writeMapResults([
      failedBatch(
        [{ accountId: ACCOUNT_B, accountName: 'beta', region: 'us-east-1' }],
        'ObjectStoreError',
        JSON.stringify({
          errorType: 'ObjectStoreError',
          errorMessage: 'writing the partial failed',
          trace: [],
        }),
      ),
    ]);

    // Act
    await reduceRun(store, sampleRun(), mapOutput);

    // Assess
    const inventory = JSON.parse(await getText(store, `${REPORT}inventory.json`)) as InventoryJson;
    const notScanned = inventory.coverage
      .map((c) => CoverageEntry.parse(c))
      .filter((c) => c.status === 'not-scanned');
    expect(notScanned).toEqual([
      {
        accountId: ACCOUNT_B,
        accountName: 'beta',
        region: 'us-east-1',
        status: 'not-scanned',
        functionCount: null,
        pages: null,
        durationMs: null,
        errorCode: 'ObjectStoreError',
        message: 'writing the partial failed',
      },
    ]);
  });

  it('keeps a plain-text cause as the message', async () => {
    // Prepare
    await writeMapResults([
      failedBatch(
        [{ accountId: ACCOUNT_B, region: 'us-east-1' }],
        'States.Timeout',
        'Task timed out after 300 s',
      ),
    ]);

    // Act
    await reduceRun(store, sampleRun(), mapOutput);

    // Assess
    const coverageCsv = await getText(store, `${REPORT}coverage.csv`);
    expect(coverageCsv).toContain(
      `${ACCOUNT_B},beta,us-east-1,not-scanned,,,,States.Timeout,Task timed out after 300 s`,
    );
  });

  it('tolerates a missing manifest: targets stay not-scanned without an error', async () => {
    // Act
    const output = await reduceRun(store, sampleRun(), mapOutput);

    // Assess
    expect(output.coverage.byStatus['not-scanned']).toBe(1);
    expect(await getText(store, `${REPORT}coverage.csv`)).toContain(
      `${ACCOUNT_B},beta,us-east-1,not-scanned,,,,,`,
    );
  });

  it('skips result entries it cannot read and attributes the rest', async () => {
    // Prepare
    await writeMapResults([
      { Input: 'not json', Error: 'X' },
      failedBatch([{ accountId: ACCOUNT_B, region: 'us-east-1' }], 'Lambda.Unknown', 'out of memory'),
    ]);

    // Act
    await reduceRun(store, sampleRun(), mapOutput);

    // Assess
    expect(await getText(store, `${REPORT}coverage.csv`)).toContain(
      'not-scanned,,,,Lambda.Unknown,out of memory',
    );
  });
});

describe('reduce handler and the exact report content', () => {
  const ALPHA =
    '{"accountId":"111111111111","accountName":"alpha","region":"eu-west-1","functionName":"alpha",' +
    '"functionArn":"arn:aws:lambda:eu-west-1:111111111111:function:alpha","runtime":"nodejs24.x",' +
    '"packageType":"Zip","architectures":["arm64"],"memorySize":256,"timeout":30,"ephemeralStorage":512,' +
    '"codeSize":1024,"handler":"index.handler","lastModified":"2026-10-01T10:00:00.000+0000",' +
    '"role":"arn:aws:iam::111111111111:role/alpha-role","layers":[],"tracingMode":"PassThrough",' +
    '"snapStart":null,"environmentVariableNames":[],"version":"$LATEST","runtimeStatus":"supported",' +
    '"deprecationDate":"2028-04-30","blockCreateDate":"2028-06-01","blockUpdateDate":"2028-07-01"}';

  it('writes inventory.json as its header, one function per line, then its tail', async () => {
    // Act
    await reduceRun(store, sampleRun());

    // Assess
    const lines = (await getText(store, `${REPORT}inventory.json`)).split('\n');
    expect(lines[0]).toBe(
      '{"schemaVersion":1,"runId":"run-2026-11-02","startedAt":"2026-11-02T03:00:00.000Z","functions":[',
    );
    expect(lines[1]).toBe(`${ALPHA},`);
    expect(lines[2]).toMatch(
      /^\{"accountId":"111111111111",.*"functionName":"zeta",.*"environmentVariableNames":\["DB_HOST"\],.*\},$/,
    );
    expect(lines[3]).toMatch(
      /^\{.*"functionName":"image-fn",.*"runtime":null,"packageType":"Image",.*"runtimeStatus":"image","deprecationDate":null,"blockCreateDate":null,"blockUpdateDate":null\}$/,
    );
    expect(lines[4]).toBe('],"finishedAt":"2026-11-02T03:00:09.000Z","coverage":[');
    expect(lines.at(-1)).toBe('');
  });

  it('writes inventory.csv cell for cell: lifecycle dates, empty cells for nulls, variable names only', async () => {
    // Act
    await reduceRun(store, sampleRun());

    // Assess
    expect(await getText(store, `${REPORT}inventory.csv`)).toBe(
      [
        'accountId,accountName,region,functionName,functionArn,runtime,runtimeStatus,deprecationDate,' +
          'blockCreateDate,blockUpdateDate,packageType,architectures,memorySize,timeout,ephemeralStorage,' +
          'codeSize,handler,lastModified,role,layers,tracingMode,snapStart,environmentVariableNames,version',
        '111111111111,alpha,eu-west-1,alpha,arn:aws:lambda:eu-west-1:111111111111:function:alpha,nodejs24.x,' +
          'supported,2028-04-30,2028-06-01,2028-07-01,Zip,arm64,256,30,512,1024,index.handler,' +
          '2026-10-01T10:00:00.000+0000,arn:aws:iam::111111111111:role/alpha-role,,PassThrough,,,$LATEST',
        '111111111111,alpha,eu-west-1,zeta,arn:aws:lambda:eu-west-1:111111111111:function:zeta,python3.9,' +
          'deprecated,2025-12-15,2027-02-01,2027-03-03,Zip,arm64,256,30,512,1024,index.handler,' +
          '2026-10-01T10:00:00.000+0000,arn:aws:iam::111111111111:role/zeta-role,,PassThrough,,DB_HOST,$LATEST',
        '111111111111,alpha,us-east-1,image-fn,arn:aws:lambda:us-east-1:111111111111:function:image-fn,,' +
          'image,,,,Image,arm64,256,30,512,1024,index.handler,2026-10-01T10:00:00.000+0000,' +
          'arn:aws:iam::111111111111:role/image-fn-role,,PassThrough,,,$LATEST',
        '',
      ].join('\r\n'),
    );
  });
});

describe('reduce handler with compression', () => {
  const reduceCompressed = (target: ObjectStore, run: RunFixture) =>
    writeRun(target, run).then(() =>
      createReduceHandler({ storeFor: () => target, concurrency: 2, compress: true, logger: silentLogger() })(
        {
          plan: run.plan,
        },
      ),
    );

  it('writes inventory.json.gz and inventory.csv.gz holding exactly the plain files, and plain summary and coverage', async () => {
    // Prepare: the same run reduced plain first
    const run = sampleRun();
    await reduceRun(store, run);
    const plain = await Promise.all(reportFiles.map((key) => store.get(key)));
    await rm(join(dir, REPORT), { recursive: true });

    // Act
    await reduceCompressed(store, run);

    // Assess
    expect(await store.list(REPORT)).toEqual(
      [
        'coverage.csv',
        'gaps.csv',
        'inventory.csv.gz',
        'inventory.json.gz',
        'report.html',
        'summary.json',
      ].map((f) => `${REPORT}${f}`),
    );
    const [json, csv, summary, coverage] = await Promise.all(
      ['inventory.json.gz', 'inventory.csv.gz', 'summary.json', 'coverage.csv'].map((f) =>
        store.get(`${REPORT}${f}`),
      ),
    );
    expect(gunzipSync(json as Uint8Array).equals(Buffer.from(plain[0] as Uint8Array))).toBe(true);
    expect(gunzipSync(csv as Uint8Array).equals(Buffer.from(plain[1] as Uint8Array))).toBe(true);
    expect(Buffer.from(summary as Uint8Array).equals(Buffer.from(plain[2] as Uint8Array))).toBe(true);
    expect(Buffer.from(coverage as Uint8Array).equals(Buffer.from(plain[3] as Uint8Array))).toBe(true);
  });

  it('names the files it wrote, and how, in its output and in latest.json', async () => {
    // Act
    const output = await reduceCompressed(store, sampleRun());

    // Assess
    const expectedKeys = {
      prefix: REPORT,
      inventoryJson: `${REPORT}inventory.json.gz`,
      inventoryCsv: `${REPORT}inventory.csv.gz`,
      summaryJson: `${REPORT}summary.json`,
      coverageCsv: `${REPORT}coverage.csv`,
      compression: 'gzip',
      reportHtml: `${REPORT}report.html`,
      gapsCsv: `${REPORT}gaps.csv`,
    };
    expect(output.keys).toEqual(expectedKeys);
    expect(LatestPointer.parse(JSON.parse(await getText(store, keys.latest))).keys).toEqual(expectedKeys);
    for (const key of Object.values(expectedKeys).filter(
      (value) => value.startsWith(REPORT) && value !== REPORT,
    ))
      expect(await store.list(key)).toEqual([key]);
  });

  it('stores the .gz files as application/gzip, with no content encoding to be undone in transit', async () => {
    // Prepare
    const recording = new ContentTypeStore();

    // Act
    await reduceCompressed(recording, sampleRun());

    // Assess
    expect(recording.contentTypes.get(`${REPORT}inventory.json.gz`)).toBe('application/gzip');
    expect(recording.contentTypes.get(`${REPORT}inventory.csv.gz`)).toBe('application/gzip');
  });

  it('leaves no compressed file behind when an upload fails', async () => {
    // Prepare
    const failing = storeFailingUpload('inventory.csv.gz');

    // Act
    const reducing = reduceCompressed(failing, sampleRun());

    // Assess
    await expect(reducing).rejects.toThrow(ObjectStoreError);
    await expect(reducing).rejects.toThrow(`writing ${REPORT}inventory.csv.gz failed: SlowDown`);
    expect(await failing.list('reports/')).toEqual([]);
  });
});

describe('reduce handler with digest threads', () => {
  /** A run of many batches: enough partials for the digest threads to start. */
  function manyBatches(): RunFixture {
    const accounts = Array.from({ length: 2 * PARTIALS_PER_THREAD + 3 }, (_, i) =>
      String(200_000_000_000 + i),
    );
    const regions = ['eu-west-1', 'us-east-1'];
    const targets = accounts.flatMap((accountId) => regions.map((region) => ({ accountId, region })));
    const partials = Object.fromEntries(
      accounts.map((accountId, a) => [
        `${accountId}-eu-west-1-${String(a).padStart(8, '0')}`,
        regions.flatMap((region) => [
          targetLine(targetResult({ accountId, region, functionCount: 3 })),
          ...['c', 'a', 'b'].map((name) =>
            functionLine(
              scannedFunction({
                accountId,
                region,
                functionName: `${name}-${a}`,
                runtime: a % 2 === 0 ? 'python3.9' : 'nodejs24.x',
                environmentVariableNames: ['DB_PASSWORD'],
              }),
            ),
          ),
        ]),
      ]),
    );
    // a stray target and a repeated one, which the screen leaves out on either path
    partials['zzz-stray'] = [
      targetLine(targetResult({ accountId: '999999999999' })),
      functionLine(scannedFunction({ accountId: '999999999999' })),
      targetLine(targetResult({ accountId: accounts[0] })),
      functionLine(scannedFunction({ accountId: accounts[0], functionName: 'repeated' })),
    ];
    return {
      plan: planOutput({ targetCount: targets.length, accountCount: accounts.length }),
      targets,
      skipped: [],
      partials,
    };
  }

  it('writes the same report on worker threads as on the main thread', async () => {
    // Prepare
    const run = manyBatches();
    await writeRun(store, run);
    const reduceWithThreads = (digestThreads: number) =>
      createReduceHandler({ storeFor: () => store, concurrency: 4, digestThreads, logger: silentLogger() })({
        plan: run.plan,
      });
    const inline = await reduceWithThreads(0);
    const files = await Promise.all(reportFiles.map((key) => store.get(key)));

    // Act
    const threaded = await reduceWithThreads(2);

    // Assess
    expect(threaded).toEqual(inline);
    expect(threaded.functionCount).toBe((2 * PARTIALS_PER_THREAD + 3) * 6);
    const again = await Promise.all(reportFiles.map((key) => store.get(key)));
    expect(again.map((b) => Buffer.from(b).toString('base64'))).toEqual(
      files.map((b) => Buffer.from(b).toString('base64')),
    );
  });
});

/** Records the content type each object was written with. */
class ContentTypeStore extends MemoryStore {
  readonly contentTypes = new Map<string, string | undefined>();

  override async put(key: string, body: string | Uint8Array, contentType?: string): Promise<void> {
    this.contentTypes.set(key, contentType);
    await super.put(key, body);
  }

  override putStream(key: string, contentType?: string) {
    this.contentTypes.set(key, contentType);
    return super.putStream(key);
  }
}

/** Records the order in which objects become complete. */
class RecordingStore extends MemoryStore {
  readonly written: string[] = [];

  override async put(key: string, body: string | Uint8Array): Promise<void> {
    await super.put(key, body);
    this.written.push(key);
  }

  override async putIfUnchanged(
    key: string,
    body: string | Uint8Array,
    expected: WriteCondition,
  ): Promise<boolean> {
    const wrote = await super.putIfUnchanged(key, body, expected);
    if (wrote) this.written.push(key);
    return wrote;
  }

  override putStream(key: string) {
    const target = super.putStream(key);
    return { stream: target.stream, done: target.done.then(() => void this.written.push(key)) };
  }
}

describe('reduceDepsFromEnv', () => {
  it.each([
    ['the default when the variable is unset', {}, DEFAULTS.reduceConcurrency],
    ['the configured value', { [ENV.reduceConcurrency]: '3' }, 3],
  ])('reads the concurrency: %s', (_case, env, expected) => {
    // Act
    const deps = reduceDepsFromEnv(env);

    // Assess
    expect(deps.concurrency).toBe(expected);
    expect(deps.storeFor('inventory-bucket')).toBeInstanceOf(S3ObjectStore);
    expect(deps.storeFor('inventory-bucket').location).toBe('s3://inventory-bucket');
  });

  it.each([
    ['plain files when the variable is unset', {}, false],
    ['plain files for "false"', { [ENV.reportCompression]: 'false' }, false],
    ['compressed files for "true"', { [ENV.reportCompression]: 'true' }, true],
  ])('reads the report compression: %s', (_case, env, expected) => {
    // Act
    const deps = reduceDepsFromEnv(env);

    // Assess
    expect(deps.compress).toBe(expected);
  });

  it.each(['yes', '1', 'TRUE'])('refuses the report compression "%s", naming the variable', (value) => {
    // Act
    const reading = () => compressionFromEnv({ [ENV.reportCompression]: value });

    // Assess
    expect(reading).toThrow(
      `environment variable ${ENV.reportCompression} must be "true" or "false", got "${value}"`,
    );
  });

  it.each([
    [1, 0],
    [2, 2],
    [4, 4],
  ])('digests on %i cores with %i worker threads', (cores, threads) => {
    // Assess
    expect(defaultDigestThreads(cores)).toBe(threads);
  });

  it('refuses a concurrency that is not a positive integer, naming the variable', () => {
    // Act
    const building = () => reduceDepsFromEnv({ [ENV.reduceConcurrency]: '0' });

    // Assess
    expect(building).toThrow(ENV.reduceConcurrency);
  });
});

describe('usefulThreads', () => {
  it.each([
    ['no threads for a small run', 4, PARTIALS_PER_THREAD - 1, 0],
    ['one thread per PARTIALS_PER_THREAD partials', 4, 2 * PARTIALS_PER_THREAD + 1, 2],
    ['no more than asked for', 2, 100 * PARTIALS_PER_THREAD, 2],
    ['none when none are asked for', 0, 100 * PARTIALS_PER_THREAD, 0],
  ])('starts %s', (_case, wanted, partials, expected) => {
    // Assess
    expect(usefulThreads(wanted, partials)).toBe(expected);
  });
});
