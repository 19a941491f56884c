/**
 * The local engine: runs the one workflow definition (rendered from the CDK app) on this machine
 * with aws-local-stepfunctions, every Task bound in-process to the real handler:
 * Plan -> createPlanHandler, Scan batch -> createWorkerHandler (inside the Distributed Map
 * adapter's child executions), Reduce -> createReduceHandler, Record failure -> an S3 putObject
 * into the object store. The definition's Retry, Catch, paths and context references apply as
 * they do in Step Functions.
 */
import './polyfills.ts';
import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import {
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
} from 'aws-local-stepfunctions';
import { z } from 'zod';
import { createPlanHandler } from '../functions/plan/handler.ts';
import { createReduceHandler } from '../functions/reduce/handler.ts';
import { causeMessage } from '../functions/reduce/map-failures.ts';
import { readSkipped } from '../functions/reduce/run-data.ts';
import { type ObjectStore, ObjectStoreError } from '../functions/shared/object-store.ts';
import { createWorkerHandler } from '../functions/worker/handler.ts';
import { type InventoryConfig, planSettingsOf } from '../shared/config.ts';
import {
  formatIssues,
  PlanOutput,
  parseOrThrow,
  ReduceOutput,
  type RunInputRaw,
  type SkippedAccount,
  type Target,
  type TargetResult,
  ValidationError,
  WorkerBatch,
  WorkerOutput,
} from '../shared/contracts.ts';
import { DEFAULTS } from '../shared/env.ts';
import { STATE } from '../statemachine/inventory-workflow.ts';
import { asLibraryDefinition, copyDefinition } from './asl.ts';
import {
  adaptDistributedMaps,
  type ChildExecution,
  type LocalIdentity,
  MAX_LOCAL_TIMEOUT_SECONDS,
  type TaskHandler,
} from './distributed-map.ts';
import { renderWorkflow } from './render-definition.ts';
import { bindTasks, checkOverrides, withTaskTimeouts } from './task-binding.ts';

export interface LocalClients {
  sts: STSClient;
  organizations: OrganizationsClient;
  lambdaFor(region: string, credentials: AwsCredentialIdentity): LambdaClient;
}

export type LocalProgressEvent =
  | { type: 'planned'; runId: string; targetCount: number; accountCount: number; skipped: SkippedAccount[] }
  | { type: 'batch-done'; results: TargetResult[] }
  /** A batch whose child execution failed after its retries: its targets go unscanned. */
  | { type: 'batch-failed'; targets: Target[]; error: string; cause: string }
  | { type: 'reduced'; output: ReduceOutput }
  | { type: 'failed'; error: string; cause: string };

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
  /** Tests only: replaces the handler of the named states (any Task, or the Distributed Map). */
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
  // the library validates the definition (schema, paths, ARNs) as Step Functions would on deploy;
  // its validator writes default fields into what it checks, so it checks a copy
  new StateMachine(asLibraryDefinition(copyDefinition(rendered.definition)));
  const definition = withTaskTimeouts(rendered.definition, taskTimeoutSeconds);

  const progress = new ProgressEmitter(options.onProgress);
  const steps = new LocalSteps(options, progress);
  const overridden = Object.entries(options.taskOverrides ?? {}).filter(
    (entry): entry is [string, TaskHandler] => entry[1] !== undefined,
  );
  checkOverrides(definition, overridden);
  const chosen = steps.observe({ ...steps.handlers(), ...Object.fromEntries(overridden) });
  const handlers = bindTasks(definition, chosen, {
    [STATE.plan]: rendered.functionArns.plan,
    [STATE.worker]: rendered.functionArns.worker,
    [STATE.reduce]: rendered.functionArns.reduce,
  });

  const { identity } = rendered;
  const context = executionContext(identity, executionName);
  const overrides: NonNullable<RunOptions['overrides']> = {
    taskResourceLocalHandlers: handlers as NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers'],
    retryIntervalOverrides: options.retryIntervalOverrides,
  };
  const adapted = adaptDistributedMaps(definition, {
    storeFor: steps.storeFor,
    identity,
    childRunOptions: { overrides },
    childContext: context.shared,
    onChildSettled: (child) => steps.childSettled(child),
  });
  for (const [name, mapHandler] of Object.entries(adapted.handlers)) {
    handlers[name] = chosen[name] ?? mapHandler;
  }

  const machine = new StateMachine(asLibraryDefinition(adapted.definition));
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

function readableCause(cause: string | undefined): string {
  return causeMessage(cause) ?? '';
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
    return { error: cause.name, cause: readableCause(cause.message) };
  }
  if (error instanceof ExecutionTimeoutError) {
    return { error: 'States.Timeout', cause: 'the execution timed out' };
  }
  throw error;
}

const PutObjectParameters = z.object({
  Bucket: z.string().min(1),
  Key: z.string().min(1),
  Body: z.unknown(),
  ContentType: z.string().optional(),
});

/** The handlers of one run, built from the run's deps, and what the run learns from them. */
class LocalSteps {
  reduceOutput: unknown;
  failureKey: string | undefined;
  private readonly logger: Logger;

