/**
 * Micro-benchmark of the worker's per-record CPU: mapping ListFunctions configurations to scanned
 * functions and encoding the batch partials (NDJSON + gzip), with no network. The configurations come
 * from the fleet simulator's generator, parsed from JSON as the SDK hands them over; a batch is one
 * account's 17 default regions of 50 functions, as in a typical deployed run.
 *
 *   npx tsx bench/worker-records.ts [--records 100000] [--runs 5]
 *   node --cpu-prof --cpu-prof-dir=/tmp/worker-prof --import tsx bench/worker-records.ts --runs 3
 */
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { toScannedFunction } from '../functions/worker/function-record.ts';
import { encodePartial } from '../functions/worker/partial.ts';
import type { TargetScan } from '../functions/worker/scan-batch.ts';
import { DEFAULT_REGIONS, type Target } from '../shared/contracts.ts';
import { generateFunction, uniqueFunctionName } from '../simulator/function-generator.ts';
import { Prng } from '../simulator/prng.ts';
import { RUNTIME_CATEGORIES } from '../simulator/runtimes.ts';
import { BenchUsage } from './args.ts';

const FUNCTIONS_PER_TARGET = 50;

interface Batch {
  targets: { target: Target; configurations: FunctionConfiguration[] }[];
}

function generateBatches(records: number): Batch[] {
  const prng = new Prng(11, 'worker-records');
  const batches: Batch[] = [];
  let remaining = records;
  for (let account = 0; remaining > 0; account += 1) {
    const accountId = String(100_000_000_000 + account);
    const batch: Batch = { targets: [] };
    for (const region of DEFAULT_REGIONS) {
      if (remaining === 0) break;
      const count = Math.min(FUNCTIONS_PER_TARGET, remaining);
      remaining -= count;
      const taken = new Set<string>();
      const generated = Array.from({ length: count }, () =>
        generateFunction(prng, accountId, region, uniqueFunctionName(prng, taken), {
          category: prng.pick(RUNTIME_CATEGORIES),
        }),
      );
      // plain objects fresh from JSON, as the SDK's deserializer hands them to the worker
      batch.targets.push({
        target: { accountId, accountName: `bench-${account}`, region },
        configurations: JSON.parse(JSON.stringify(generated)) as FunctionConfiguration[],
      });
    }
    batches.push(batch);
  }
  return batches;
}

/** CPU time (user + system, every thread of the process: gzip runs on libuv's pool), not wall time. */
interface Timing {
  mapMs: number;
  encodeMs: number;
  bytes: number;
}

const cpuMs = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

async function runOnce(batches: Batch[]): Promise<Timing> {
  let mapMs = 0;
  let encodeMs = 0;
  let bytes = 0;
  for (const batch of batches) {
    const mapStart = process.cpuUsage();
    const scans = batch.targets.map(
      ({ target, configurations }): TargetScan => ({
        result: {
          accountId: target.accountId,
          accountName: target.accountName,
          region: target.region,
          status: 'ok',
          functionCount: configurations.length,
          pages: 1,
          durationMs: 100,
          scannedAt: '2026-11-02T03:04:00.000Z',
        },
        functions: configurations.map((configuration) => toScannedFunction(configuration, target)),
      }),
    );
    mapMs += cpuMs(mapStart);
    const encodeStart = process.cpuUsage();
    const body = await encodePartial(scans);
    encodeMs += cpuMs(encodeStart);
    bytes += body.length;
  }
  return { mapMs, encodeMs, bytes };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
  const usage: BenchUsage = new BenchUsage('  npx tsx bench/worker-records.ts [--records 100000] [--runs 5]');
  const { values } = usage.parse({
    options: { records: { type: 'string', default: '100000' }, runs: { type: 'string', default: '5' } },
  });
  const records = usage.wholeNumber('records', values.records, 1);
  const runs = usage.wholeNumber('runs', values.runs, 1);
  const batches = generateBatches(records);
  // one warm-up run, so the figures are the JIT-compiled code's
  await runOnce(batches);
  const timings: Timing[] = [];
  for (let run = 0; run < runs; run += 1) timings.push(await runOnce(batches));
  const mapMs = median(timings.map((t) => t.mapMs));
  const encodeMs = median(timings.map((t) => t.encodeMs));
  const bytes = timings[0]?.bytes ?? 0;
  process.stdout.write(
    `${records} records in ${batches.length} partials, median CPU time of ${runs} runs on Node ${process.versions.node}: ` +
      `map ${mapMs.toFixed(0)} ms (${((mapMs * 1000) / records).toFixed(2)} µs/record), ` +
      `encode ${encodeMs.toFixed(0)} ms (${((encodeMs * 1000) / records).toFixed(2)} µs/record), ` +
      `partials ${(bytes / records).toFixed(1)} B/record\n`,
  );
}

await main();
