/**
 * The executions of the local state machine, in memory for the life of the server: their status as
 * Step Functions reports it, their Map Run, and the engine attempts behind them. StartExecution,
 * StopExecution and RedriveExecution change them here; the operations only read them.
 */
import { randomUUID } from 'node:crypto';
import type { RunInput } from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import { STATE } from '../../shared/states.ts';
import type { LocalProgressEvent, LocalRunResult } from '../engine.ts';
import { executionArn, mapRunArn, type ServiceIdentity } from './arns.ts';
import type { Attempt, AttemptListener, StartAttempt } from './attempts.ts';
import { MapRunProgress, type MapRunSettings } from './map-run.ts';
import { executionDoesNotExist, ServiceError } from './service-errors.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface Execution {
  /** Order of the starts: lists are newest first. */
  readonly seq: number;
  readonly arn: string;
  readonly name: string;
  /** The input as StartExecution was given it. */
  readonly input: string;
  readonly traceHeader: string | undefined;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: Date;
  mapRun?: MapRunProgress;
}

/** What an execution keeps besides what the API shows. */
interface Entry {
  execution: Execution;
  runInput: RunInput;
  attempt?: Attempt;
  lastRedrive?: { clientToken: string; date: Date };
}

export interface ExecutionsDeps {
  identity: ServiceIdentity;
  startAttempt: StartAttempt;
  map: MapRunSettings;
  /** The batch size the plan will give the Map for this input (whole accounts' regions). */
  batchSizeFor(input: RunInput): number;
}

export interface StartRequest {
  name: string;
  input: string;
  runInput: RunInput;
  traceHeader?: string;
}

/** Statuses a redrive restarts, as Step Functions allows. */
const REDRIVABLE: ReadonlySet<ExecutionStatus> = new Set(['FAILED', 'ABORTED', 'TIMED_OUT']);

export class Executions {
  private readonly entries = new Map<string, Entry>();
  private readonly mapRuns = new Map<string, MapRunProgress>();
  private readonly unsettled = new Set<Promise<void>>();
  private nextSeq = 0;

  constructor(private readonly deps: ExecutionsDeps) {}

