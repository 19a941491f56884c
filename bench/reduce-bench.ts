/**
 * Benchmark of the reduce step alone: N function records in worker partials, reduced into a report in
 * a local folder. The partials are written by the worker's own code (`toScannedFunction`,
 * `writePartial`) from FunctionConfiguration objects drawn by the fleet simulator's
 * generator, so reduce reads exactly what a deployed worker writes. `reduceRun` runs as the Lambda
 * function runs it: bundled, in a fresh Node process with no TypeScript loader (bench/reduce-bundle.ts),
 * so the peak RSS measured is reduce's own and not the generator's.
 *
 *   npx tsx bench/reduce-bench.ts --records 1000000 [--per-target 50] [--runs 3] [--compress true|false]
 *     [--threads N] [--previous] [--dir <folder>] [--cpu-prof <folder>]
 *
 * `--previous`: the nightly shape. latest.json names an earlier complete run (the same functions,
 * reduced before and kept aside), so reduce also writes diff.json, reading both inventories back.
 *
 * `--per-target`: functions per target (account x region), 50 by default (one full ListFunctions
 * page); the bench fleet of `npm run bench -- --goals` is `--records 68000 --per-target 20`
 * (200 accounts x 17 regions x 20 functions).
 *
 * `--cpu-prof` writes a CPU profile of each reduce process (`node --cpu-prof`) into the folder.
 *
 * Generated partials are kept in the folder (with a marker naming their size) and reused by later
 * runs with the same size, since generating a million functions takes longer than reducing them.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FunctionConfiguration as LambdaFunctionConfiguration } from '@aws-sdk/client-lambda';
import { readAthenaCoverage } from '../functions/reduce/athena.ts';
import { athenaLine, athenaRowStart } from '../functions/reduce/athena-rows.ts';
import { defaultDigestThreads } from '../functions/reduce/handler.ts';
import { FolderObjectStore, getJson, putJson } from '../functions/shared/object-store.ts';
import { toScannedFunction } from '../functions/worker/function-record.ts';
import { partialKey, writePartial } from '../functions/worker/partial.ts';
import type { TargetScan } from '../functions/worker/scan-batch.ts';
import { athenaObjectKey } from '../shared/athena.ts';
import { DEFAULT_REGIONS, LatestPointer, type PlanOutput, type Target } from '../shared/contracts.ts';
import { DEFAULTS } from '../shared/env.ts';
import { keys } from '../shared/keys.ts';
import { generateFunction, uniqueFunctionName } from '../simulator/function-generator.ts';
import { Prng } from '../simulator/prng.ts';
import type { RuntimeCategory } from '../simulator/runtimes.ts';
import { BenchUsage } from './args.ts';
import { median } from './goals.ts';
import { bundleReduce, type ReduceRunResult, runBundledReduce, THIS_TREE } from './reduce-bundle.ts';

export interface ReduceBenchOptions {
  /** Function records in the run. */
  records: number;
  /** Functions per target. @default 50 */
  perTarget?: number;
  /** Folder for the partials and the report (created; generated partials are reused when they match). */
  dir: string;
  /** Whether reduce writes inventory.json/.csv gzip-compressed. @default true */
  compress?: boolean;
  /** Digest worker threads; 0 digests on the main thread. @default one per core, as the handler */
  threads?: number;
  /** latest.json names an earlier run with the same functions, so reduce diffs against it. @default false */
  previous?: boolean;
  /** Folder for a CPU profile of the reduce process (`node --cpu-prof`). @default none */
  cpuProfDir?: string;
}

/** ListFunctions returns at most 50 per page; one full page per region by default. */
const FUNCTIONS_PER_TARGET = 50;
const PAGE_SIZE = 50;
const RUN_ID = 'bench-reduce';
const SCAN_ID = 'be0c4000000a';
const STARTED_AT = '2026-11-02T03:00:00.000Z';
/** Bump when the generated data changes, so older folders are generated again. */
const DATA_VERSION = 2;

const CATEGORY_WEIGHTS: readonly [RuntimeCategory, number][] = [
  ['supported', 0.5],
  ['deprecatingSoon', 0.2],
  ['deprecated', 0.2],
  ['unknown', 0.03],
  ['image', 0.07],
];

function drawCategory(prng: Prng): RuntimeCategory {
  let roll = prng.next();
  for (const [category, weight] of CATEGORY_WEIGHTS) {
    roll -= weight;
    if (roll < 0) return category;
  }
  return 'supported';
}

