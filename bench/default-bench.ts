/**
 * The default bench: one larger local run against the simulated fleet (in its own process), with
 * AWS's real ListFunctions quota and latency; API calls, throttles and wall time, and the report
 * checked against the simulator's ground truth.
 */
import { parseInventoryConfig } from '../shared/config.ts';
import { type DefaultBenchOptions, defaultBenchFleet } from './fleets.ts';
import { round } from './goals.ts';
import { SimulatorProcess } from './simulator-process.ts';
import { timedWorkflowRun } from './workflow-run.ts';

export interface DefaultBenchFlags extends DefaultBenchOptions {
  concurrency: number;
  batchSize: number;
}

export async function defaultBench(
  flags: DefaultBenchFlags,
  log: (line: string) => void,
): Promise<{ figures: Record<string, unknown>; problems: string[] }> {
  const simulator = await SimulatorProcess.start(defaultBenchFleet(flags));
  try {
    const { shape } = simulator;
    const config = parseInventoryConfig({
      targets: { source: 'organization' },
      regions: [...shape.regions, ...shape.optInRegions],
      map: { maxConcurrency: flags.concurrency, batchSize: flags.batchSize },
    });
    const run = await timedWorkflowRun(config, shape);
    if (run.status !== 'SUCCEEDED') throw new Error(`run failed: ${run.error}: ${run.cause}`);
    const counters = await simulator.counters();
    const { summary } = run;
    const figures = {
      accounts: shape.accounts.length,
      regions: config.regions.length,
      targets: summary.coverage.targets,
      coverageByStatus: summary.coverage.byStatus,
      functionsReported: summary.functionCount,
      functionsInGroundTruth: shape.reachableFunctions,
      apiCalls: counters.calls,
      throttled: counters.throttled,
      assumeRolePerAccountMax: Math.max(0, ...Object.values(counters.assumeRoleByAccount)),
      peakConcurrentRequests: counters.peakConcurrency,
      wallSeconds: round(run.wallSeconds, 2),
      functionsPerSecond: Math.round(summary.functionCount / run.wallSeconds),
    };
    for (const [name, value] of Object.entries(figures)) {
      log(`${name.padEnd(24)} ${typeof value === 'object' ? JSON.stringify(value) : value}`);
    }
    const problems =
      summary.functionCount === shape.reachableFunctions
        ? []
        : [
            `MISMATCH: the report has ${summary.functionCount} functions, the fleet ${shape.reachableFunctions}`,
          ];
    return { figures, problems };
  } finally {
    await simulator.close();
  }
}
