/**
 * Benchmark: one larger local run against the fleet simulator, with AWS's real quotas (15
 * ListFunctions/s per account-region) and latency. Prints targets, functions, API calls, throttles
 * and wall time, and checks the report against the simulator's ground truth.
 *
 *   npm run bench -- [--accounts 200] [--regions 8] [--latency 20] [--rate 15] [--concurrency 40] [--batch-size 20]
 *
 * --latency is the simulated API latency in ms (drawn from latency/2 to 2 x latency); --rate is the
 * ListFunctions quota per account and region (AWS: 15/s).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lambdaClient, organizationsClient, stsClient } from '../functions/shared/clients.ts';
import { FolderObjectStore, getJson } from '../functions/shared/object-store.ts';
import { runWorkflow } from '../local/engine.ts';
import { parseInventoryConfig } from '../shared/config.ts';
import { DEFAULT_REGIONS, Summary } from '../shared/contracts.ts';
import { startSimulator } from '../simulator/index.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '200' },
    regions: { type: 'string', default: '8' },
    latency: { type: 'string', default: '20' },
    rate: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '40' },
    'batch-size': { type: 'string', default: '20' },
    seed: { type: 'string', default: '7' },
  },
});
const accounts = Number(values.accounts);
const regionCount = Number(values.regions);
const latency = Number(values.latency);

const simulator = await startSimulator({
  spec: {
    seed: Number(values.seed),
    accounts,
    regions: DEFAULT_REGIONS.slice(0, regionCount),
    optInRegions: ['eu-south-1'],
    functionsPerRegion: { min: 0, max: 40 },
    heavyRegions: { count: Math.max(1, Math.floor(accounts / 20)), functions: { min: 120, max: 400 } },
    suspendedAccounts: Math.max(1, Math.floor(accounts / 100)),
    accountsWithoutRole: Math.max(1, Math.floor(accounts / 50)),
    faults: {
      latencyMs: { min: Math.floor(latency / 2), max: latency * 2 },
      listFunctionsRatePerSecond: Number(values.rate),
    },
  },
});
Object.assign(process.env, simulator.env);
const dir = await mkdtemp(join(tmpdir(), 'lambda-inventory-bench-'));
try {
  const store = new FolderObjectStore(dir);
  const config = parseInventoryConfig({
    targets: { source: 'organization' },
    regions: [...simulator.fleet.regions, ...simulator.fleet.optInRegions],
    map: { maxConcurrency: Number(values.concurrency), batchSize: Number(values['batch-size']) },
  });
  const started = performance.now();
  const result = await runWorkflow({
    config,
    store,
    bucket: dir,
    clients: { sts: stsClient(), organizations: organizationsClient(), lambdaFor: lambdaClient },
  });
  const wallSeconds = (performance.now() - started) / 1_000;
  if (result.status !== 'SUCCEEDED') throw new Error(`run failed: ${result.error}: ${result.cause}`);

  const summary = Summary.parse(await getJson(store, result.output.keys.summaryJson));
  const counters = simulator.counters.snapshot();
  const truth = simulator.fleet.accounts
    .filter((account) => account.state === 'ACTIVE' && account.hasRole)
    .reduce(
      (sum, account) => sum + Object.values(account.functions).reduce((n, list) => n + list.length, 0),
      0,
    );
  const figures = {
    accounts: simulator.fleet.accounts.length,
    regions: config.regions.length,
    targets: summary.coverage.targets,
    coverageByStatus: summary.coverage.byStatus,
    functionsReported: summary.functionCount,
    functionsInGroundTruth: truth,
    apiCalls: counters.calls,
    throttled: counters.throttled,
    assumeRolePerAccountMax: Math.max(...Object.values(counters.assumeRoleByAccount)),
    peakConcurrentRequests: counters.peakConcurrency,
    wallSeconds: Number(wallSeconds.toFixed(2)),
    functionsPerSecond: Math.round(summary.functionCount / wallSeconds),
  };
  console.log(JSON.stringify(figures, null, 2));
  if (summary.functionCount !== truth) {
    console.error(`MISMATCH: report has ${summary.functionCount} functions, the fleet ${truth}`);
    process.exitCode = 1;
  }
} finally {
  await simulator.close();
  await rm(dir, { recursive: true, force: true });
}
