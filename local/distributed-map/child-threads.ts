/**
 * The Map's child executions on a pool of worker threads (piscina) beside the engine's own thread,
 * the way the Distributed Map runs them on many Lambdas: a batch's work (SDK calls, response
 * decoding, records, the gzip partial) is mostly CPU once the API answers quickly, and one thread
 * cannot keep up with hundreds of requests in flight. What crosses a thread: the setup once
 * (child-thread.ts), each batch's input in, and its outcome (a small WorkerOutput) out; every thread
 * builds its own clients and store.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ChildOutcome } from '../types.ts';
import type { ChildRunner, ChildRunners } from './child-executions.ts';
import type { ChildTask, ChildThreadSetup } from './child-thread.ts';

export interface ChildThreadsOptions {
  /** Worker threads, besides the engine's thread. */
  threads: number;
  /** Child executions a thread runs at once: its share of the Map's MaxConcurrency. */
  concurrentPerThread: number;
  setup: ChildThreadSetup;
  /**
   * The engine's thread's own runner: it takes a worker thread's share of the children, so that it
   * works rather than waits while the others run (and while they start).
   */
  here: ChildRunner;
}

export function childThreads(options: ChildThreadsOptions): ChildRunners {
  const { threads, concurrentPerThread, setup, here } = options;
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
  let runningHere = 0;
  let runningThere = 0;
  return {
    run: async (input, execution) => {
      // a child goes where fewer run per thread: a thread that finishes sooner (the engine's, while
      // the pool starts) takes more of them
      if (runningHere * threads <= runningThere) {
        runningHere += 1;
        try {
          return await here(input, execution);
        } finally {
          runningHere -= 1;
        }
      }
      runningThere += 1;
      try {
        return await pool.run({ input, execution });
      } finally {
        runningThere -= 1;
      }
    },
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
