/**
 * The Map's child executions on worker threads beside the engine's thread, against the fleet
 * simulator with the product's clients (real SDK calls over HTTP): the report equals the fleet's
 * ground truth, and the engine falls back to its own thread where threads cannot build the same
 * clients and store. Also how a run stops on its AbortSignal, threads or not.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaClient, organizationsClient, stsClient } from '../../functions/shared/clients.ts';
import { localClients } from '../../local/clients.ts';
import {
  type LocalProgressEvent,
  type LocalRunOptions,
  MIN_BATCHES_PER_THREAD,
  runWorkflow,
} from '../../local/engine.ts';
import { warmUpWorkflow } from '../../local/render-definition.ts';
import { localStore } from '../../local/stores.ts';
import { parseInventoryConfig } from '../../shared/config.ts';
import { STATE } from '../../shared/states.ts';
import { type FleetSpec, type Simulator, startSimulator } from '../../simulator/index.ts';
import { FaultyStore, withTempStore } from './support.ts';

const REGIONS = ['eu-west-1', 'us-east-1'];

/** Eight accounts (the management account and seven members), every one with the role: 16 targets. */
const FLEET: FleetSpec = {
  seed: 'child-threads',
  regions: REGIONS,
  optInRegions: [],
  accounts: 7,
  functionsPerRegion: { min: 1, max: 60 },
  heavyRegions: { count: 0 },
  suspendedAccounts: 0,
  closedAccounts: 0,
  accountsWithoutRole: 0,
};

/** One account per batch: 8 batches, enough for one worker thread beside the engine's. */
const CONFIG = parseInventoryConfig({
  targets: { source: 'organization' },
  regions: REGIONS,
  map: { maxConcurrency: 4, batchSize: 2, toleratedFailurePercentage: 0 },
});
const BATCHES = 8;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ spec: FLEET });
  await warmUpWorkflow(CONFIG);
});
afterAll(() => sim.close());
afterEach(() => {
  vi.restoreAllMocks();
  sim.setFaults({ latencyMs: 0 });
});

/** The product's clients at the simulator, carrying their settings (so threads can build the same). */
function simulatorClients() {
  const { AWS_ACCESS_KEY_ID: accessKeyId = '', AWS_SECRET_ACCESS_KEY: secretAccessKey = '' } = sim.env;
  return localClients({ endpoint: sim.endpoint, credentials: { accessKeyId, secretAccessKey } });
}

async function run(dir: string, extra: Partial<LocalRunOptions>) {
  const events: LocalProgressEvent[] = [];
  const result = await runWorkflow({
    config: CONFIG,
    store: localStore({ folder: dir }),
    bucket: 'threads-bucket',
    clients: simulatorClients(),
    onProgress: (event) => events.push(event),
    ...extra,
  });
  return { result, events };
}

/** Worker threads of piscina's pools that are up, counted from the pools' own events from now on. */
function watchThreads(): () => number {
  const emitted = vi.spyOn(Piscina.prototype, 'emit');
  const count = (name: string) => emitted.mock.calls.filter(([event]) => event === name).length;
  return () => count('workerCreate') - count('workerDestroy');
}

const batchesDone = (events: LocalProgressEvent[]) => events.filter((event) => event.type === 'batch-done');

