/**
 * The local engine: runs the one workflow definition (rendered from the CDK app) on this machine
 * with aws-local-stepfunctions, every Task bound in-process to the real handler (run-handlers.ts),
 * the Distributed Map run by the adapter (distributed-map/). The definition's Retry, Catch, paths
 * and context references apply as they do in Step Functions.
 *
 * A run: render (a cached, validated definition) -> give every Task a timeout -> replace the
 * Distributed Map by its stand-in Task -> bind the handlers by state name -> run. The Map's child
 * executions run on worker threads when the clients and the store can be built again in a thread.
 */
import './polyfills.ts';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
} from 'aws-local-stepfunctions';
import { causeMessage } from '../functions/shared/lambda-error.ts';
import type { InventoryConfig } from '../shared/config.ts';
import { parseOrThrow, ReduceOutput, type RunInputRaw, ValidationError } from '../shared/contracts.ts';
import { DEFAULTS } from '../shared/env.ts';
import { STATE } from '../shared/states.ts';
import { type AslDefinition, asLibraryDefinition, forEachState } from './asl.ts';
import type { LocalClients } from './clients.ts';
import {
  type ChildRunner,
  type ChildRunners,
  libraryChildRunner,
  type StateMachineRef,
  sharedContext,
} from './distributed-map/child-executions.ts';
import type { ChildThreadSetup } from './distributed-map/child-thread.ts';
import { childThreads } from './distributed-map/child-threads.ts';
import { mapRunHandler } from './distributed-map/map-run.ts';
import type { DistributedMapState } from './distributed-map/map-state.ts';
import { adaptDistributedMaps } from './distributed-map/map-state.ts';
import { type LocalProgressEvent, ProgressEmitter } from './progress.ts';
import { type RenderedWorkflow, renderWorkflow } from './render-definition.ts';
import { RunHandlers } from './run-handlers.ts';
import type { LocalStore } from './stores.ts';
import { bindTasks, checkOverrides, withTaskTimeouts } from './task-binding.ts';
import { type LocalIdentity, MAX_LOCAL_TIMEOUT_SECONDS, type TaskHandler } from './types.ts';

/** Renders a configuration's definition ahead of its first run (a server at startup). */
export { warmUpWorkflow } from './render-definition.ts';
export type { LocalClients, LocalProgressEvent, LocalStore };

export interface LocalRunOptions {
  /** Targets, regions, member role name and map settings, exactly as a deploy would use them. */
  config: InventoryConfig;
  /** Built with `localStore`, it can be opened in worker threads too. */
  store: LocalStore;
  /** The bucket name the run uses in its data (PlanOutput.bucket, BatchInput.bucket): a label of `store`. */
  bucket: string;
  /** The execution input; its fields override the configuration as in a deployed run. */
  input?: RunInputRaw;
  /** Default: `local-<timestamp>-<random>`, which is also a valid run id. */
  executionName?: string;
  /** Built with `localClients`, they can be built in worker threads too. */
  clients: LocalClients;
  /** @default 8 */
  regionConcurrency?: number;
  /** @default 8 */
  reduceConcurrency?: number;
  /** Partition of the member role ARNs. @default 'aws' */
  partition?: string;
  /**
   * TimeoutSeconds given to every Task that has none: without it the library stops a Task after
   * 60 seconds, which a batch of slow regions can take.
   * @default 3600
   */
  taskTimeoutSeconds?: number;
  /**
   * Worker threads that run the Map's child executions (worker batches) beside this thread. They are
   * used when the clients and the store carry their settings (`localClients`, `localStore`), no task
   * override concerns a child's states, and the Map Run has at least MIN_BATCHES_PER_THREAD batches
   * per thread (this one included); otherwise the children run in this thread only. 0: never.
   * @default os.availableParallelism() - 2: none on 2 cores (see DEFAULT_SPARE_CORES)
   */
  childThreads?: number;
  /**
   * Folder of the rendered-definition cache (render-definition.ts); null keeps it in memory only.
   * @default node_modules/.cache/lambda-inventory beside the package, else the user's cache folder
   */
  cacheDir?: string | null;
  /**
   * Stops the run: the parent execution and the Map Run start nothing more, running child executions
   * are aborted (worker threads terminated), and once no handler of the run is running any more the
   * run rejects with the signal's reason.
   */
  signal?: AbortSignal;
  /** Called synchronously as the run progresses; an error it throws is rethrown once the run ends. */
  onProgress?(event: LocalProgressEvent): void;
  /** @default a silent Powertools logger (the CLI owns stdout) */
  logger?: Logger;
  /** Tests only: replaces the handler of the named Task states (nested ones included). */
  taskOverrides?: Partial<Record<string, TaskHandler>>;
  /** Tests only: retry pauses in milliseconds, by state name (see the library's `retryIntervalOverrides`). */
  retryIntervalOverrides?: Record<string, number | number[]>;
}

