/**
 * One timed local run of the workflow (plan -> Distributed Map of workers -> reduce, in the local
 * engine) against a simulator running in another process. The wall time is that of `runWorkflow`:
 * rendering the definition, the plan, every batch and the reduce, as `lambda-inventory run --local`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InventoryConfig } from '../shared/config.ts';
import { Summary, type Target, type TargetResult } from '../shared/contracts.ts';
import { productModule } from './product-modules.ts';
import type { FleetShape } from './simulator-protocol.ts';

export interface FailedBatch {
  targets: Target[];
  error: string;
  cause: string;
}

interface RunEvents {
  wallSeconds: number;
  /** every target's result, as the workers returned them */
  results: TargetResult[];
  failedBatches: FailedBatch[];
}

export type TimedRun =
  | (RunEvents & { status: 'SUCCEEDED'; summary: Summary })
  | (RunEvents & { status: 'FAILED'; error: string; cause: string });

/** Points the SDK at the simulator (standard endpoint variables) with the central account's credentials. */
export function useSimulatorEnvironment(shape: FleetShape): void {
  Object.assign(process.env, shape.env);
}

/** The product's engine, clients, store and object store helpers, from one build (product-modules.ts), loaded once. */
let product:
  | Promise<
      [
        typeof import('../local/engine.ts'),
        typeof import('../local/clients.ts'),
        typeof import('../local/stores.ts'),
        typeof import('../functions/shared/object-store.ts'),
      ]
    >
  | undefined;

export function productEngine() {
  product ??= Promise.all([
    productModule<typeof import('../local/engine.ts')>('local/engine'),
    productModule<typeof import('../local/clients.ts')>('local/clients'),
    productModule<typeof import('../local/stores.ts')>('local/stores'),
    productModule<typeof import('../functions/shared/object-store.ts')>('functions/shared/object-store'),
  ]);
  return product;
}

export async function timedWorkflowRun(config: InventoryConfig, shape: FleetShape): Promise<TimedRun> {
  const [{ runWorkflow }, { localClients }, { localStore }, { getJson }] = await productEngine();
  useSimulatorEnvironment(shape);
  const dir = await mkdtemp(join(tmpdir(), 'lambda-inventory-bench-'));
  const results: TargetResult[] = [];
  const failedBatches: FailedBatch[] = [];
  try {
    // built from settings (the SDK's, from the environment above), so that worker threads build the same
    const store = localStore({ folder: dir });
    const clients = localClients();
    const started = performance.now();
    const result = await runWorkflow({
      config,
      store,
      bucket: dir,
      clients,
      onProgress: (event) => {
        if (event.type === 'batch-done') results.push(...event.results);
        if (event.type === 'batch-failed')
          failedBatches.push({ targets: event.targets, error: event.error, cause: event.cause });
      },
    });
    const wallSeconds = (performance.now() - started) / 1_000;
    clients.sts.destroy();
    clients.organizations.destroy();
    const events = { wallSeconds, results, failedBatches };
    if (result.status !== 'SUCCEEDED')
      return { ...events, status: 'FAILED', error: result.error, cause: result.cause };
    const summary = Summary.parse(await getJson(store, result.output.keys.summaryJson));
    return { ...events, status: 'SUCCEEDED', summary };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