function planFor(records: number, perTarget: number): PlanOutput {
  const targetCount = Math.max(1, Math.ceil(records / perTarget));
  const accountCount = Math.ceil(targetCount / DEFAULT_REGIONS.length);
  return {
    runId: RUN_ID,
    scanId: SCAN_ID,
    startedAt: STARTED_AT,
    bucket: 'bench-bucket',
    targetsKey: keys.targets(RUN_ID),
    targetCount,
    accountCount,
    batchSize: DEFAULT_REGIONS.length,
    regions: [...DEFAULT_REGIONS],
    skippedCount: 0,
    skippedKey: keys.skipped(RUN_ID),
  };
}

/** Targets account by account, every default region of each, cut at the plan's target count. */
function targetsOf(plan: PlanOutput): Target[] {
  const targets: Target[] = [];
  for (let account = 0; targets.length < plan.targetCount; account += 1) {
    for (const region of DEFAULT_REGIONS) {
      if (targets.length === plan.targetCount) break;
      targets.push({ accountId: String(100_000_000_000 + account), accountName: `bench-${account}`, region });
    }
  }
  return targets;
}

/** Writes the plan's files and one partial per account (a batch of its regions), as plan and worker do. */
async function generateRun(
  store: FolderObjectStore,
  records: number,
  perTarget: number,
): Promise<PlanOutput> {
  const plan = planFor(records, perTarget);
  const targets = targetsOf(plan);
  await putJson(store, keys.targets(RUN_ID), targets);
  await putJson(store, plan.skippedKey, []);
  const prng = new Prng(7, 'reduce-bench');
  let remaining = records;
  for (let first = 0; first < targets.length; first += plan.batchSize) {
    const batch = targets.slice(first, first + plan.batchSize);
    const scans = batch.map((target): TargetScan => {
      const count = Math.min(perTarget, remaining);
      remaining -= count;
      const taken = new Set<string>();
      const functions = Array.from({ length: count }, () =>
        toScannedFunction(
          // the wire JSON the SDK would deserialize; its type only narrows Runtime to the SDK's enum
          generateFunction(prng, target.accountId, target.region, uniqueFunctionName(prng, taken), {
            category: drawCategory(prng),
          }) as LambdaFunctionConfiguration,
          target,
        ),
      );
      return {
        result: {
          accountId: target.accountId,
          ...(target.accountName ? { accountName: target.accountName } : {}),
          region: target.region,
          status: 'ok',
          functionCount: count,
          pages: Math.max(1, Math.ceil(count / PAGE_SIZE)),
          durationMs: 120,
          scannedAt: '2026-11-02T03:04:00.000Z',
        },
        functions,
      };
    });
    await writePartial(store, partialKey(RUN_ID, SCAN_ID, batch), scans);
  }
  return plan;
}

const markerPath = (dir: string) => join(dir, 'reduce-bench.json');

/** The run in `dir`: reused when it was generated for the same size, generated afresh otherwise. */
export async function prepareRun(dir: string, records: number, perTarget: number): Promise<PlanOutput> {
  const marker = JSON.stringify({ version: DATA_VERSION, records, perTarget });
  try {
    if ((await readFile(markerPath(dir), 'utf8')) === marker) return planFor(records, perTarget);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const plan = await generateRun(new FolderObjectStore(dir), records, perTarget);
  await writeFile(markerPath(dir), marker);
  return plan;
}

interface ChildRequest {
  dir: string;
  plan: PlanOutput;
  compress: boolean;
  threads: number;
}

let bundled: Promise<string> | undefined;

/** This checkout's reduce, bundled as the Lambda function is, once per process (removed at exit). */
function reduceBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lambda-inventory-reduce-bundle-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return bundleReduce(THIS_TREE, dir, 'reduce');
  })();
  return bundled;
}

/** Reduces the run in a fresh Node process, with the bundled reduce; its timing and peak memory. */
async function reduceInChild(
  request: ChildRequest,
  cpuProfDir: string | undefined,
): Promise<ReduceRunResult> {
  return runBundledReduce({
    ...request,
    bundle: await reduceBundle(),
    concurrency: DEFAULTS.reduceConcurrency,
    ...(cpuProfDir === undefined ? {} : { cpuProfDir }),
  });
}

export async function benchReduce(opts: ReduceBenchOptions): Promise<ReduceRunResult> {
  if (!Number.isInteger(opts.records) || opts.records < 1)
    throw new RangeError(`records must be a positive integer, got ${opts.records}`);
  const perTarget = opts.perTarget ?? FUNCTIONS_PER_TARGET;
  if (!Number.isInteger(perTarget) || perTarget < 1)
    throw new RangeError(`functions per target must be a positive integer, got ${perTarget}`);
  const plan = await prepareRun(opts.dir, opts.records, perTarget);
  const request: ChildRequest = {
    dir: opts.dir,
    plan,
    compress: opts.compress ?? true,
    threads: opts.threads ?? defaultDigestThreads(),
  };
  if (opts.previous) await pointAtPreviousRun(request);
  return reduceInChild(request, opts.cpuProfDir);
}

