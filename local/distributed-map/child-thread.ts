/**
 * A worker thread of the Map's child executions (child-threads.ts): as a Lambda process of the
 * Distributed Map, it builds its own clients and store from plain settings, once, and then runs the
 * child executions it is given, several at once, with the same ItemProcessor, handler and retries
 * as the engine's thread would.
 */
import { workerData } from 'node:worker_threads';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from '@aws-lambda-powertools/logger/types';
import type { RunOptions } from 'aws-local-stepfunctions';
import { STATE } from '../../shared/states.ts';
import type { AslDefinition } from '../asl.ts';
import { type ClientSettings, localClients } from '../clients.ts';
import { localStore, type StoreSettings } from '../stores.ts';
import { bindTasks } from '../task-binding.ts';
import type { ChildOutcome } from '../types.ts';
import { runStoreFor, type WorkerSettings, workerStep } from '../worker-step.ts';
import {
  type ChildRunner,
  libraryChildRunner,
  type StateMachineRef,
  sharedContext,
} from './child-executions.ts';

/** Everything a thread builds its runner from: plain data, cloned into the thread once. */
export interface ChildThreadSetup {
  /** The ItemProcessor, with the engine's Task timeouts. */
  processor: AslDefinition;
  /** The function ARN the worker's Task state must invoke. */
  workerFunctionArn: string;
  stateMachine: StateMachineRef;
  retryIntervalOverrides?: Record<string, number | number[]>;
  worker: WorkerSettings;
  clients: ClientSettings;
  store: StoreSettings;
  bucket: string;
  logLevel: string;
}

/** One child execution, as the pool hands it to a thread. */
export interface ChildTask {
  input: unknown;
  execution: { Id: string; Name: string };
}

let runner: ChildRunner | undefined;

export default function runChildTask(task: ChildTask): Promise<ChildOutcome> {
  runner ??= childRunner((workerData as { setup: ChildThreadSetup }).setup);
  return runner(task.input, task.execution);
}

function childRunner(setup: ChildThreadSetup): ChildRunner {
  const clients = localClients(setup.clients);
  const logger = new Logger({
    serviceName: 'lambda-inventory-worker',
    logLevel: setup.logLevel as LogLevel,
  });
  const handler = workerStep(setup.worker, {
    storeFor: runStoreFor(localStore(setup.store), setup.bucket),
    clients,
    logger,
  });
  const handlers = bindTasks(
    setup.processor,
    { [STATE.worker]: handler },
    { [STATE.worker]: setup.workerFunctionArn },
  );
  return libraryChildRunner(setup.processor, {
    overrides: {
      taskResourceLocalHandlers: handlers as NonNullable<
        RunOptions['overrides']
      >['taskResourceLocalHandlers'],
      retryIntervalOverrides: setup.retryIntervalOverrides,
    },
    context: sharedContext(setup.stateMachine),
  });
}
