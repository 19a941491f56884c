import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createReduceHandler, handler } from '../../functions/reduce/handler.ts';
import { s3Client } from '../../functions/shared/clients.ts';
import {
  FolderObjectStore,
  getText,
  ObjectNotFoundError,
  type ObjectStore,
  S3ObjectStore,
} from '../../functions/shared/object-store.ts';
import { CoverageEntry, FunctionRecord, LatestPointer, Summary } from '../../shared/contracts.ts';
import { ENV } from '../../shared/env.ts';
import { keys } from '../../shared/keys.ts';
import { type RunningS3rver, startS3rver } from './object-store-s3rver.ts';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ACCOUNT_C,
  functionLine,
  planOutput,
  type RunFixture,
  sampleRun,
  scannedFunction,
  silentLogger,
  targetLine,
  targetResult,
  writeRun,
} from './reduce-fixtures.ts';

const MiB = 1024 * 1024;

let s3rver: RunningS3rver;
let s3: S3Client;
let bucketCount = 0;

beforeAll(async () => {
  s3rver = await startS3rver();
  // the production client (clients.ts), pointed at s3rver through the SDK's own endpoint setting
  vi.stubEnv('AWS_ENDPOINT_URL_S3', s3rver.endpoint);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'S3RVER');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'S3RVER');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  s3 = s3Client();
});

afterAll(async () => {
  s3?.destroy();
  await s3rver?.stop();
  vi.unstubAllEnvs();
});