const PREVIOUS_RUN_ID = 'bench-previous';
const previousInventoryKey = (compress: boolean) => `previous/inventory.json${compress ? '.gz' : ''}`;

/**
 * Makes latest.json name a complete run that started a day before the bench run, with the same
 * functions: the bench run's own inventory, reduced once untimed and copied aside (the timed reduce
 * replaces the original).
 */
async function pointAtPreviousRun(request: ChildRequest): Promise<void> {
  const store = new FolderObjectStore(request.dir);
  const readLatest = async () => {
    const parsed = LatestPointer.safeParse(await getJson(store, keys.latest).catch(() => null));
    return parsed.success ? parsed.data : null;
  };
  const copy = previousInventoryKey(request.compress);
  let latest = await readLatest();
  const copied = (await store.list(copy)).includes(copy);
  if (!latest || (!copied && latest.runId !== RUN_ID)) {
    await reduceInChild(request, undefined);
    latest = await readLatest();
    if (!latest) throw new Error(`reduce wrote no latest.json in ${request.dir}`);
  }
  if (!copied) await store.put(copy, await store.get(latest.keys.inventoryJson));
  const startedAt = new Date(Date.parse(STARTED_AT) - 86_400_000).toISOString();
  // the previous run's Athena coverage file, where reduce reads its coverage from
  const coverage = await readAthenaCoverage(store, { runId: RUN_ID, startedAt: STARTED_AT });
  const previous = { runId: PREVIOUS_RUN_ID, startedAt };
  const rowStart = athenaRowStart(previous);
  const lines = coverage.map((entry) => athenaLine(rowStart, JSON.stringify(entry))).join('');
  await store.put(athenaObjectKey('coverage', previous), gzipSync(lines));
  await putJson(store, keys.latest, {
    ...latest,
    ...previous,
    finishedAt: startedAt,
    keys: { ...latest.keys, inventoryJson: copy },
  } satisfies LatestPointer);
}

const usage: BenchUsage = new BenchUsage(
  '  npx tsx bench/reduce-bench.ts --records 1000000 [--per-target 50] [--runs 3] [--compress true|false]\n' +
    '    [--threads N] [--previous] [--dir <folder>] [--cpu-prof <folder>]',
);

async function main(argv: string[]): Promise<void> {
  const { values } = usage.parse({
    args: argv,
    options: {
      records: { type: 'string', default: '100000' },
      'per-target': { type: 'string', default: String(FUNCTIONS_PER_TARGET) },
      runs: { type: 'string', default: '3' },
      compress: { type: 'string', default: 'true' },
      threads: { type: 'string' },
      dir: { type: 'string' },
      'cpu-prof': { type: 'string' },
      previous: { type: 'boolean', default: false },
    },
  });
  const records = usage.wholeNumber('records', values.records, 1);
  const runs = usage.wholeNumber('runs', values.runs, 1);
  if (values.compress !== 'true' && values.compress !== 'false')
    usage.fail(`--compress: true or false, got "${values.compress}"`);
  const compress = values.compress === 'true';
  const threads =
    values.threads === undefined ? defaultDigestThreads() : usage.wholeNumber('threads', values.threads, 1);
  const perTarget = usage.wholeNumber('per-target', values['per-target'], 1);
  const dir = values.dir ?? join(tmpdir(), `lambda-inventory-reduce-bench-${records}-${perTarget}`);
  const results: ReduceRunResult[] = [];
  for (let run = 1; run <= runs; run += 1) {
    const result = await benchReduce({
      records,
      perTarget,
      dir,
      compress,
      threads,
      previous: values.previous,
      cpuProfDir: values['cpu-prof'],
    });
    results.push(result);
    console.log(
      `run ${run}/${runs}: ${records} records (${perTarget} per target${values.previous ? ', diff with a previous run' : ''}), ` +
        `compress ${compress}, ${threads} digest threads, reduce bundled as in Lambda: ` +
        `${result.seconds.toFixed(2)} s (CPU ${result.cpuSeconds.toFixed(2)} s), peak RSS ${result.peakRssMB.toFixed(0)} MB`,
    );
  }
  console.log(
    `median of ${runs}: ${median(results.map((r) => r.seconds)).toFixed(2)} s ` +
      `(CPU ${median(results.map((r) => r.cpuSeconds)).toFixed(2)} s), ` +
      `peak RSS ${median(results.map((r) => r.peakRssMB)).toFixed(0)} MB (data in ${dir})`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