export type LocalRunResult =
  | { status: 'SUCCEEDED'; executionName: string; output: ReduceOutput }
  | {
      status: 'FAILED';
      executionName: string;
      /** The error name, as Retry and Catch match it (`States.ExceedToleratedFailureThreshold`, `InvalidTargetsError`). */
      error: string;
      /** What went wrong, in words: for a function's error its message (the failure record keeps Lambda's JSON). */
      cause: string;
      /** The failure record the Catch path wrote; absent when it could not be written. */
      failureKey?: string;
    };

const DEFAULT_TASK_TIMEOUT_SECONDS = 3_600;

/** Step Functions execution names: 1-80 characters, none of them blank, control or special characters. */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

type LibraryOverrides = NonNullable<RunOptions['overrides']>;

export async function runWorkflow(options: LocalRunOptions): Promise<LocalRunResult> {
  const executionName = options.executionName ?? defaultExecutionName();
  if (!EXECUTION_NAME.test(executionName)) {
    throw new ValidationError(
      `execution name "${executionName}": must be 1-80 characters without blanks or any of < > { } [ ] ? * " # % \\ ^ | ~ \` $ & , ; : /`,
    );
  }
  const taskTimeoutSeconds = options.taskTimeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
  if (
    !Number.isInteger(taskTimeoutSeconds) ||
    taskTimeoutSeconds < 1 ||
    taskTimeoutSeconds > MAX_LOCAL_TIMEOUT_SECONDS
  ) {
    throw new ValidationError(
      `taskTimeoutSeconds: must be an integer from 1 to ${MAX_LOCAL_TIMEOUT_SECONDS}`,
    );
  }
  const threads = options.childThreads ?? defaultChildThreads();
  if (!Number.isInteger(threads) || threads < 0) {
    throw new ValidationError(`childThreads: must be an integer of 0 or more, got ${threads}`);
  }
  const { signal } = options;
  signal?.throwIfAborted();

  const rendered = await renderWorkflow(options.config, options.bucket, { cacheDir: options.cacheDir });
  signal?.throwIfAborted();
  const definition = withTaskTimeouts(rendered.definition, taskTimeoutSeconds);
  const adapted = adaptDistributedMaps(definition);

  const progress = new ProgressEmitter(options.onProgress);
  const logger = options.logger ?? new Logger({ serviceName: 'lambda-inventory-local', logLevel: 'SILENT' });
  const steps = new RunHandlers(
    {
      config: options.config,
      store: options.store,
      bucket: options.bucket,
      clients: options.clients,
      regionConcurrency: options.regionConcurrency ?? DEFAULTS.regionConcurrency,
      reduceConcurrency: options.reduceConcurrency ?? DEFAULTS.reduceConcurrency,
      partition: options.partition,
      logger,
    },
    progress,
  );
  const overridden = Object.entries(options.taskOverrides ?? {}).filter(
    (entry): entry is [string, TaskHandler] => entry[1] !== undefined,
  );
  checkOverrides(definition, overridden);
  const handlers = bindTasks(
    definition,
    steps.observe({ ...steps.handlers(), ...Object.fromEntries(overridden) }),
    {
      [STATE.plan]: rendered.functionArns.plan,
      [STATE.worker]: rendered.functionArns.worker,
      [STATE.reduce]: rendered.functionArns.reduce,
    },
  );

  const stateMachine = stateMachineRef(rendered.identity);
  const context = sharedContext(stateMachine);
  // one handlers object for the run and its child executions; the Map Run handlers join it below
  const overrides: LibraryOverrides = {
    taskResourceLocalHandlers: handlers as LibraryOverrides['taskResourceLocalHandlers'],
    retryIntervalOverrides: options.retryIntervalOverrides,
  };
  const threadPools: ThreadPools[] = [];
  for (const map of adapted.maps) {
    const threadSetup = childThreadSetup(map, {
      options,
      overridden: overridden.map(([name]) => name),
      rendered,
      stateMachine,
      worker: steps.workerSettings(),
      logLevel: logger.getLevelName(),
    });
    const pools = new ThreadPools(map, {
      inThisThread: libraryChildRunner(map.processor, { overrides, context, signal }),
      threads,
      threadSetup,
    });
    threadPools.push(pools);
    handlers[map.name] = mapRunHandler(map, {
      storeFor: steps.storeFor,
      identity: rendered.identity,
      children: (batchCount) => pools.runnersFor(batchCount),
      onChildSettled: (child) => steps.childSettled(child),
      signal,
    });
  }
  const running = trackRunning(handlers);

  const closeUnusedThreads = () => Promise.all(threadPools.map((pools) => pools.closeUnused()));
  // before the execution starts: the library runs its first state at once
  for (const pools of threadPools) pools.startEarly();
  let execution: ReturnType<StateMachine['run']>;
  try {
    // validated when it was rendered, before it was adapted
    const machine = new StateMachine(asLibraryDefinition(adapted.definition), {
      validationOptions: { noValidate: true },
    });
    execution = machine.run((options.input ?? {}) as Parameters<StateMachine['run']>[0], {
      overrides,
      context: { ...context, Execution: executionRef(rendered.identity, executionName) },
    });
  } catch (error) {
    await closeUnusedThreads();
    throw error;
  }
  const abort = () => execution.abort();
  signal?.addEventListener('abort', abort, { once: true });

  let result: LocalRunResult;
  try {
    await execution.result;
    const output = parseOrThrow(ReduceOutput, steps.reduceOutput, `output of the "${STATE.reduce}" state`);
    result = { status: 'SUCCEEDED', executionName, output };
  } catch (error) {
    if (signal?.aborted) {
      // nothing of the run may still be at work once it has rejected
      await running.settled();
      throw signal.reason;
    }
    const failure = executionFailure(error);
    progress.emit({ type: 'failed', ...failure });
    result = {
      status: 'FAILED',
      executionName,
      ...failure,
      ...(steps.failureKey ? { failureKey: steps.failureKey } : {}),
    };
  } finally {
    signal?.removeEventListener('abort', abort);
    // threads started for a Map Run that never came (a failed plan, a stop)
    await closeUnusedThreads();
  }
  progress.rethrow();
  return result;
}

