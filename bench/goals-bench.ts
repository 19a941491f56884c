/**
 * `npm run bench -- --goals`: every figure of the project's performance and cost goals, measured in
 * one invocation (see README "Benchmark"). Each phase that cannot be measured reports null and
 * says why; the others still run.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountAlignedBatchSize } from '../functions/plan/plan-targets.ts';
import { lambdaClient, organizationsClient, stsClient } from '../functions/shared/clients.ts';
import { type InventoryConfig, parseInventoryConfig } from '../shared/config.ts';
import { DEFAULT_MEMORY_MB, estimateRunCost } from '../shared/cost-estimate.ts';
import { DEFAULTS } from '../shared/env.ts';
import { deploymentFacts, startScript, timeCommand } from './child-commands.ts';
import { cpuFloor } from './cpu-floor.ts';
import type { DeploymentFacts } from './deployment-facts.ts';
import { GOALS_FLEET, THROTTLED_FLEET } from './fleets.ts';
import { type GoalFigures, median, round, verdicts } from './goals.ts';
import { latencyCriticalPath } from './latency-bound.ts';
import { machineCpu, stealShare } from './machine-cpu.ts';
import { sequentialScan } from './sequential-scan.ts';
import { SimulatorProcess } from './simulator-process.ts';
import type { FleetShape } from './simulator-protocol.ts';
import { type TimedRun, timedWorkflowRun, useSimulatorEnvironment } from './workflow-run.ts';

export interface GoalsOptions {
  /** workflow runs on the goals fleet (the median is reported) @default 3 */
  runs: number;
  /** accounts the sequential loop scans before extrapolating @default 10 */
  sequentialAccounts: number;
  /** records of the reduce benchmark @default 1_000_000 */
  reduceRecords: number;
  /** benchReduce runs (the median is reported) @default 3 */
  reduceRuns: number;
  /**
   * Seconds of reduce runs after which no further run starts, so that a slow reduce keeps the whole
   * `--goals` run within its time budget (the runs done are reported). @default 100
   */
  reduceBudgetSeconds: number;
}

export interface GoalsResult {
  figures: GoalFigures;
  details: Record<string, unknown>;
  /** measurement problems (not goal failures): the exit code is 1 when there are any */
  problems: string[];
}

type Log = (line: string) => void;

const THROTTLING = /throttl|TooManyRequests|rate exceeded|SlowDown/i;

/** The cost goal's organization. */
const COST_SHAPE = { accounts: 1_000, regions: 20 } as const;

