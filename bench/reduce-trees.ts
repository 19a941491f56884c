/**
 * The reduce of several trees of this repository on the same run, each bundled as the Lambda
 * function is (esbuild, ESM, minified, the require banner), each run in a fresh Node process without
 * any TypeScript loader, the trees alternating round by round so that the machine's drift falls on
 * all of them alike: "is reduce slower than it was at commit X?".
 *
 *   git worktree add /tmp/before <commit>
 *   npx tsx bench/reduce-trees.ts [--records 68000] [--per-target 20] [--rounds 5] [--threads 2] \
 *     before=/tmp/before now=.
 *
 * The run is reduce-bench's (partials written by the worker's own code). A tree needs no
 * node_modules of its own: the bundles resolve packages from this checkout. Every tree's reduce gets
 * the same deps (the newest shape; older trees ignore what they do not know). Medians per tree, and
 * each tree's median against the first tree's, close the output.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PlanOutput } from '../shared/contracts.ts';
import { BenchUsage } from './args.ts';
import { median } from './goals.ts';
import { prepareRun } from './reduce-bench.ts';
import { bundleReduce, type ReduceRunResult, runBundledReduce } from './reduce-bundle.ts';

const usage: BenchUsage = new BenchUsage(
  '  npx tsx bench/reduce-trees.ts [--records 68000] [--per-target 20] [--rounds 5] [--threads 2] name=path...',
);

async function main(): Promise<void> {
  const { values, positionals } = usage.parse({
    allowPositionals: true,
    options: {
      records: { type: 'string', default: '68000' },
      'per-target': { type: 'string', default: '20' },
      rounds: { type: 'string', default: '5' },
      threads: { type: 'string', default: '2' },
    },
  });
  const trees = positionals.map((arg) => {
    const [name, path] = arg.split('=');
    if (!name || !path) usage.fail(`a tree is name=path, got "${arg}"`);
    return { name, path: resolve(path) };
  });
  if (trees.length === 0) usage.fail('name at least one tree: name=path');
  const records = usage.wholeNumber('records', values.records, 1);
  const perTarget = usage.wholeNumber('per-target', values['per-target'], 1);
  const rounds = usage.wholeNumber('rounds', values.rounds, 1);
  const threads = usage.wholeNumber('threads', values.threads, 1);

  const data = join(tmpdir(), `lambda-inventory-reduce-bench-${records}-${perTarget}`);
  const plan: PlanOutput = await prepareRun(data, records, perTarget);
  const dir = await mkdtemp(join(tmpdir(), 'lambda-inventory-reduce-trees-'));
  try {
    const bundles = await Promise.all(trees.map((tree) => bundleReduce(tree.path, dir, tree.name)));
    const runs = new Map<string, ReduceRunResult[]>(trees.map((tree) => [tree.name, []]));
    for (let round = 1; round <= rounds; round += 1) {
      for (const [index, tree] of trees.entries()) {
        const result = await runBundledReduce({
          bundle: bundles[index] as string,
          dir: join(dir, `work-${tree.name}`),
          copyFrom: data,
          plan,
          compress: true,
          threads,
          concurrency: 8,
        });
        runs.get(tree.name)?.push(result);
        console.log(
          `round ${round} ${tree.name}: ${result.seconds.toFixed(2)} s (CPU ${result.cpuSeconds.toFixed(2)} s), peak RSS ${result.peakRssMB.toFixed(0)} MB`,
        );
      }
    }
    const first = median((runs.get(trees[0]?.name ?? '') ?? []).map((r) => r.seconds));
    for (const tree of trees) {
      const results = runs.get(tree.name) ?? [];
      const seconds = median(results.map((r) => r.seconds));
      console.log(
        `median of ${rounds} ${tree.name}: ${seconds.toFixed(2)} s (CPU ${median(results.map((r) => r.cpuSeconds)).toFixed(2)} s), ` +
          `${((100 * (seconds - first)) / first).toFixed(0)}% against ${trees[0]?.name}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
