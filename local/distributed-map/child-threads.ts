/**
 * The Map's child executions on a pool of worker threads (piscina), the way the Distributed Map runs
 * them on many Lambdas: a batch's work (SDK calls, response decoding, records, the gzip partial) is
 * mostly CPU once the API answers quickly, and one thread cannot keep up with hundreds of requests in
 * flight. What crosses a thread: the setup once (child-thread.ts), each batch's input in, and its
 * outcome (a small WorkerOutput) out; every thread builds its own clients and store.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ChildOutcome } from '../types.ts';
import type { ChildRunners } from './child-executions.ts';
import type { ChildTask, ChildThreadSetup } from './child-thread.ts';

export interface ChildThreadsOptions {
  threads: number;
  /** Child executions a thread runs at once: its share of the Map's MaxConcurrency. */
  concurrentPerThread: number;
  setup: ChildThreadSetup;
}

export function childThreads(options: ChildThreadsOptions): ChildRunners {
  const { threads, concurrentPerThread, setup } = options;
  const entry = threadEntry(new URL('./child-thread.ts', import.meta.url));
  const pool = new Piscina<ChildTask, ChildOutcome>({
    filename: entry.filename,
    workerData: { setup, source: entry.source },
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: concurrentPerThread,
    // a thread awaits network calls between its tasks' steps: its event loop must keep turning, not
    // block in Atomics.wait for the next task
    atomics: 'disabled',
  });
  let closed: Promise<void> | undefined;
  return {
    run: (input, execution) => pool.run({ input, execution }),
    // destroy, not close: a Map Run closes its runners once no child runs, or to stop the running ones
    close: () => {
      closed ??= pool.destroy();
      return closed;
    },
  };
}

/**
 * The module a thread loads. Compiled (the package): child-thread.js itself. From TypeScript sources
 * (tsx, vitest): a worker thread does not get its parent's loader hooks (Node 20), so it loads
 * child-thread-source.mjs, which imports the .ts module through tsx's API.
 */
function threadEntry(module: URL): { filename: string; source?: string } {
  const compiled = new URL(module.href.replace(/\.ts$/, '.js'));
  if (!import.meta.url.endsWith('.ts')) return { filename: fileURLToPath(compiled) };
  return {
    filename: fileURLToPath(new URL('./child-thread-source.mjs', import.meta.url)),
    source: module.href,
  };
}