export async function goalsBench(options: GoalsOptions, log: Log): Promise<GoalsResult> {
  const started = performance.now();
  const cpuAtStart = machineCpu();
  const environment = { ...process.env };
  const problems: string[] = [];
  const details: Record<string, unknown> = {};
  const figures: GoalFigures = {
    p1Efficiency: null,
    p1BoundSeconds: null,
    p2SpeedupVsSequential: null,
    assumeRolePerAccount: null,
    reduce1MSeconds: null,
    reduce1MPeakRssMB: null,
    workerBundleBytes: null,
    startSeconds: null,
    costPerRunUsd: null,
    throttledTargets: null,
  };
  details.machine = machine();
  log(`machine: ${JSON.stringify(details.machine)}`);
  const phase = async (name: string, body: () => Promise<void>) => {
    const phaseStart = performance.now();
    log(`== ${name}`);
    try {
      await body();
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
      log(`   NOT MEASURED: ${(error as Error).message}`);
    }
    log(`   (${seconds(phaseStart)} s)`);
  };

  // first, while this process is fresh: benchReduce may measure its own RSS
  await phase(`reduce of ${options.reduceRecords.toLocaleString('en')} records`, async () => {
    const reduce = await reduceBench(options, log);
    if (!reduce) return;
    Object.assign(figures, { reduce1MSeconds: reduce.seconds, reduce1MPeakRssMB: reduce.peakRssMB });
    details.reduce = reduce;
  });

  let config: InventoryConfig | undefined;
  await phase('goals fleet: workflow runs, bound, sequential loop', async () => {
    const simulator = await SimulatorProcess.start(GOALS_FLEET);
    try {
      config = parseInventoryConfig({
        targets: { source: 'organization' },
        regions: simulator.shape.regions,
      });
      const p1 = await p1Runs(simulator, config, options, log);
      const sequential = await sequentialRun(simulator, config, options, log);
      Object.assign(figures, {
        p1Efficiency: round(p1.boundSeconds / p1.wallSeconds),
        p1BoundSeconds: round(p1.boundSeconds),
        p2SpeedupVsSequential: round(sequential.extrapolatedSeconds / p1.wallSeconds, 1),
        assumeRolePerAccount: round(p1.assumeRolePerAccount),
      });
      log(
        `   p1 efficiency ${figures.p1Efficiency} (bound ${figures.p1BoundSeconds} s / median wall ${round(p1.wallSeconds, 2)} s); ` +
          `p2 speedup ${figures.p2SpeedupVsSequential}x`,
      );
      problems.push(...p1.problems, ...sequential.problems);
      details.p1 = {
        medianWallSeconds: round(p1.wallSeconds, 2),
        runSeconds: p1.runSeconds,
        boundSeconds: round(p1.boundSeconds, 3),
        latency: { ...p1.latency, seconds: round(p1.latency.seconds, 3) },
        cpuFloor: { ...p1.cpu, seconds: round(p1.cpu.seconds, 3) },
      };
      details.sequential = {
        sampledAccounts: sequential.sampledAccounts,
        activeAccounts: sequential.activeAccounts,
        sampleSeconds: round(sequential.sampleSeconds, 2),
        listSeconds: round(sequential.listSeconds, 2),
        extrapolatedSeconds: round(sequential.extrapolatedSeconds, 1),
      };
    } finally {
      await simulator.close();
      restore(environment);
    }
  });

  await phase('throttled fleet: STS 5/s, ListFunctions 2/s per account and region', async () => {
    const simulator = await SimulatorProcess.start(THROTTLED_FLEET);
    try {
      const throttleConfig = parseInventoryConfig({
        targets: { source: 'organization' },
        regions: simulator.shape.regions,
      });
      const run = await timedWorkflowRun(throttleConfig, simulator.shape);
      const counters = await simulator.counters();
      const throttled = throttledTargets(run);
      figures.throttledTargets = throttled.count;
      details.throttled = {
        ...throttled,
        status: run.status,
        wallSeconds: round(run.wallSeconds, 2),
        requestsThrottled: counters.throttled,
        calls: counters.calls,
      };
      log(
        `   ${run.status} in ${round(run.wallSeconds, 1)} s; throttled targets ${throttled.count} ` +
          `(${JSON.stringify(throttled.byCause)}); requests answered with a throttle ${JSON.stringify(counters.throttled)}`,
      );
    } finally {
      await simulator.close();
      restore(environment);
    }
  });

  let facts: DeploymentFacts | undefined;
  await phase('worker bundle (esbuild through the NodeFunction construct)', async () => {
    facts = await deploymentFacts();
    figures.workerBundleBytes = facts.workerBundleBytes;
    details.memoryMB = facts.memoryMB;
    log(
      `   index.mjs ${facts.workerBundleBytes.toLocaleString('en')} bytes; memory ${JSON.stringify(facts.memoryMB)} MB`,
    );
  });

  await phase('npm start', async () => {
    const command = await startScript();
    const run = await timeCommand(command, environment);
    details.start = { command, exitCode: run.exitCode };
    log(`   \`${command}\`: ${round(run.seconds, 2)} s, exit code ${run.exitCode}`);
    if (run.exitCode !== 0)
      throw new Error(`\`${command}\` exited with ${run.exitCode}: ${lastLine(run.stderr)}`);
    figures.startSeconds = round(run.seconds, 2);
  });

  await phase(`cost of a run: ${COST_SHAPE.accounts} accounts x ${COST_SHAPE.regions} regions`, async () => {
    const settings = config ?? parseInventoryConfig({});
    const memory = facts?.memoryMB ?? DEFAULT_MEMORY_MB;
    if (!facts) log('   memory sizes: the bundle phase failed, so the estimator defaults are used');
    const estimate = estimateRunCost({
      ...COST_SHAPE,
      batchSize: settings.map.batchSize,
      maxConcurrency: settings.map.maxConcurrency,
      regionConcurrency: DEFAULTS.regionConcurrency,
      workerMemoryMB: memory.worker,
      planMemoryMB: memory.plan,
      reduceMemoryMB: memory.reduce,
    });
    figures.costPerRunUsd = round(estimate.totalUsd, 6);
    details.cost = { batches: estimate.counts.batches, batchSize: estimate.batchSize, lines: estimate.lines };
    for (const line of estimate.lines) {
      log(
        `   ${line.service.padEnd(14)} ${line.item.padEnd(72)} ${round(line.quantity, 2)} ${line.unit}  $${line.usd.toFixed(6)}`,
      );
    }
    log(`   total $${estimate.totalUsd.toFixed(4)}`);
  });

  details.wallSeconds = seconds(started);
  details.loadAverageAtEnd = loadavg().map((load) => round(load, 2));
  const steal = stealShare(cpuAtStart, machineCpu());
  details.cpuStealShare = round(steal, 4);
  log(
    `load average at the end: ${JSON.stringify(details.loadAverageAtEnd)}, CPU time stolen by the host: ` +
      `${(steal * 100).toFixed(1)}% (other work on the machine or its host slows every figure)`,
  );
  log('== goals');
  for (const { goal, value, verdict } of verdicts(figures)) {
    log(`${verdict.padEnd(12)} ${goal.label} (${value === null ? 'n/a' : value})`);
  }
  log(`whole --goals run: ${details.wallSeconds} s`);
  return { figures, details, problems };
}

