/**
 * Where the time of one local run goes: the workflow on the goals fleet (bench/fleets.ts, simulator in
 * its own process), run several times in one process, with the seconds from the start at which each
 * phase ended (planned, first and last batch done, reduced) and the CPU seconds of the engine's main
 * thread, of this whole process (worker threads, GC and libuv threads included) and of the simulator.
 * On 2 cores the three compete: what the simulator takes is not left for the product.
 *
 *   npx tsx bench/workflow-phases.ts [--runs 3] [--threads N]
 *
 * The product runs from dist/ when that build is current (bench/product-modules.ts), else from the
 * TypeScript sources; each line says which. --threads: the engine's childThreads (default: the
 * engine's own default). For a CPU profile of the engine's thread:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/workflow-phases.ts --runs 1
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseInventoryConfig } from '../shared/config.ts';
import { BenchUsage } from './args.ts';
import { GOALS_FLEET } from './fleets.ts';
import { machineCpu, stealShare, TICKS_PER_SECOND } from './machine-cpu.ts';
import { PRODUCT_BUILD } from './product-modules.ts';
import { SimulatorProcess } from './simulator-process.ts';
import { productEngine, useSimulatorEnvironment } from './workflow-run.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const usage: BenchUsage = new BenchUsage('  npx tsx bench/workflow-phases.ts [--runs 3] [--threads N]');
const { values } = usage.parse({
  options: { runs: { type: 'string', default: '3' }, threads: { type: 'string' } },
});
const runs = usage.wholeNumber('runs', values.runs, 1);
const threads = values.threads === undefined ? undefined : usage.wholeNumber('threads', values.threads, 0);

/** User + system CPU seconds of a process or thread, from /proc (Linux). */
function procCpuSeconds(statPath: string): number {
  // the command name (2nd field) may hold spaces: count fields after its closing parenthesis
  const stat = readFileSync(statPath, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds of this process's threads, summed by thread name (V8 workers, libuv's pool, piscina...). */
async function threadCpuSeconds(): Promise<Map<string, number>> {
  const byName = new Map<string, number>();
  for (const task of await readdir('/proc/self/task')) {
    try {
      const path = `/proc/self/task/${task}/stat`;
      const stat = readFileSync(path, 'utf8');
      const name =
        Number(task) === process.pid
          ? 'main'
          : `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}:${task}`;
      byName.set(name, (byName.get(name) ?? 0) + procCpuSeconds(path));
    } catch {
      // a thread that ended while the folder was read
    }
  }
  return byName;
}

/** The child process running the simulator (tsx has a child process of its own: esbuild). */
async function simulatorPid(): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (parent === process.pid && command.includes('simulator-child')) return Number(entry);
    } catch {
      // a process that ended while the folder was read
    }
  }
  throw new Error('the simulator child process was not found');
}

// the product as lambda-inventory runs it: compiled when dist/ is current, else the sources (tsx)
const [{ runWorkflow }, { localClients }, { localStore }] = await productEngine();
const simulator = await SimulatorProcess.start(GOALS_FLEET);
const simulatorStat = `/proc/${await simulatorPid()}/stat`;
const mainThreadStat = `/proc/self/task/${process.pid}/stat`;
const config = parseInventoryConfig({
  targets: { source: 'organization' },
  regions: simulator.shape.regions,
});
useSimulatorEnvironment(simulator.shape);
for (let run = 1; run <= runs; run += 1) {
  const dir = await mkdtemp(join(tmpdir(), 'workflow-phases-'));
  const clients = localClients();
  const cpu = {
    main: procCpuSeconds(mainThreadStat),
    simulator: procCpuSeconds(simulatorStat),
    machine: machineCpu(),
  };
  const processCpu = process.cpuUsage();
  const threadsBefore = await threadCpuSeconds();
  const marks: Record<string, number> = {};
  let batches = 0;
  // the main thread's CPU from planned to the last batch: less sensitive to other load than wall time
  const mapCpu = { planned: 0, lastBatch: 0 };
  const started = performance.now();
  const seconds = () => Number(((performance.now() - started) / 1_000).toFixed(2));
  const result = await runWorkflow({
    config,
    store: localStore({ folder: dir }),
    bucket: dir,
    clients,
    childThreads: threads,
    onProgress: (event) => {
      if (event.type === 'planned') mapCpu.planned = procCpuSeconds(mainThreadStat);
      if (event.type !== 'batch-done') {
        marks[event.type] = seconds();
        return;
      }
      batches += 1;
      marks.firstBatch ??= seconds();
      marks.lastBatch = seconds();
      mapCpu.lastBatch = procCpuSeconds(mainThreadStat);
    },
  });
  const wall = seconds();
  const used = process.cpuUsage(processCpu);
  const simulatorCpu = procCpuSeconds(simulatorStat) - cpu.simulator;
  // other processes' load on the machine during the run: wall times are only comparable without it
  const machine = machineCpu();
  const othersCpu = machine.busy - cpu.machine.busy - simulatorCpu - (used.user + used.system) / 1e6;
  const byThread: Record<string, number> = {};
  for (const [name, seconds] of await threadCpuSeconds()) {
    const delta = seconds - (threadsBefore.get(name) ?? 0);
    if (delta >= 0.05) byThread[name] = Number(delta.toFixed(2));
  }
  console.log(
    JSON.stringify({
      run,
      build: PRODUCT_BUILD,
      status: result.status,
      wall,
      batches,
      marks,
      mapSeconds: Number(((marks.lastBatch ?? 0) - (marks.planned ?? 0)).toFixed(2)),
      cpuSeconds: {
        mainThread: Number((procCpuSeconds(mainThreadStat) - cpu.main).toFixed(2)),
        mainThreadMap: Number((mapCpu.lastBatch - mapCpu.planned).toFixed(2)),
        process: Number(((used.user + used.system) / 1e6).toFixed(2)),
        simulator: Number(simulatorCpu.toFixed(2)),
        otherProcesses: Number(Math.max(0, othersCpu).toFixed(2)),
        byThread,
      },
      stealShare: Number(stealShare(cpu.machine, machine).toFixed(4)),
    }),
  );
  clients.sts.destroy();
  clients.organizations.destroy();
  await rm(dir, { recursive: true, force: true });
}
await simulator.close();
