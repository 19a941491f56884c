/**
 * The CPU floor of the bound: the time to JSON.parse every JSON response body a run received,
 * spread over all of this machine's cores (one worker thread per core, equal shares of bytes), as
 * the least CPU any client of those responses must spend. The median of `passes` passes.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { median } from './goals.ts';

const PARSER = `
const { parentPort } = require('node:worker_threads');
let bodies = [];
parentPort.on('message', (message) => {
  if (message.type === 'load') {
    bodies = message.bodies;
    parentPort.postMessage({ type: 'loaded' });
  } else {
    const start = performance.now();
    for (const body of bodies) JSON.parse(body);
    parentPort.postMessage({ type: 'parsed', ms: performance.now() - start });
  }
});
`;

export interface CpuFloor {
  seconds: number;
  threads: number;
  bodies: number;
  bytes: number;
}

/** `path` holds one JSON body per line (simulator-child.ts writes it). */
export async function cpuFloor(path: string, passes = 3): Promise<CpuFloor> {
  const bodies = (await readFile(path, 'utf8')).split('\n').filter((line) => line.length > 0);
  const threads = availableParallelism();
  const shares = splitByBytes(bodies, threads);
  const workers = shares.map(() => new Worker(PARSER, { eval: true }));
  try {
    await Promise.all(workers.map((worker, i) => ask(worker, { type: 'load', bodies: shares[i] })));
    const times: number[] = [];
    for (let pass = 0; pass < passes; pass++) {
      const ms = await Promise.all(workers.map((worker) => ask(worker, { type: 'parse' })));
      times.push(Math.max(...ms.map((reply) => reply.ms ?? 0)) / 1_000);
    }
    const bytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
    return { seconds: median(times), threads, bodies: bodies.length, bytes };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Greedy: each body, largest first, goes to the share with the fewest bytes so far. */
function splitByBytes(bodies: string[], count: number): string[][] {
  const shares = Array.from({ length: count }, () => ({ bytes: 0, bodies: [] as string[] }));
  for (const body of [...bodies].sort((a, b) => b.length - a.length)) {
    const lightest = shares.reduce((min, share) => (share.bytes < min.bytes ? share : min));
    lightest.bodies.push(body);
    lightest.bytes += body.length;
  }
  return shares.map((share) => share.bodies);
}

function ask(worker: Worker, message: unknown): Promise<{ type: string; ms?: number }> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => reject(error);
    worker.once('error', fail);
    worker.once('message', (reply: { type: string; ms?: number }) => {
      worker.off('error', fail);
      resolve(reply);
    });
    worker.postMessage(message);
  });
}
