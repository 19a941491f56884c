/**
 * The handler of the Map's child Task (the worker, one per run and thread, as a warm Lambda) and the
 * run's one store under its bucket label: what the engine's thread and each worker thread of the
 * Map's child executions (distributed-map/child-thread.ts) build alike.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type ObjectStore, ObjectStoreError } from '../functions/shared/object-store.ts';
import { createWorkerHandler } from '../functions/worker/handler.ts';
import type { LocalClients } from './clients.ts';
import type { TaskHandler } from './types.ts';

/** The worker's settings for a run: plain data, the same in every thread. */
export interface WorkerSettings {
  memberRoleName: string;
  regionConcurrency: number;
  partition?: string;
}

/** The run's one store, under the bucket label the run was given: any other bucket is a wiring error. */
export function runStoreFor(store: ObjectStore, bucket: string): (name: string) => ObjectStore {
  return (name) => {
    if (name === bucket) return store;
    throw new ObjectStoreError(
      `bucket "${name}" is not available to this local run, which uses "${bucket}" (${store.location})`,
    );
  };
}

export function workerStep(
  settings: WorkerSettings,
  deps: {
    storeFor(bucket: string): ObjectStore;
    clients: Pick<LocalClients, 'sts' | 'lambdaFor'>;
    logger: Logger;
  },
): TaskHandler {
  // batches of one account reuse its assumed-role session, and share one pace of AssumeRole calls
  return createWorkerHandler({
    storeFor: deps.storeFor,
    sts: deps.clients.sts,
    lambdaFor: deps.clients.lambdaFor,
    memberRoleName: settings.memberRoleName,
    regionConcurrency: settings.regionConcurrency,
    partition: settings.partition,
    logger: deps.logger,
  });
}
