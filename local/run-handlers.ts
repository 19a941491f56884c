/**
 * The handlers of one local run, by state name: the real Lambda handlers built from the run's deps
 * (Plan, Scan batch, Reduce) and the S3 putObject service integration (Record failure); and what the
 * run learns from them (progress events, the reduce output, the failure record's key).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { createPlanHandler } from '../functions/plan/handler.ts';
import { causeMessage } from '../functions/shared/lambda-error.ts';
import type { ObjectStore } from '../functions/shared/object-store.ts';
import { readSkipped } from '../functions/shared/run-files.ts';
import { type InventoryConfig, planSettingsOf } from '../shared/config.ts';
import {
  formatIssues,
  PlanOutput,
  ReduceOutput,
  ValidationError,
  WorkerBatch,
  WorkerOutput,
} from '../shared/contracts.ts';
import { STATE } from '../shared/states.ts';
import * as z from '../shared/zod.ts';
import type { LocalClients } from './clients.ts';
import type { ProgressEmitter } from './progress.ts';
import type { ChildExecution, TaskHandler } from './types.ts';
import { runStoreFor, type WorkerSettings, workerStep } from './worker-step.ts';

export type { LocalClients };

export interface RunDeps {
  config: InventoryConfig;
  store: ObjectStore;
  /** The bucket name the run's data carries: a label of `store`. */
  bucket: string;
  clients: LocalClients;
  regionConcurrency: number;
  reduceConcurrency: number;
  partition?: string;
  logger: Logger;
}

const PutObjectParameters = z.object({
  Bucket: z.string().check(z.minLength(1)),
  Key: z.string().check(z.minLength(1)),
  Body: z.unknown(),
  ContentType: z.optional(z.string()),
});

export class RunHandlers {
  reduceOutput: unknown;
  failureKey: string | undefined;
  /** The run's one store, under the bucket label the run was given: any other bucket is a wiring error. */
  readonly storeFor: (bucket: string) => ObjectStore;
  private startTime: string | undefined;

  constructor(
    private readonly deps: RunDeps,
    private readonly progress: ProgressEmitter,
  ) {
    this.storeFor = runStoreFor(deps.store, deps.bucket);
  }

  /** What the worker needs besides its clients and store: the same in the engine's thread and in worker threads. */
  workerSettings(): WorkerSettings {
    return {
      memberRoleName: this.deps.config.memberRoleName,
      regionConcurrency: this.deps.regionConcurrency,
      partition: this.deps.partition,
    };
  }

  /** The real handler of every Task state. */
  handlers(): Record<string, TaskHandler> {
    const { config, clients } = this.deps;
    return {
      [STATE.plan]: createPlanHandler({
        storeFor: this.storeFor,
        organizations: clients.organizations,
        settings: planSettingsOf(config),
        bucket: this.deps.bucket,
        logger: this.childLogger('plan'),
      }),
      // one worker for the run, as a warm Lambda
      [STATE.worker]: workerStep(this.workerSettings(), {
        storeFor: this.storeFor,
        clients,
        logger: this.childLogger('worker'),
      }),
      // the largest module of a run (report rendering, charts): it loads while the plan and the scan
      // run, not before the run starts
      [STATE.reduce]: loadingHandler(async () => {
        const { createReduceHandler } = await import('../functions/reduce/handler.ts');
        return createReduceHandler({
          storeFor: this.storeFor,
          concurrency: this.deps.reduceConcurrency,
          logger: this.childLogger('reduce'),
        });
      }),
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
        this.started(event);
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

  /** A child execution of the Map Run ended: a batch done, or failed after its retries. */
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
      error: child.error,
      cause: causeMessage(child.cause) ?? '',
    });
  }

  /** The execution's start time, as the Plan step receives it (`$$.Execution.StartTime`): told once, retries or not. */
  private started(event: unknown): void {
    const startTime = (event as { execution?: { startTime?: unknown } } | null)?.execution?.startTime;
    if (this.startTime !== undefined || typeof startTime !== 'string') return;
    this.startTime = startTime;
    this.progress.emit({ type: 'started', startTime });
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
    return this.deps.logger.createChild({ serviceName: `lambda-inventory-${step}` });
  }
}

/** A handler whose module starts loading now; a module that fails to load fails the step, when it runs. */
function loadingHandler(load: () => Promise<TaskHandler>): TaskHandler {
  const loading = load();
  // the step reports the failure; until then it is not an unhandled rejection
  loading.catch(() => undefined);
  return async (event) => (await loading)(event);
}
