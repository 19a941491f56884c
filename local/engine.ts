/**
 * The local engine: runs the one workflow definition (rendered from the CDK app) on this machine
 * with aws-local-stepfunctions, every Task bound in-process to the real handler (run-handlers.ts),
 * the Distributed Map run by the adapter (distributed-map/). The definition's Retry, Catch, paths
 * and context references apply as they do in Step Functions.
 *
 * A run: render -> validate -> give every Task a timeout -> replace the Distributed Map by its
 * stand-in Task -> bind the handlers by state name -> run.
 */
import './polyfills.ts';
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
} from 'aws-local-stepfunctions';
import { causeMessage } from '../functions/shared/lambda-error.ts';
import type { ObjectStore } from '../functions/shared/object-store.ts';
import type { InventoryConfig } from '../shared/config.ts';
import { parseOrThrow, ReduceOutput, type RunInputRaw, ValidationError } from '../shared/contracts.ts';
import { DEFAULTS } from '../shared/env.ts';
import { STATE } from '../shared/states.ts';
import { asLibraryDefinition } from './asl.ts';
import { libraryChildRunner } from './distributed-map/child-executions.ts';
import { mapRunHandler } from './distributed-map/map-run.ts';
import { adaptDistributedMaps } from './distributed-map/map-state.ts';
import { type LocalProgressEvent, ProgressEmitter } from './progress.ts';
import { renderWorkflow } from './render-definition.ts';
import { type LocalClients, RunHandlers } from './run-handlers.ts';
import { bindTasks, checkOverrides, withTaskTimeouts } from './task-binding.ts';
import { type LocalIdentity, MAX_LOCAL_TIMEOUT_SECONDS, type TaskHandler } from './types.ts';
import { validateDefinition } from './validate-definition.ts';

export type { LocalClients, LocalProgressEvent };

export interface LocalRunOptions {
  /** Targets, regions, member role name and map settings, exactly as a deploy would use them. */
  config: InventoryConfig;
  store: ObjectStore;
  /** The bucket name the run uses in its data (PlanOutput.bucket, BatchInput.bucket): a label of `store`. */
  bucket: string;
  /** The execution input; its fields override the configuration as in a deployed run. */
  input?: RunInputRaw;
  /** Default: `local-<timestamp>-<random>`, which is also a valid run id. */
  executionName?: string;
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

  const rendered = renderWorkflow(options.config, options.bucket);
  validateDefinition(rendered.definition);
  const definition = withTaskTimeouts(rendered.definition, taskTimeoutSeconds);
  const adapted = adaptDistributedMaps(definition);

  const progress = new ProgressEmitter(options.onProgress);
  const steps = new RunHandlers(
    {
      config: options.config,
      store: options.store,
      bucket: options.bucket,
      clients: options.clients,
      regionConcurrency: options.regionConcurrency ?? DEFAULTS.regionConcurrency,
      reduceConcurrency: options.reduceConcurrency ?? DEFAULTS.reduceConcurrency,
      partition: options.partition,
      logger: options.logger ?? new Logger({ serviceName: 'lambda-inventory-local', logLevel: 'SILENT' }),
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

  const context = executionContext(rendered.identity, executionName);
  // one handlers object for the run and its child executions; the Map Run handlers join it below
  const overrides: LibraryOverrides = {
    taskResourceLocalHandlers: handlers as LibraryOverrides['taskResourceLocalHandlers'],
    retryIntervalOverrides: options.retryIntervalOverrides,
  };
  for (const map of adapted.maps) {
    handlers[map.name] = mapRunHandler(map, {
      storeFor: steps.storeFor,
      identity: rendered.identity,
      runChild: libraryChildRunner(map.processor, { overrides, context: context.shared }),
      onChildSettled: (child) => steps.childSettled(child),
    });
  }

  // validated above, before it was adapted
  const machine = new StateMachine(asLibraryDefinition(adapted.definition), {
    validationOptions: { noValidate: true },
  });
  const execution = machine.run((options.input ?? {}) as Parameters<StateMachine['run']>[0], {
    overrides,
    context: { ...context.shared, Execution: context.execution },
  });

  let result: LocalRunResult;
  try {
    await execution.result;
    const output = parseOrThrow(ReduceOutput, steps.reduceOutput, `output of the "${STATE.reduce}" state`);
    result = { status: 'SUCCEEDED', executionName, output };
  } catch (error) {
    const failure = executionFailure(error);
    progress.emit({ type: 'failed', ...failure });
    result = {
      status: 'FAILED',
      executionName,
      ...failure,
      ...(steps.failureKey ? { failureKey: steps.failureKey } : {}),
    };
  }
  progress.rethrow();
  return result;
}

/**
 * The Context Object fields the library leaves to the caller (it sets `$$.Execution.Input` and
 * `StartTime` itself). `shared` is what child executions see as well.
 */
function executionContext(identity: LocalIdentity, executionName: string) {
  const prefix = `arn:${identity.partition}:states:${identity.region}:${identity.accountId}`;
  return {
    shared: {
      StateMachine: {
        Id: `${prefix}:stateMachine:${identity.stateMachineName}`,
        Name: identity.stateMachineName,
      },
      // `$$.State.EnteredTime` is read as the state's Parameters are resolved, which is as it is entered
      State: {
        get EnteredTime() {
          return new Date().toISOString();
        },
      },
    },
    execution: {
      Id: `${prefix}:execution:${identity.stateMachineName}:${executionName}`,
      Name: executionName,
    },
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
