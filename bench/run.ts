/**
 * Benchmarks against the fleet simulator, which runs in a child process so that it never shares the
 * measured process's CPU.
 *
 *   npm run bench -- [--accounts 200] [--regions 8] [--latency 20] [--rate 15] [--concurrency 40] [--batch-size 20] [--seed 7] [--json]
 *     one larger local run: API calls, throttles, wall time, the report checked against the ground truth.
 *     --latency is the simulated API latency in ms (drawn from latency/2 to 2 x latency); --rate is
 *     the ListFunctions quota per account and region (AWS: 15/s).
 *
 *   npm run bench -- --goals [--json] [--sequential-accounts 10] [--reduce-records 1000000]
 *     every figure of the performance and cost goals, each with PASS/FAIL (README "Benchmark").
 *
 * Human lines go to stdout; with --json the last line is one JSON object. Exit code 1 when a figure
 * could not be measured or a report disagrees with the ground truth (a goal missed is not an error).
 */
import { BenchUsage } from './args.ts';
import { defaultBench } from './default-bench.ts';
import { goalsBench } from './goals-bench.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const usage: BenchUsage = new BenchUsage(
  '  npm run bench -- [--accounts 200] [--regions 8] [--latency 20] [--rate 15] [--concurrency 40] [--batch-size 20] [--seed 7] [--json]\n' +
    '  npm run bench -- --goals [--json] [--sequential-accounts 10] [--reduce-records 1000000]',
);
const { values } = usage.parse({
  options: {
    goals: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    accounts: { type: 'string', default: '200' },
    regions: { type: 'string', default: '8' },
    latency: { type: 'string', default: '20' },
    rate: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '40' },
    'batch-size': { type: 'string', default: '20' },
    seed: { type: 'string', default: '7' },
    'sequential-accounts': { type: 'string', default: '10' },
    'reduce-records': { type: 'string', default: '1000000' },
  },
});

function integer(name: keyof typeof values, min: number): number {
  const raw = values[name];
  return usage.wholeNumber(name, typeof raw === 'string' ? raw : undefined, min);
}

const log = (line: string) => process.stdout.write(`${line}\n`);

if (values.goals) {
  const result = await goalsBench(
    {
      runs: 3,
      reduceRuns: 3,
      reduceBudgetSeconds: 100,
      sequentialAccounts: integer('sequential-accounts', 1),
      reduceRecords: integer('reduce-records', 1),
    },
    log,
  );
  for (const problem of result.problems) process.stderr.write(`bench: ${problem}\n`);
  if (values.json) log(JSON.stringify({ ...result.figures, details: result.details }));
  process.exitCode = result.problems.length > 0 ? 1 : 0;
} else {
  const result = await defaultBench(
    {
      accounts: integer('accounts', 1),
      regions: integer('regions', 1),
      latency: integer('latency', 0),
      rate: integer('rate', 0),
      concurrency: integer('concurrency', 1),
      batchSize: integer('batch-size', 1),
      seed: integer('seed', 0),
    },
    log,
  );
  for (const problem of result.problems) process.stderr.write(`bench: ${problem}\n`);
  if (values.json) log(JSON.stringify(result.figures));
  process.exitCode = result.problems.length > 0 ? 1 : 0;
}
