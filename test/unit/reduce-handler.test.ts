import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createReduceHandler, reduceDepsFromEnv } from '../../functions/reduce/handler.ts';
import { reduceRun as reduceRunCore } from '../../functions/reduce/reduce-run.ts';
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
  type RunFixture,
  SCAN_ID,
  sampleRun,
  scannedFunction,
  silentLogger,
  targetLine,
  targetResult,
  writeRun,
} from './reduce-fixtures.ts';

const REPORT = 'reports/2026-11-02/run-2026-11-02/';
const reportFiles = ['inventory.json', 'inventory.csv', 'summary.json', 'coverage.csv'].map(
  (f) => `${REPORT}${f}`,
);

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
      keys.latest,
    ]);
    const latest = LatestPointer.parse(JSON.parse(recording.text(keys.latest)));
    expect(latest).toMatchObject({ runId: 'run-2026-11-02', functionCount: 3, keys: { prefix: REPORT } });
  });

  it('writes byte-identical files when the same run is reduced twice', async () => {
    // Prepare
    const run = sampleRun();
    await reduceRun(store, run);
    const first = await Promise.all([...reportFiles, keys.latest].map((key) => store.get(key)));

    // Act
    await reduceWith(store)({ plan: run.plan });

    // Assess
    const second = await Promise.all([...reportFiles, keys.latest].map((key) => store.get(key)));
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
    expect(await store.list(output.keys.prefix)).toEqual(
      ['coverage.csv', 'inventory.csv', 'inventory.json', 'summary.json'].map(
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
    const output = await reduceRunCore({ storeFor: () => store, concurrency: 2, logger }, { plan: run.plan });

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
    const failing = new (class extends MemoryStore {
      override putStream(key: string) {
        if (!key.endsWith('inventory.csv')) return super.putStream(key);
        const stream = new Writable({ highWaterMark: 1, write: () => undefined });
        const done = new Promise<void>((_, reject) => {
          setImmediate(() => reject(new Error('SlowDown: reduce your request rate')));
        });
        return { stream, done };
      }
    })();

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

  it('refuses a concurrency that is not a positive integer, naming the variable', () => {
    // Act
    const building = () => reduceDepsFromEnv({ [ENV.reduceConcurrency]: '0' });

    // Assess
    expect(building).toThrow(ENV.reduceConcurrency);
  });
});