async function newBucket(): Promise<string> {
  bucketCount += 1;
  const bucket = `inventory-test-${bucketCount}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const storeKinds: [string, () => Promise<ObjectStore>][] = [
  [
    'FolderObjectStore',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'object-store-'));
      folders.push(dir);
      return new FolderObjectStore(dir);
    },
  ],
  ['S3ObjectStore on s3rver', async () => new S3ObjectStore(s3, await newBucket())],
];

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Writes `size` bytes of a repeating pattern in 256 KiB chunks, waiting on backpressure; returns what was sent. */
async function writePattern(stream: Writable, size: number): Promise<Buffer> {
  const sent = Buffer.alloc(size);
  for (let i = 0; i < size; i += 1) sent[i] = (i * 31 + (i >> 12)) & 0xff;
  for (let offset = 0; offset < size; offset += 256 * 1024) {
    if (!stream.write(sent.subarray(offset, offset + 256 * 1024))) {
      await new Promise((resolve) => stream.once('drain', resolve));
    }
  }
  return sent;
}

describe.each(storeKinds)('%s', (_kind, makeStore) => {
  it('round-trips text', async () => {
    // Prepare
    const store = await makeStore();

    // Act
    await store.put('reports/latest.json', '{"runId":"r1","note":"héllo ✓"}', 'application/json');

    // Assess
    expect(await getText(store, 'reports/latest.json')).toBe('{"runId":"r1","note":"héllo ✓"}');
  });

  it('round-trips binary data byte for byte', async () => {
    // Prepare
    const store = await makeStore();
    const bytes = Uint8Array.from({ length: 1024 }, (_, i) => (i * 7) % 256);

    // Act
    await store.put('runs/r1/partials/a.ndjson.gz', bytes);

    // Assess
    expect(Buffer.from(await store.get('runs/r1/partials/a.ndjson.gz')).equals(Buffer.from(bytes))).toBe(
      true,
    );
  });

  it('replaces an object written again under the same key', async () => {
    // Prepare
    const store = await makeStore();
    await store.put('k/one.txt', 'first version, longer');

    // Act
    await store.put('k/one.txt', 'second');

    // Assess
    expect(await getText(store, 'k/one.txt')).toBe('second');
  });

  it('throws ObjectNotFoundError for a missing key, from get and from getStream', async () => {
    // Prepare
    const store = await makeStore();
    await store.put('present.txt', 'x');

    // Act: both settle before either is looked at, so neither rejection goes unhandled meanwhile
    const [getting, streaming] = await Promise.allSettled([
      store.get('runs/r1/targets.json'),
      store.getStream('runs/r1/targets.json'),
    ]);

    // Assess
    for (const outcome of [getting, streaming]) {
      expect(outcome.status).toBe('rejected');
      const error = (outcome as PromiseRejectedResult).reason as Error;
      expect(error).toBeInstanceOf(ObjectNotFoundError);
      expect(error.message).toContain('runs/r1/targets.json');
    }
  });

  it('lists the keys under a prefix, sorted, and nothing outside it', async () => {
    // Prepare
    const store = await makeStore();
    const inside = [
      'runs/r1/partials/b.gz',
      'runs/r1/partials/a.gz',
      'runs/r1/partials/sub/c.gz',
      'runs/r1/targets.json',
    ];
    for (const key of [...inside, 'runs/r10/targets.json', 'runs/r2/targets.json', 'reports/latest.json']) {
      await store.put(key, key);
    }

    // Act
    const underFolder = await store.list('runs/r1/');
    const underPartialName = await store.list('runs/r1/partials/a');
    const underNothing = await store.list('runs/r3/');

    // Assess
    expect(underFolder).toEqual([...inside].sort());
    expect(underPartialName).toEqual(['runs/r1/partials/a.gz']);
    expect(underNothing).toEqual([]);
  });

  it('lists more than 1,000 keys (one S3 page) completely', async () => {
    // Prepare
    const store = await makeStore();
    const expected = Array.from(
      { length: 1_005 },
      (_, i) => `runs/r1/partials/${String(i).padStart(5, '0')}.gz`,
    );
    const limit = pLimit(16);
    await Promise.all(expected.map((key) => limit(() => store.put(key, 'x'))));
    await store.put('runs/r2/partials/other.gz', 'x');

    // Act
    const listed = await store.list('runs/r1/partials/');

    // Assess
    expect(listed).toEqual(expected);
  });

  it('stores a streamed multi-MB body (a multipart upload on S3) and streams it back', async () => {
    // Prepare
    const store = await makeStore();
    const { stream, done } = store.putStream('reports/2026-11-02/r1/inventory.json', 'application/json');

    // Act
    const sent = await writePattern(stream, 6 * MiB + 123);
    stream.end();
    await done;
    const received = await readAll(await store.getStream('reports/2026-11-02/r1/inventory.json'));

    // Assess
    expect(received.length).toBe(sent.length);
    expect(sha256(received)).toBe(sha256(sent));
  });

  it('shows a streamed object only once it is complete', async () => {
    // Prepare
    const store = await makeStore();
    const { stream, done } = store.putStream('reports/r1/inventory.csv');
    await writePattern(stream, 6 * MiB);

    // Act
    const whileWriting = store.get('reports/r1/inventory.csv');

    // Assess
    await expect(whileWriting).rejects.toThrow(ObjectNotFoundError);
    stream.end();
    await done;
    expect((await store.get('reports/r1/inventory.csv')).length).toBe(6 * MiB);
  });

  it('stores nothing when the writer abandons a streamed object', async () => {
    // Prepare
    const store = await makeStore();
    const { stream, done } = store.putStream('reports/r1/inventory.json');
    await writePattern(stream, 6 * MiB);

    // Act
    stream.destroy(new Error('reading the partials failed'));

    // Assess
    await expect(done).rejects.toThrow();
    await expect(store.get('reports/r1/inventory.json')).rejects.toThrow(ObjectNotFoundError);
    expect(await store.list('reports/')).toEqual([]);
  });

  it('streams an empty object', async () => {
    // Prepare
    const store = await makeStore();
    const { stream, done } = store.putStream('empty.txt');

    // Act
    stream.end();
    await done;

    // Assess
    expect((await readAll(await store.getStream('empty.txt'))).length).toBe(0);
  });
});

// s3rver 3.7 ignores If-Match and If-None-Match on PUT (it writes whatever the condition), so only
// the path where the condition holds is checked here; refusals are tested with aws-sdk-client-mock
// in object-store-conditional.test.ts.
describe('S3ObjectStore conditional writes on s3rver', () => {
  it('creates an object expected to be absent, reads it with its ETag and replaces it under that tag', async () => {
    // Prepare
    const store = new S3ObjectStore(s3, await newBucket());
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');

    // Act
    const created = await store.putIfUnchanged(
      keys.latest,
      '{"runId":"r1"}',
      { absent: true },
      'application/json',
    );
    const read = await store.getWithTag(keys.latest);
    const replaced = await store.putIfUnchanged(
      keys.latest,
      '{"runId":"r2"}',
      { tag: read.tag },
      'application/json',
    );

    // Assess
    expect(created).toBe(true);
    expect(new TextDecoder().decode(read.body)).toBe('{"runId":"r1"}');
    expect(read.tag).toBe(`"${md5('{"runId":"r1"}')}"`);
    expect(replaced).toBe(true);
    expect(await getText(store, keys.latest)).toBe('{"runId":"r2"}');
  });

  it('throws ObjectNotFoundError when reading a missing object with a tag', async () => {
    // Prepare
    const store = new S3ObjectStore(s3, await newBucket());

    // Act
    const reading = store.getWithTag(keys.latest);

    // Assess
    await expect(reading).rejects.toThrow(ObjectNotFoundError);
  });
});

describe('reduce end to end against s3rver', () => {
  const REPORT = 'reports/2026-11-02/run-2026-11-02/';

  async function reduceOnS3(run: RunFixture, concurrency = 4) {
    const bucket = await newBucket();
    const store = new S3ObjectStore(s3, bucket);
    const plan = { ...run.plan, bucket };
    await writeRun(store, { ...run, plan });
    const reduce = createReduceHandler({
      storeFor: (name) => new S3ObjectStore(s3, name),
      concurrency,
      logger: silentLogger(),
    });
    const output = await reduce({ plan });
    return { store, output };
  }

  it('reads the partials from S3 and writes the report files and the latest pointer', async () => {
    // Act
    const { store, output } = await reduceOnS3(sampleRun());

    // Assess
    expect(await store.list('reports/')).toEqual([
      `${REPORT}coverage.csv`,
      `${REPORT}gaps.csv`,
      `${REPORT}inventory.csv`,
      `${REPORT}inventory.json`,
      `${REPORT}report.html`,
      `${REPORT}summary.json`,
      keys.latest,
    ]);
    const inventory = JSON.parse(await getText(store, `${REPORT}inventory.json`)) as {
      functions: unknown[];
      coverage: unknown[];
    };
    expect(inventory.functions.map((f) => FunctionRecord.parse(f).functionName)).toEqual([
      'alpha',
      'zeta',
      'image-fn',
    ]);
    expect(inventory.coverage.map((c) => CoverageEntry.parse(c).status)).toEqual([
      'ok',
      'ok',
      'access-denied',
      'not-scanned',
      'account-skipped',
    ]);
    const summary = Summary.parse(JSON.parse(await getText(store, `${REPORT}summary.json`)));
    expect(summary.byAccount).toEqual({ [ACCOUNT_A]: 3 });
    expect(await getText(store, `${REPORT}coverage.csv`)).toContain(
      `${ACCOUNT_C},closing,,account-skipped,,,,,account is SUSPENDED\r\n`,
    );
    const latest = LatestPointer.parse(JSON.parse(await getText(store, keys.latest)));
    expect(latest).toEqual({
      schemaVersion: 1,
      runId: 'run-2026-11-02',
      startedAt: '2026-11-02T03:00:00.000Z',
      finishedAt: '2026-11-02T03:00:09.000Z',
      keys: output.keys,
      functionCount: 3,
      coverage: output.coverage,
    });
  });

  it('streams an inventory larger than one upload part, every row in target order', async () => {
    // Prepare: 24 batches x 500 functions, enough for a multi-part inventory.json and inventory.csv
    const regions = ['eu-west-1', 'us-east-1'];
    const accounts = Array.from({ length: 12 }, (_, i) => String(100000000000 + i));
    const targets = accounts.flatMap((accountId) => regions.map((region) => ({ accountId, region })));
    const partials: RunFixture['partials'] = {};
    for (const target of targets) {
      const names = Array.from(
        { length: 500 },
        (_, i) => `fn-${String(i).padStart(4, '0')}-${'x'.repeat(200)}`,
      );
      partials[`${target.accountId}-${target.region}-00000000`] = [
        targetLine(targetResult({ ...target, functionCount: names.length })),
        ...names
          .reverse()
          .map((functionName) =>
            functionLine(scannedFunction({ ...target, functionName, environmentVariableNames: ['A', 'B'] })),
          ),
      ];
    }
    const run: RunFixture = {
      plan: planOutput({ targetCount: targets.length, accountCount: accounts.length, regions }),
      targets,
      skipped: [],
      partials,
    };

    // Act
    const { store, output } = await reduceOnS3(run, 3);

    // Assess
    const json = await store.get(`${REPORT}inventory.json`);
    expect(json.length).toBeGreaterThan(5 * MiB);
    const functions = (JSON.parse(new TextDecoder().decode(json)) as { functions: FunctionRecord[] })
      .functions;
    const order = functions.map((f) => `${f.accountId}/${f.region}/${f.functionName}`);
    expect(order).toHaveLength(targets.length * 500);
    expect(order).toEqual([...order].sort());
    const csvRows = (await getText(store, `${REPORT}inventory.csv`))
      .split('\r\n')
      .filter((row) => row !== '');
    expect(csvRows).toHaveLength(1 + targets.length * 500);
    expect(output.functionCount).toBe(targets.length * 500);
    expect(output.coverage.scanned).toBe(targets.length);
  });

  it("runs as the Lambda handler, reaching S3 through the SDK's endpoint setting", async () => {
    // Prepare
    const bucket = await newBucket();
    const store = new S3ObjectStore(s3, bucket);
    const run = sampleRun({ bucket });
    await writeRun(store, run);
    vi.stubEnv(ENV.reduceConcurrency, '2');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');

    // Act
    const output = await handler({ plan: run.plan });

    // Assess
    expect(output.functionCount).toBe(3);
    expect(output.coverage.byStatus).toMatchObject({ ok: 2, 'access-denied': 1, 'not-scanned': 1 });
    expect(LatestPointer.parse(JSON.parse(await getText(store, keys.latest))).runId).toBe(run.plan.runId);
    expect(await getText(store, output.keys.coverageCsv)).toContain(
      `${ACCOUNT_B},beta,eu-west-1,access-denied,`,
    );
  });
});