  /**
   * A new execution, or the running one of that name when the input is the same (StartExecution is
   * idempotent for that case only); any other reuse of a name is ExecutionAlreadyExists.
   */
  start(request: StartRequest): Execution {
    const arn = executionArn(this.deps.identity, request.name);
    const existing = this.entries.get(arn);
    if (existing) {
      const { execution } = existing;
      if (execution.status === 'RUNNING' && execution.input === request.input) return execution;
      throw new ServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const execution: Execution = {
      seq: this.nextSeq++,
      arn,
      name: request.name,
      input: request.input,
      traceHeader: request.traceHeader,
      startDate: new Date(),
      status: 'RUNNING',
      redriveCount: 0,
    };
    const entry: Entry = { execution, runInput: request.runInput };
    this.entries.set(arn, entry);
    this.run(entry);
    return execution;
  }

  get(arn: string): Execution {
    return this.entry(arn).execution;
  }

  /** Newest first. */
  list(filter: { status?: string; redriven?: boolean }): Execution[] {
    return [...this.entries.values()]
      .map((entry) => entry.execution)
      .filter((execution) => filter.status === undefined || execution.status === filter.status)
      .filter((execution) => filter.redriven === undefined || execution.redriveCount > 0 === filter.redriven)
      .sort((a, b) => b.seq - a.seq);
  }

  mapRun(arn: string): MapRunProgress {
    const mapRun = this.mapRuns.get(arn);
    if (!mapRun) {
      throw new ServiceError('ResourceNotFound', `Resource not found: '${arn}'`, { resourceName: arn });
    }
    return mapRun;
  }

  /** ABORTED now; the run behind it is fenced off and winds down. Stopping an ended execution changes nothing. */
  stop(arn: string, reason: { error?: string; cause?: string }): Date {
    const entry = this.entry(arn);
    const { execution } = entry;
    if (execution.status !== 'RUNNING') return execution.stopDate ?? execution.startDate;
    const now = new Date();
    Object.assign(execution, { status: 'ABORTED', stopDate: now, error: reason.error, cause: reason.cause });
    execution.mapRun?.executionEnded('ABORTED', now);
    entry.attempt?.stop(reason.cause ?? `execution ${execution.name} was stopped`);
    return now;
  }

  /**
   * Runs a FAILED, ABORTED or TIMED_OUT execution again, with the same name and input (so the same
   * run id); the plan derives a new scan id from the new start, so the report holds this run's scan
   * only. The same client token again is the same redrive.
   */
  redrive(arn: string, clientToken: string | undefined): Date {
    const entry = this.entry(arn);
    const { execution } = entry;
    if (clientToken !== undefined && entry.lastRedrive?.clientToken === clientToken)
      return entry.lastRedrive.date;
    if (!REDRIVABLE.has(execution.status)) {
      throw new ServiceError(
        'ExecutionNotRedrivable',
        `Execution is ${execution.status} and cannot be redriven: '${arn}' (only FAILED, ABORTED and TIMED_OUT executions can)`,
      );
    }
    const now = new Date();
    Object.assign(execution, {
      status: 'RUNNING',
      stopDate: undefined,
      output: undefined,
      error: undefined,
      cause: undefined,
      redriveCount: execution.redriveCount + 1,
      redriveDate: now,
    });
    if (clientToken !== undefined) entry.lastRedrive = { clientToken, date: now };
    this.run(entry);
    return now;
  }

  /** Stops what runs and waits until every run, stopped ones included, has returned. */
  async close(): Promise<void> {
    for (const entry of this.entries.values()) {
      if (entry.execution.status === 'RUNNING') entry.attempt?.stop('the server is closing');
    }
    await Promise.all(this.unsettled);
  }

  private entry(arn: string): Entry {
    const entry = this.entries.get(arn);
    if (!entry) throw executionDoesNotExist(arn);
    return entry;
  }

  private run(entry: Entry): void {
    const { execution } = entry;
    const attempt = this.deps.startAttempt(
      { name: execution.name, input: entry.runInput },
      this.listener(entry),
    );
    entry.attempt = attempt;
    const settled = attempt.settled.finally(() => this.unsettled.delete(settled));
    this.unsettled.add(settled);
  }

  private listener(entry: Entry): AttemptListener {
    const { execution } = entry;
    return {
      progress: (event) => this.progress(entry, event),
      written: (key) => {
        // the ResultWriter's manifest is written last, once the Map Run's children are done
        if (key.startsWith(`${keys.mapResultsPrefix}/`) && key.endsWith('/manifest.json')) {
          execution.mapRun?.resultsWrittenAt(new Date());
        }
      },
      ended: (result) => this.ended(execution, result),
      crashed: (error) =>
        this.ended(execution, {
          status: 'FAILED',
          executionName: execution.name,
          error: error.name,
          cause: error.message,
        }),
    };
  }

  private progress(entry: Entry, event: LocalProgressEvent): void {
    const { execution } = entry;
    const now = new Date();
    switch (event.type) {
      case 'planned': {
        // the Distributed Map starts right after the plan
        const plan = { items: event.targetCount, batchSize: this.deps.batchSizeFor(entry.runInput), at: now };
        if (execution.mapRun) {
          execution.mapRun.redrive(plan);
        } else {
          const arn = mapRunArn(this.deps.identity, STATE.scan, randomUUID());
          execution.mapRun = new MapRunProgress(arn, execution.arn, this.deps.map, plan);
          this.mapRuns.set(arn, execution.mapRun);
        }
        return;
      }
      case 'batch-done':
        execution.mapRun?.batchSettled('succeeded', event.results.length);
        return;
      case 'batch-failed':
        execution.mapRun?.batchSettled('failed', event.targets.length);
        return;
      default:
        return;
    }
  }

  private ended(execution: Execution, result: LocalRunResult): void {
    const now = new Date();
    execution.stopDate = now;
    if (result.status === 'SUCCEEDED') {
      execution.status = 'SUCCEEDED';
      // the workflow's last state (Reduce) puts its result at $.report of the execution input
      execution.output = JSON.stringify({ ...JSON.parse(execution.input), report: result.output });
      execution.mapRun?.executionEnded('SUCCEEDED', now);
      return;
    }
    execution.status = 'FAILED';
    execution.error = result.error;
    execution.cause = result.cause;
    execution.mapRun?.executionEnded('FAILED', now);
  }
}