  constructor(
    private readonly options: LocalRunOptions,
    private readonly progress: ProgressEmitter,
  ) {
    this.logger = options.logger ?? new Logger({ serviceName: 'lambda-inventory-local', logLevel: 'SILENT' });
  }

  /** The run's one store, under the bucket label the run was given: any other bucket is a wiring error. */
  readonly storeFor = (bucket: string): ObjectStore => {
    if (bucket === this.options.bucket) return this.options.store;
    throw new ObjectStoreError(
      `bucket "${bucket}" is not available to this local run, which uses "${this.options.bucket}" (${this.options.store.location})`,
    );
  };

  handlers(): Record<string, TaskHandler> {
    const { config, clients } = this.options;
    const plan = createPlanHandler({
      storeFor: this.storeFor,
      organizations: clients.organizations,
      settings: planSettingsOf(config),
      bucket: this.options.bucket,
      logger: this.childLogger('plan'),
    });
    const reduce = createReduceHandler({
      storeFor: this.storeFor,
      concurrency: this.options.reduceConcurrency ?? DEFAULTS.reduceConcurrency,
      logger: this.childLogger('reduce'),
    });
    return {
      [STATE.plan]: plan,
      // one worker for the run, as a warm Lambda: batches of one account reuse its assumed-role session
      [STATE.worker]: createWorkerHandler({
        storeFor: this.storeFor,
        sts: clients.sts,
        lambdaFor: clients.lambdaFor,
        memberRoleName: config.memberRoleName,
        regionConcurrency: this.options.regionConcurrency ?? DEFAULTS.regionConcurrency,
        partition: this.options.partition,
        logger: this.childLogger('worker'),
      }),
      [STATE.reduce]: reduce,
      [STATE.recordFailure]: (parameters) => this.putObject(parameters),
    };
  }

  /** Wraps the chosen Plan and Reduce handlers (real or overridden) to report what they return. */
  observe(chosen: Record<string, TaskHandler>): Record<string, TaskHandler> {
    const observed = { ...chosen };
    const plan = chosen[STATE.plan];
    const reduce = chosen[STATE.reduce];
    if (plan) {
      observed[STATE.plan] = async (event) => {
        const output = await plan(event);
        await this.planned(output);
        return output;
      };
    }
    if (reduce) {
      observed[STATE.reduce] = async (event) => {
        const output = await reduce(event);
        this.reduced(output);
        return output;
      };
    }
    return observed;
  }

  childSettled(child: ChildExecution): void {
    if (child.status === 'SUCCEEDED') {
      const output = WorkerOutput.safeParse(child.output);
      if (output.success) this.progress.emit({ type: 'batch-done', results: output.data.results });
      return;
    }
    const batch = WorkerBatch.safeParse(child.input);
    this.progress.emit({
      type: 'batch-failed',
      targets: batch.success ? batch.data.Items : [],
      error: child.error ?? child.status,
      cause: readableCause(child.cause),
    });
  }

  /**
   * The skipped accounts travel in S3, not in the plan's output: they are read back for the event. A
   * file that cannot be read fails the Plan step here, as it would fail reduce later.
   */
  private async planned(output: unknown): Promise<void> {
    const plan = PlanOutput.safeParse(output);
    if (!plan.success) return;
    const { runId, targetCount, accountCount, skippedCount, skippedKey, bucket } = plan.data;
    const skipped = skippedCount === 0 ? [] : await readSkipped(this.storeFor(bucket), skippedKey);
    this.progress.emit({ type: 'planned', runId, targetCount, accountCount, skipped });
  }

  private reduced(output: unknown): void {
    this.reduceOutput = output;
    const parsed = ReduceOutput.safeParse(output);
    if (parsed.success) this.progress.emit({ type: 'reduced', output: parsed.data });
  }

  /** The `aws-sdk:s3:putObject` integration: an object Body is stored as JSON, as the SDK integration does. */
  private async putObject(parameters: unknown): Promise<Record<string, never>> {
    const parsed = PutObjectParameters.safeParse(parameters);
    if (!parsed.success) throw new ValidationError(`s3:putObject parameters: ${formatIssues(parsed.error)}`);
    const { Bucket, Key, Body, ContentType } = parsed.data;
    await this.storeFor(Bucket).put(Key, typeof Body === 'string' ? Body : JSON.stringify(Body), ContentType);
    this.failureKey = Key;
    return {};
  }

  private childLogger(step: string): Logger {
    return this.logger.createChild({ serviceName: `lambda-inventory-${step}` });
  }
}

/** Delivers progress events; a listener's error must not pose as a failure of the step that emitted it. */
class ProgressEmitter {
  private listenerError: { error: unknown } | undefined;

  constructor(private readonly listener: LocalRunOptions['onProgress']) {}

  emit(event: LocalProgressEvent): void {
    try {
      this.listener?.(event);
    } catch (error) {
      this.listenerError ??= { error };
    }
  }

  rethrow(): void {
    if (this.listenerError) throw this.listenerError.error;
  }
}
