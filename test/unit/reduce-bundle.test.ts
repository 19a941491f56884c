/**
 * The digest threads start digest-thread's module beside the pool's. In Lambda that is a bundle of
 * its own beside the handler's (digest-thread.mjs): this bundles reduce as infra does (esbuild, ESM,
 * minified, with the require banner, the thread's bundle beside it) and reduces a run with threads
 * from the bundles, in a plain Node process without any TypeScript loader.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAsLambda } from '../../bench/lambda-bundle.ts';
import { createReduceHandler } from '../../functions/reduce/handler.ts';
import { PARTIALS_PER_THREAD } from '../../functions/reduce/reduce-run.ts';
import { FolderObjectStore, getText } from '../../functions/shared/object-store.ts';
import {
  functionLine,
  planOutput,
  scannedFunction,
  silentLogger,
  targetLine,
  targetResult,
  writeRun,
} from './reduce-fixtures.ts';

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reduce-bundle-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reduce bundled as the Lambda function is', () => {
  it('digests on worker threads started from the bundle, and writes what the sources write', async () => {
    // Prepare: the bundle, and a run with enough partials for two threads
    const entry = join(dir, 'entry.ts');
    await writeFile(
      entry,
      `export { createReduceHandler } from ${JSON.stringify(resolve('functions/reduce/handler.ts'))};\n` +
        `export { FolderObjectStore } from ${JSON.stringify(resolve('functions/shared/object-store.ts'))};\n` +
        `export { DigestPool } from ${JSON.stringify(resolve('functions/reduce/digest-pool.ts'))};\n` +
        `export { keys } from ${JSON.stringify(resolve('shared/keys.ts'))};\n`,
    );
    const bundle = await bundleAsLambda({
      entry,
      outdir: join(dir, 'reduce'),
      threadEntries: [resolve('functions/reduce/digest-thread.ts')],
    });
    const accounts = Array.from({ length: 2 * PARTIALS_PER_THREAD }, (_, i) => String(300_000_000_000 + i));
    const plan = planOutput({ targetCount: accounts.length, accountCount: accounts.length });
    const data = join(dir, 'data');
    await writeRun(new FolderObjectStore(data), {
      plan,
      targets: accounts.map((accountId) => ({ accountId, region: 'eu-west-1' })),
      skipped: [],
      partials: Object.fromEntries(
        accounts.map((accountId) => [
          `${accountId}-eu-west-1-00000000`,
          [
            targetLine(targetResult({ accountId, functionCount: 2 })),
            functionLine(scannedFunction({ accountId, functionName: 'b', runtime: 'python3.9' })),
            functionLine(scannedFunction({ accountId, functionName: 'a' })),
          ],
        ]),
      ),
    });
    const script = join(dir, 'reduce.mjs');
    await writeFile(
      script,
      `import { Worker } from 'node:worker_threads';
import { createReduceHandler, DigestPool, FolderObjectStore, keys } from ${JSON.stringify(bundle)};
const plan = ${JSON.stringify(plan)};
const store = new FolderObjectStore(${JSON.stringify(data)});
const logger = { createChild: () => logger, info() {}, warn() {}, error() {}, debug() {} };
const output = await createReduceHandler({ storeFor: () => store, concurrency: 4, digestThreads: 2, logger })(
  { plan },
);
// the handler's threads may still be loading when so small a run is digested (the main thread then
// digests): a pool whose threads are ready shows that they start from the bundle and digest
const pool = new DigestPool(2, { runId: plan.runId, startedAt: plan.startedAt });
await pool.ready();
let sent = 0;
const post = Worker.prototype.postMessage;
Worker.prototype.postMessage = function (...args) { sent += 1; return post.apply(this, args); };
const partials = await store.list(keys.partialsPrefix(plan.runId, plan.scanId));
const digests = await Promise.all(partials.map(async (key) => pool.digest(key, await store.get(key))));
await pool.close();
const functions = digests.reduce((n, digest) => n + digest.groups.reduce((m, group) => m + group.functionCount, 0), 0);
process.stdout.write(JSON.stringify({ output, sent, here: pool.digestedHere, functions }));`,
    );

    // Act
    const { stdout } = await run(process.execPath, [script], { cwd: dir, timeout: 60_000 });
    const store = new FolderObjectStore(data);
    const report = `reports/2026-11-02/${plan.runId}/`;
    const bundled = await Promise.all(
      ['inventory.json', 'inventory.csv'].map((f) => getText(store, `${report}${f}`)),
    );

    // Assess: the same files as the sources write on the main thread
    await createReduceHandler({
      storeFor: () => store,
      concurrency: 4,
      digestThreads: 0,
      logger: silentLogger(),
    })({
      plan,
    });
    const sources = await Promise.all(
      ['inventory.json', 'inventory.csv'].map((f) => getText(store, `${report}${f}`)),
    );
    expect(JSON.parse(stdout)).toEqual({
      output: expect.objectContaining({ functionCount: 2 * accounts.length }),
      sent: accounts.length,
      here: 0,
      functions: 2 * accounts.length,
    });
    expect(bundled).toEqual(sources);
    expect(bundled[1]?.split('\r\n')[1]).toMatch(/^300000000000,alpha,eu-west-1,a,/);
    // a thread loads the digest code alone: no chart library (ECharts, zrender) and no SDK client
    const [handlerCode, threadCode] = await Promise.all(
      ['index.mjs', 'digest-thread.mjs'].map((file) => readFile(join(dir, 'reduce', file), 'utf8')),
    );
    for (const marker of ['ecmeta_', 'zrender', 'S3Client']) {
      expect(handlerCode).toContain(marker);
      expect(threadCode).not.toContain(marker);
    }
  });
});
