/**
 * Worker threads that digest partials (inflate, check, render: partial-digest.ts), so a reduce uses
 * every core: the main thread is left with choosing groups and appending bytes, and gzip of the
 * report runs on libuv's pool beside them. A digest's bytes move back without a copy.
 *
 * A thread runs digest-thread.ts, the module beside this one in the same language: from sources,
 * from the compiled package, or in Lambda its own bundle beside the handler's (digest-thread.mjs,
 * infra/bundling/bundle-function.mjs), which holds the digest code alone: not the page's charts nor
 * the SDK that the handler's bundle carries. Until a thread is ready, the main thread, which has
 * nothing to write yet, digests the partials itself.
 */
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AthenaRun } from '../../shared/athena.ts';
import { ERROR_NAMES, RunDataError } from '../../shared/errors.ts';
import type { DigestRequest, DigestResponse, ReadyMessage, WorkerSetup } from './digest-thread.ts';
import { type Digester, InlineDigester, type PartialDigest } from './partial-digest.ts';

/** The thread's module, beside this one: `.ts`, `.js` (dist/) or `.mjs` (a Lambda bundle's). */
const THREAD_MODULE = new URL(`./digest-thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

interface Pending {
  key: string;
  resolve(digest: PartialDigest): void;
  reject(error: Error): void;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  ready: boolean;
}

/**
 * How a worker starts the thread's module. Compiled (the package, the Lambda bundle): as it is. From
 * TypeScript sources (tests, tsx): through tsx's `tsImport`, since a worker thread does not get its
 * parent's loader hooks, not even with the parent's `--import` flags (Node 20).
 */
function workerEntry(url: URL): { entry: URL | string; eval: boolean } {
  if (!url.pathname.endsWith('.ts')) return { entry: url, eval: false };
  const require = createRequire(import.meta.url);
  const tsx = require.resolve('tsx/package.json');
  const { exports } = require(tsx) as { exports: { './esm/api': { import: { default: string } } } };
  const api = pathToFileURL(join(dirname(tsx), exports['./esm/api'].import.default)).href;
  const code = `import(${JSON.stringify(api)}).then(({ tsImport }) => tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)}))`;
  return { entry: code, eval: true };
}

export class DigestPool implements Digester {
  private readonly workers: PoolWorker[] = [];
  private nextId = 0;
  /** Set once a worker dies: every digest after that fails with it. */
  private broken: Error | undefined;
  /** This thread's digester, for the partials that come before any worker is ready. */
  private readonly here: InlineDigester;
  private digestsHere = 0;
  private readonly allReady: Promise<void>;

  constructor(threads: number, run: AthenaRun) {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new RangeError(`threads must be a positive integer, got ${threads}`);
    }
    this.here = new InlineDigester(run);
    const setup: WorkerSetup = { run: { runId: run.runId, startedAt: run.startedAt } };
    const start = workerEntry(THREAD_MODULE);
    const readiness: Promise<void>[] = [];
    for (let i = 0; i < threads; i += 1) {
      const worker = new Worker(start.entry, { workerData: setup, eval: start.eval });
      const entry: PoolWorker = { worker, pending: new Map(), ready: false };
      readiness.push(
        new Promise((resolve, reject) => {
          worker.on('message', (message: DigestResponse | ReadyMessage) => {
            if ('ready' in message) {
              entry.ready = true;
              resolve();
            } else this.settle(entry, message);
          });
          worker.on('error', (error) => {
            this.fail(entry, error);
            reject(error);
          });
          worker.on('exit', (code) => {
            const error = new Error(`digest worker exited with code ${code}`);
            this.fail(entry, error);
            reject(error);
          });
        }),
      );
      this.workers.push(entry);
    }
    this.allReady = Promise.all(readiness).then(() => undefined);
    // a worker that fails fails the digests, which report it: the readiness promise must not as well
    this.allReady.catch(() => undefined);
  }

  /** Resolves once every worker thread can digest; rejects when one fails to start. */
  ready(): Promise<void> {
    return this.allReady;
  }

  /** Partials digested on this thread because no worker thread was ready yet. */
  get digestedHere(): number {
    return this.digestsHere;
  }

  digest(key: string, compressed: Uint8Array): Promise<PartialDigest> {
    if (this.broken) return Promise.reject(this.broken);
    const ready = this.workers.filter((worker) => worker.ready);
    if (ready.length === 0) {
      this.digestsHere += 1;
      return this.here.digest(key, compressed);
    }
    // the least busy worker: partials differ in size, so turns alone would leave one thread idle
    const entry = ready.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      entry.pending.set(id, { key, resolve, reject });
      // copied, not transferred: the caller's bytes may be a view of a buffer it still uses
      entry.worker.postMessage({ id, key, compressed } satisfies DigestRequest);
    });
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    for (const { worker } of workers) worker.removeAllListeners('exit');
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  private settle(entry: PoolWorker, response: DigestResponse): void {
    const pending = entry.pending.get(response.id);
    if (!pending) return;
    entry.pending.delete(response.id);
    if (response.ok) pending.resolve(response.digest);
    // a bad partial keeps its name across the thread boundary: the workflow's Catch matches on it
    else if (response.name === ERROR_NAMES.runData) pending.reject(new RunDataError(response.message));
    else {
      pending.reject(
        new Error(`digesting partial ${pending.key} failed: ${response.name}: ${response.message}`),
      );
    }
  }

  private fail(entry: PoolWorker, error: Error): void {
    this.broken ??= error;
    for (const pending of entry.pending.values()) pending.reject(error);
    entry.pending.clear();
  }
}