/**
 * A Map Run has its batches run on worker threads when the pool's start (each thread loads the
 * worker, the SDK and the library) is paid back: from this many batches per thread. A `run --local`
 * of a few accounts stays in one thread.
 */
export const MIN_BATCHES_PER_THREAD = 4;

/**
 * Cores the default leaves to this thread's own helpers. A run in one thread already keeps about two
 * cores busy: its JavaScript, plus V8's garbage collector and compilers (4 helper threads, 2.5-4 s of CPU
 * in the run below) and libuv's gzip of the partials (and, for a simulated fleet, the simulator: 1.5-2 s).
 * Measured on 2 cores from the sources (bench/workflow-phases.ts --runs 3, goals fleet: 200 accounts
 * x 17 regions, median of 9 runs, alternated), one worker thread started with the run took the engine
 * thread's CPU in the Map from 4.9 s to 3.4 s but added ~4 s of CPU to the process (its own module
 * loading, JIT and GC), and the Map took 6.2 s instead of 5.8 s. From the compiled build (dist/, whose
 * threads load no TypeScript; --threads 1 alternated with 0, three times 3 runs) the answer flips with
 * the machine: once 8.2-11.2 s instead of 7.7-9.8 s for 4 s more CPU, once 6.0-7.4 s instead of
 * 6.5-8.1 s for 1-2 s more. The default starts threads from 3 cores up.
 */
const DEFAULT_SPARE_CORES = 2;

function defaultChildThreads(): number {
  return Math.max(0, availableParallelism() - DEFAULT_SPARE_CORES);
}

/**
 * How a map's Map Runs run their children: beside worker threads when they pay off. The first Map
 * Run's threads are started with the run, so that they load their modules (the worker, the SDK, the
 * library: 1-2 s of CPU each) while Plan mostly waits on the API, rather than after it; they are
 * closed unused if that Map Run has too few batches for them. A later Map Run of the same map (a
 * Retry of the Map state) starts threads of its own, as the first one closes its threads when it ends.
 */
