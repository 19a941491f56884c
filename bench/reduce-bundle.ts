/**
 * The reduce as the Lambda function runs it, for the benchmarks: a tree's `reduceRun` bundled the way
 * the NodeFunction construct bundles it (bench/lambda-bundle.ts), run in a fresh Node process without
 * any TypeScript loader (bench/reduce-child.mjs). A loader would add its own module resolution and
 * transform threads to the figures, about a second of CPU at the start of every reduce.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanOutput } from '../shared/contracts.ts';
import { bundleAsLambda } from './lambda-bundle.ts';

const NODE_MODULES = fileURLToPath(new URL('../node_modules', import.meta.url));
const CHILD = fileURLToPath(new URL('./reduce-child.mjs', import.meta.url));
/** This checkout. */
export const THIS_TREE = fileURLToPath(new URL('..', import.meta.url));

export interface ReduceRunResult {
  /** Wall time of `reduceRun`, from its call to its return. */
  seconds: number;
  /** CPU time (user + system, every thread) spent in `reduceRun`. */
  cpuSeconds: number;
  /** The reduce process's peak resident set size. */
  peakRssMB: number;
}

export interface BundledReduceRequest {
  /** A bundle from `bundleReduce`. */
  bundle: string;
  /** The folder reduce reads the run from and writes the report to. */
  dir: string;
  plan: PlanOutput;
  compress: boolean;
  threads: number;
  concurrency: number;
  /** A folder whose `runs/` is copied into `dir` (emptied first) before the timed reduce. */
  copyFrom?: string;
  /** Folder for a CPU profile of the reduce process (`node --cpu-prof`). */
  cpuProfDir?: string;
}

/**
 * Bundles `tree`'s reduceRun and FolderObjectStore into `dir/<name>/index.mjs`, with the digest
 * thread's own bundle beside it when the tree has one (older trees start their threads from the
 * handler's bundle); returns the bundle's path.
 */
export async function bundleReduce(tree: string, dir: string, name: string): Promise<string> {
  const entry = join(dir, `${name}.entry.ts`);
  await writeFile(
    entry,
    `export { reduceRun } from ${JSON.stringify(join(tree, 'functions/reduce/reduce-run.ts'))};\n` +
      `export { FolderObjectStore } from ${JSON.stringify(join(tree, 'functions/shared/object-store.ts'))};\n`,
  );
  const thread = join(tree, 'functions/reduce/digest-thread.ts');
  // a tree needs no node_modules of its own: packages resolve from this checkout
  return bundleAsLambda({
    entry,
    outdir: join(dir, name),
    threadEntries: existsSync(thread) ? [thread] : [],
    nodePaths: [NODE_MODULES],
  });
}

/** One reduce with the bundle, in a fresh process; its timing and peak memory. */
export function runBundledReduce(request: BundledReduceRequest): Promise<ReduceRunResult> {
  const { cpuProfDir, ...childRequest } = request;
  const profile = cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', cpuProfDir];
  const child = spawn(process.execPath, [...profile, CHILD, JSON.stringify(childRequest)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`reduce process exited with ${code}: ${output}`));
      else resolve(JSON.parse(output.trim().split('\n').at(-1) ?? '') as ReduceRunResult);
    });
  });
}