interface P1Result {
  wallSeconds: number;
  runSeconds: number[];
  boundSeconds: number;
  latency: ReturnType<typeof latencyCriticalPath>;
  cpu: Awaited<ReturnType<typeof cpuFloor>>;
  assumeRolePerAccount: number;
  problems: string[];
}

/** The workflow `runs` times on the goals fleet; the bound from the fleet and from the first run's bytes. */
async function p1Runs(
  simulator: SimulatorProcess,
  config: InventoryConfig,
  options: GoalsOptions,
  log: Log,
): Promise<P1Result> {
  const { shape } = simulator;
  const activeAccounts = shape.accounts.filter((account) => account.state === 'ACTIVE').length;
  log(
    `   fleet: ${shape.accounts.length} accounts (${activeAccounts} active) x ${shape.regions.length} regions, ` +
      `${shape.reachableFunctions.toLocaleString('en')} functions; map: ${config.map.maxConcurrency} batches at once, ` +
      `batch size ${config.map.batchSize}, ${DEFAULTS.regionConcurrency} regions at once`,
  );
  const problems: string[] = [];
  const runSeconds: number[] = [];
  const assumeRoleRatios: number[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'lambda-inventory-bench-bodies-'));
  try {
    const bodiesFile = join(dir, 'bodies.ndjson');
    for (let run = 1; run <= options.runs; run++) {
      await simulator.reset();
      // the first run's response bodies are the bytes of the CPU floor
      await simulator.capture(run === 1);
      const result = await timedWorkflowRun(config, shape);
      if (run === 1) {
        await simulator.capture(false);
        await simulator.dumpBodies(bodiesFile);
      }
      const counters = await simulator.counters();
      const assumeRoles = counters.calls['sts:AssumeRole'] ?? 0;
      assumeRoleRatios.push(assumeRoles / activeAccounts);
      runSeconds.push(result.wallSeconds);
      const found = result.status === 'SUCCEEDED' ? result.summary.functionCount : null;
      log(
        `   run ${run}: ${round(result.wallSeconds, 2)} s, ${result.status}, functions ${found}/${shape.reachableFunctions}, ` +
          `calls ${JSON.stringify(counters.calls)}, throttled ${JSON.stringify(counters.throttled)}, ` +
          `peak concurrent requests ${counters.peakConcurrency}`,
      );
      if (result.status !== 'SUCCEEDED')
        problems.push(`p1 run ${run} failed: ${result.error}: ${result.cause}`);
      else if (found !== shape.reachableFunctions)
        problems.push(
          `p1 run ${run}: the report has ${found} functions, the fleet ${shape.reachableFunctions}`,
        );
    }
    const cpu = await cpuFloor(bodiesFile);
    const latency = latencyCriticalPath(shape.accounts, {
      latencySeconds: latencyOf(shape),
      regions: config.regions,
      batchSize: accountAlignedBatchSize(config.map.batchSize, config.regions.length),
      maxConcurrency: config.map.maxConcurrency,
      regionConcurrency: DEFAULTS.regionConcurrency,
    });
    const boundSeconds = Math.max(latency.seconds, cpu.seconds);
    log(
      `   bound ${round(boundSeconds, 2)} s = max(latency path ${round(latency.seconds, 2)} s ` +
        `[plan ${round(latency.planSeconds, 2)} + scan ${round(latency.scanSeconds, 2)}; ${latency.batches} batches, ` +
        `${latency.calls} calls], CPU floor ${round(cpu.seconds, 3)} s [JSON.parse of ${cpu.bodies} bodies, ` +
        `${(cpu.bytes / 1e6).toFixed(1)} MB on ${cpu.threads} threads])`,
    );
    return {
      wallSeconds: median(runSeconds),
      runSeconds: runSeconds.map((value) => round(value, 2)),
      boundSeconds,
      latency,
      cpu,
      assumeRolePerAccount: Math.max(...assumeRoleRatios),
      problems,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The goals fleet's fixed latency (the bound needs one figure per call). */
function latencyOf(shape: FleetShape): number {
  const latency = GOALS_FLEET.faults?.latencyMs;
  if (typeof latency !== 'number') throw new Error('the goals fleet needs a fixed latency');
  if (shape.reachableFunctions === 0) throw new Error('the goals fleet has no functions');
  return latency / 1_000;
}

async function sequentialRun(
  simulator: SimulatorProcess,
  config: InventoryConfig,
  options: GoalsOptions,
  log: Log,
): Promise<Awaited<ReturnType<typeof sequentialScan>> & { problems: string[] }> {
  await simulator.reset();
  useSimulatorEnvironment(simulator.shape);
  const clients = { sts: stsClient(), organizations: organizationsClient() };
  try {
    const result = await sequentialScan(
      { ...clients, lambdaFor: lambdaClient, memberRoleName: config.memberRoleName, regions: config.regions },
      options.sequentialAccounts,
    );
    const sampled = simulator.shape.accounts
      .filter((account) => account.state === 'ACTIVE')
      .map((account) => account.id)
      .sort()
      .slice(0, result.sampledAccounts);
    const expected = simulator.shape.accounts
      .filter((account) => sampled.includes(account.id))
      .reduce((sum, account) => sum + Object.values(account.functionsByRegion).reduce((n, c) => n + c, 0), 0);
    log(
      `   sequential loop: ${result.sampledAccounts} of ${result.activeAccounts} accounts in ${round(result.sampleSeconds, 1)} s ` +
        `(+ ${round(result.listSeconds, 2)} s listing) -> ${round(result.extrapolatedSeconds, 1)} s for all, extrapolated`,
    );
    const problems =
      result.functionsFound === expected
        ? []
        : [`sequential loop found ${result.functionsFound} functions, the sampled accounts hold ${expected}`];
    return { ...result, problems };
  } finally {
    clients.sts.destroy();
    clients.organizations.destroy();
  }
}

/**
 * Targets whose final status is `throttled` (the report's count), plus those not ok because of
 * throttling under another status: an error whose code or message is a throttle, a failed batch's targets.
 */
export function throttledTargets(run: TimedRun): { count: number; byCause: Record<string, number> } {
  const byCause: Record<string, number> = {};
  const add = (cause: string, n: number) => {
    if (n > 0) byCause[cause] = (byCause[cause] ?? 0) + n;
  };
  add(
    'throttled',
    run.status === 'SUCCEEDED'
      ? (run.summary.coverage.byStatus.throttled ?? 0)
      : run.results.filter((result) => result.status === 'throttled').length,
  );
  for (const result of run.results) {
    if (result.status !== 'ok' && result.status !== 'throttled') {
      if (THROTTLING.test(`${result.errorCode ?? ''} ${result.message ?? ''}`))
        add(`${result.status}:${result.errorCode ?? 'unknown'}`, 1);
    }
  }
  for (const batch of run.failedBatches) {
    if (THROTTLING.test(`${batch.error} ${batch.cause}`))
      add(`not-scanned:${batch.error}`, batch.targets.length);
  }
  return { count: Object.values(byCause).reduce((sum, n) => sum + n, 0), byCause };
}

interface ReduceFigures {
  seconds: number;
  peakRssMB: number;
  runs: { seconds: number; peakRssMB: number; cpuSeconds?: number }[];
  dir: string;
}

type BenchReduce = (options: {
  records: number;
  dir: string;
}) => Promise<{ seconds: number; peakRssMB: number; cpuSeconds?: number }>;

/**
 * bench/reduce-bench.ts's benchReduce, median of `reduceRuns`; undefined (and said why) when it is
 * absent. The folder is kept between runs and invocations: benchReduce reuses partials it generated
 * for the same number of records (generating them takes longer than reducing them).
 */
async function reduceBench(options: GoalsOptions, log: Log): Promise<ReduceFigures | undefined> {
  const module = new URL('./reduce-bench.ts', import.meta.url);
  if (!existsSync(module)) {
    log('   NOT MEASURED: bench/reduce-bench.ts (benchReduce) does not exist yet');
    return undefined;
  }
  const { benchReduce } = (await import(module.href)) as { benchReduce?: BenchReduce };
  if (typeof benchReduce !== 'function')
    throw new Error('bench/reduce-bench.ts exports no benchReduce function');
  const dir = join(tmpdir(), `lambda-inventory-bench-reduce-${options.reduceRecords}`);
  const runs: ReduceFigures['runs'] = [];
  const started = performance.now();
  for (let run = 1; run <= options.reduceRuns; run++) {
    if (run > 1 && (performance.now() - started) / 1_000 > options.reduceBudgetSeconds) {
      log(
        `   over the ${options.reduceBudgetSeconds} s budget: the median of ${runs.length} run(s) is reported`,
      );
      break;
    }
    const result = await benchReduce({ records: options.reduceRecords, dir });
    const cpu = result.cpuSeconds === undefined ? {} : { cpuSeconds: round(result.cpuSeconds, 2) };
    runs.push({ seconds: round(result.seconds, 2), peakRssMB: round(result.peakRssMB, 1), ...cpu });
    log(
      `   run ${run}: ${round(result.seconds, 2)} s, peak RSS ${round(result.peakRssMB, 1)} MB` +
        (result.cpuSeconds === undefined ? '' : `, CPU ${round(result.cpuSeconds, 2)} s`),
    );
  }
  return {
    seconds: round(median(runs.map((run) => run.seconds)), 2),
    peakRssMB: round(median(runs.map((run) => run.peakRssMB)), 1),
    runs,
    dir,
  };
}

/** What the figures were measured on; a load average above the cores means other work shared them. */
function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    loadAverageAtStart: loadavg().map((load) => round(load, 2)),
  };
}

function restore(saved: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
}

function seconds(since: number): number {
  return round((performance.now() - since) / 1_000, 1);
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