class ThreadPools {
  private early: ChildRunners | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly map: DistributedMapState,
    private readonly options: { inThisThread: ChildRunner; threads: number; threadSetup?: ChildThreadSetup },
  ) {}

  /** Starts the first Map Run's threads. */
  startEarly(): void {
    // its share of MaxConcurrency as if every batch could run at once: a Map Run of fewer batches
    // runs fewer children, and the engine's thread takes its share first
    this.early ??= this.start(this.map.maxConcurrency);
  }

  runnersFor(batchCount: number): ChildRunners {
    const { inThisThread, threads } = this.options;
    const early = this.early;
    this.early = undefined;
    if (threads === 0 || batchCount < (threads + 1) * MIN_BATCHES_PER_THREAD) {
      this.closing = early?.close?.();
      return { run: inThisThread };
    }
    return early ?? this.start(batchCount) ?? { run: inThisThread };
  }

  /** Closes threads no Map Run took, and waits for those a Map Run did not want to end. */
  async closeUnused(): Promise<void> {
    const early = this.early;
    this.early = undefined;
    await Promise.all([early?.close?.(), this.closing]);
  }

  private start(batchCount: number): ChildRunners | undefined {
    const { inThisThread, threads, threadSetup } = this.options;
    if (!threadSetup || threads === 0) return undefined;
    return childThreads({
      threads,
      concurrentPerThread: Math.ceil(Math.min(this.map.maxConcurrency, batchCount) / (threads + 1)),
      setup: threadSetup,
      here: inThisThread,
    });
  }
}

/**
 * What worker threads build the Map's children from, or undefined when they cannot build the same:
 * clients or a store without settings (mocked, wrapped), an override of a child's Task, or a child
 * Task other than the worker's.
 */
function childThreadSetup(
  map: DistributedMapState,
  run: {
    options: LocalRunOptions;
    overridden: string[];
    rendered: RenderedWorkflow;
    stateMachine: StateMachineRef;
    worker: ChildThreadSetup['worker'];
    logLevel: string;
  },
): ChildThreadSetup | undefined {
  const { clients, store, bucket, retryIntervalOverrides } = run.options;
  if (!clients.settings || !store.settings) return undefined;
  const childTasks = taskStates(map.processor);
  if (childTasks.some((name) => name !== STATE.worker || run.overridden.includes(name))) return undefined;
  return {
    processor: map.processor,
    workerFunctionArn: run.rendered.functionArns.worker,
    stateMachine: run.stateMachine,
    retryIntervalOverrides,
    worker: run.worker,
    clients: clients.settings,
    store: store.settings,
    bucket,
    logLevel: run.logLevel,
  };
}

function taskStates(definition: AslDefinition): string[] {
  const names: string[] = [];
  forEachState(definition, (name, state) => {
    if (state.Type === 'Task') names.push(name);
  });
  return names;
}

/** Counts the run's handler calls, so that an aborted run can wait until none is running. */
function trackRunning(handlers: Record<string, TaskHandler>): { settled(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  for (const [name, handler] of Object.entries(handlers)) {
    handlers[name] = (input) => {
      const call = handler(input);
      running.add(call);
      const forget = () => running.delete(call);
      call.then(forget, forget);
      return call;
    };
  }
  return {
    settled: async () => {
      while (running.size > 0) await Promise.allSettled(running);
    },
  };
}

/** `$$.StateMachine`, where the local state machine pretends to live. */
function stateMachineRef(identity: LocalIdentity): StateMachineRef {
  const { partition, region, accountId, stateMachineName } = identity;
  return {
    Id: `arn:${partition}:states:${region}:${accountId}:stateMachine:${stateMachineName}`,
    Name: stateMachineName,
  };
}

/** `$$.Execution`'s Id and Name (the library sets its Input and StartTime). */
function executionRef(identity: LocalIdentity, executionName: string): { Id: string; Name: string } {
  const { partition, region, accountId, stateMachineName } = identity;
  return {
    Id: `arn:${partition}:states:${region}:${accountId}:execution:${stateMachineName}:${executionName}`,
    Name: executionName,
  };
}

function defaultExecutionName(): string {
  return `local-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`;
}

/**
 * The error Step Functions would report for the execution, with the cause as a reader needs it (the
 * message, where the Cause is a Lambda error's JSON envelope). Anything else is a bug, rethrown.
 */
function executionFailure(error: unknown): { error: string; cause: string } {
  if (error instanceof ExecutionError) {
    const cause = error.cause as Error;
    return { error: cause.name, cause: causeMessage(cause.message) ?? '' };
  }
  if (error instanceof ExecutionTimeoutError) {
    return { error: 'States.Timeout', cause: 'the execution timed out' };
  }
  throw error;
}