describe('child executions on worker threads', () => {
  it('runs batches on a worker thread beside this one, and the report holds every function of the fleet', async () => {
    await withTempStore(async (temp) => {
      const toThreads = vi.spyOn(Piscina.prototype, 'run');

      const { result, events } = await run(temp.location, { childThreads: 1 });

      expect(result.status).toBe('SUCCEEDED');
      if (result.status !== 'SUCCEEDED') return;
      expect(result.output.functionCount).toBe(sim.fleet.reachableFunctions().length);
      expect(result.output.coverage).toMatchObject({ targets: 16, scanned: 16 });
      expect(batchesDone(events)).toHaveLength(BATCHES);
      expect(toThreads).toHaveBeenCalled();
      expect(toThreads.mock.calls.length).toBeLessThan(BATCHES);
    });
  });

  it('starts the threads with the run, so that they load while Plan works', async () => {
    await withTempStore(async (temp) => {
      const started = vi.spyOn(Piscina.prototype, 'run');
      const liveThreads = watchThreads();
      let threadsWhenPlanned: number | undefined;

      const { result } = await run(temp.location, {
        childThreads: 1,
        onProgress: (event) => {
          // Plan is done, the Map Run has not started
          if (event.type === 'planned') threadsWhenPlanned = liveThreads();
        },
      });

      expect(result.status).toBe('SUCCEEDED');
      expect(threadsWhenPlanned).toBe(1);
      expect(started).toHaveBeenCalled();
      expect(liveThreads()).toBe(0);
    });
  });

  it('ends the threads it started when the run fails before its Map Run', async () => {
    await withTempStore(async (temp) => {
      const liveThreads = watchThreads();
      let threadsWhenPlanned: number | undefined;

      const { result } = await run(temp.location, {
        childThreads: 1,
        taskOverrides: {
          [STATE.plan]: async () => {
            await new Promise((resolve) => setTimeout(resolve, 50));
            threadsWhenPlanned = liveThreads();
            throw Object.assign(new Error('no plan today'), { name: 'PlanFailedError' });
          },
        },
      });

      expect(result).toMatchObject({ status: 'FAILED', error: 'PlanFailedError' });
      expect(threadsWhenPlanned).toBe(1);
      expect(liveThreads()).toBe(0);
    });
  });

  it('keeps the batches in this thread when the Map Run has too few for the threads', async () => {
    await withTempStore(async (temp) => {
      const toThreads = vi.spyOn(Piscina.prototype, 'run');
      const threads = Math.ceil(BATCHES / MIN_BATCHES_PER_THREAD);

      const { result } = await run(temp.location, { childThreads: threads });

      expect(result.status).toBe('SUCCEEDED');
      expect(toThreads).not.toHaveBeenCalled();
    });
  });

  it.each([
    {
      what: 'clients without settings',
      extra: (dir: string): Partial<LocalRunOptions> => ({
        store: localStore({ folder: dir }),
        clients: {
          sts: stsClient(undefined, simulatorClients().settings?.credentials, { endpoint: sim.endpoint }),
          organizations: organizationsClient(simulatorClients().settings?.credentials, {
            endpoint: sim.endpoint,
          }),
          lambdaFor: (region, credentials) => lambdaClient(region, credentials, { endpoint: sim.endpoint }),
        },
      }),
    },
    {
      what: 'a store without settings',
      extra: (dir: string): Partial<LocalRunOptions> => ({ store: new FaultyStore(dir) }),
    },
  ])('keeps the batches in this thread for $what', async ({ extra }) => {
    await withTempStore(async (temp) => {
      const toThreads = vi.spyOn(Piscina.prototype, 'run');

      const { result } = await run(temp.location, { childThreads: 1, ...extra(temp.location) });

      expect(result.status).toBe('SUCCEEDED');
      expect(toThreads).not.toHaveBeenCalled();
    });
  });
});

describe('a run stopped by its AbortSignal', () => {
  it.each([0, 1])(
    'with %i worker thread(s): starts no batch after, rejects with the reason once nothing runs, and writes nothing more',
    async (childThreads) => {
      await withTempStore(async (temp) => {
        // slow calls, so that the stop comes while batches are running
        sim.setFaults({ latencyMs: 150 });
        const controller = new AbortController();
        const reason = new Error('stopped by the test');
        const events: LocalProgressEvent[] = [];

        const running = run(temp.location, {
          childThreads,
          signal: controller.signal,
          onProgress: (event) => {
            events.push(event);
            if (event.type === 'batch-done') controller.abort(reason);
          },
        });

        await expect(running).rejects.toBe(reason);
        expect(batchesDone(events).length).toBeLessThan(BATCHES);
        expect(events.map((event) => event.type)).not.toContain('reduced');
        const written = await readdir(temp.location, { recursive: true });
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(await readdir(temp.location, { recursive: true })).toEqual(written);
        expect(written.some((path) => path.startsWith(join('reports', '')))).toBe(false);
      });
    },
  );

  it('rejects at once with the reason when the signal is already aborted', async () => {
    await withTempStore(async (temp) => {
      const reason = new Error('never started');

      await expect(run(temp.location, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(await readdir(temp.location)).toEqual([]);
    });
  });
});
