/**
 * A Map Run as DescribeMapRun reports it, followed from the engine's progress events: the plan gives
 * the items (targets) and the batch size, each settled child execution (batch) adds its items to the
 * succeeded or failed counts, and the ResultWriter's manifest, written once the children are done,
 * ends the Map Run.
 *
 * The engine reports children as they settle, not as they start: which ones run follows from how the
 * Map Run starts them (MaxConcurrency children at once, in item order, each settled one replaced by
 * the next, none started once the failed items exceed ToleratedFailurePercentage).
 */

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** MapRunItemCounts and MapRunExecutionCounts of the API (the same members). */
export interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
}

export interface MapRunSettings {
  maxConcurrency: number;
  toleratedFailurePercentage: number;
}

interface Tally {
  items: number;
  executions: number;
}

const zero = (): Tally => ({ items: 0, executions: 0 });

export class MapRunProgress {
  status: MapRunStatus = 'RUNNING';
  startDate: Date;
  stopDate: Date | undefined;
  redriveCount = 0;
  redriveDate: Date | undefined;
  private items = 0;
  private batchSize = 1;
  private succeeded = zero();
  private failed = zero();
  private aborted = zero();
  /** Children settled when the failures went over the tolerance: from then on none starts. */
  private settledAtExceed: number | undefined;
  private resultsWritten = false;

  constructor(
    readonly arn: string,
    readonly executionArn: string,
    readonly settings: MapRunSettings,
    plan: { items: number; batchSize: number; at: Date },
  ) {
    this.startDate = plan.at;
    this.begin(plan);
  }

  /** The redriven execution's Map Run starts over: a local redrive runs the whole execution again. */
  redrive(plan: { items: number; batchSize: number; at: Date }): void {
    this.redriveCount += 1;
    this.redriveDate = plan.at;
    this.begin(plan);
  }

  batchSettled(outcome: 'succeeded' | 'failed', itemCount: number): void {
    if (this.status !== 'RUNNING') return;
    const tally = this[outcome];
    tally.items += itemCount;
    tally.executions += 1;
    if (this.settledAtExceed === undefined && this.exceedsTolerance())
      this.settledAtExceed = this.settled.executions;
  }

  /** The ResultWriter writes once the children are done: the Map Run ends with it. */
  resultsWrittenAt(at: Date): void {
    if (this.status !== 'RUNNING') return;
    this.resultsWritten = true;
    this.finish(at);
  }

  /** The execution ended: a Map Run still running ends with it (stopped, failed around it, or done). */
  executionEnded(outcome: 'SUCCEEDED' | 'FAILED' | 'ABORTED', at: Date): void {
    if (this.status !== 'RUNNING') return;
    if (outcome === 'SUCCEEDED') {
      this.finish(at);
      return;
    }
    if (outcome === 'ABORTED') {
      const started = this.started;
      this.aborted = {
        items: started.items - this.settled.items,
        executions: started.executions - this.settled.executions,
      };
    }
    this.status = outcome;
    this.stopDate = at;
  }

  itemCounts(): MapRunCounts {
    return this.counts('items', this.items);
  }

  executionCounts(): MapRunCounts {
    return this.counts('executions', this.batches);
  }

  get toleratedFailurePercentage(): number {
    return this.settings.toleratedFailurePercentage;
  }

  private begin(plan: { items: number; batchSize: number }): void {
    this.items = plan.items;
    this.batchSize = plan.batchSize;
    this.succeeded = zero();
    this.failed = zero();
    this.aborted = zero();
    this.settledAtExceed = undefined;
    this.resultsWritten = false;
    this.status = 'RUNNING';
    this.stopDate = undefined;
  }

  private counts(unit: keyof Tally, total: number): MapRunCounts {
    const settled = this.settled[unit];
    const running = this.status === 'RUNNING' ? this.started[unit] - settled : 0;
    const aborted = this.aborted[unit];
    return {
      pending: total - settled - running - aborted,
      running,
      succeeded: this.succeeded[unit],
      failed: this.failed[unit],
      timedOut: 0,
      aborted,
      total,
      resultsWritten: this.resultsWritten ? settled : 0,
    };
  }

  private get batches(): number {
    return Math.ceil(this.items / this.batchSize);
  }

  private get settled(): Tally {
    return {
      items: this.succeeded.items + this.failed.items,
      executions: this.succeeded.executions + this.failed.executions,
    };
  }

  /** Children are started in item order: the first `executions` batches, all full but maybe the last. */
  private get started(): Tally {
    // the child whose failure crossed the tolerance started no successor
    const freed = this.settledAtExceed === undefined ? this.settled.executions : this.settledAtExceed - 1;
    const executions = Math.min(this.batches, this.settings.maxConcurrency + freed);
    return { executions, items: Math.min(this.items, executions * this.batchSize) };
  }

  /** As Step Functions counts it: failed items over all items, above the tolerated percentage. */
  private exceedsTolerance(): boolean {
    return this.failed.items * 100 > this.settings.toleratedFailurePercentage * this.items;
  }

  private finish(at: Date): void {
    this.status = this.settledAtExceed === undefined ? 'SUCCEEDED' : 'FAILED';
    this.stopDate = at;
  }
}
