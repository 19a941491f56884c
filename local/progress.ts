/** What a local run reports as it goes (the CLI's progress bar, the benchmark's counters). */
import type { ReduceOutput, SkippedAccount, Target, TargetResult } from '../shared/contracts.ts';

export type LocalProgressEvent =
  /** The Plan step received the execution's start time (`$$.Execution.StartTime`), which names its scan. */
  | { type: 'started'; startTime: string }
  | { type: 'planned'; runId: string; targetCount: number; accountCount: number; skipped: SkippedAccount[] }
  | { type: 'batch-done'; results: TargetResult[] }
  /** A batch whose child execution failed after its retries: its targets go unscanned. */
  | { type: 'batch-failed'; targets: Target[]; error: string; cause: string }
  | { type: 'reduced'; output: ReduceOutput }
  | { type: 'failed'; error: string; cause: string };

/** Delivers progress events; a listener's error must not pose as a failure of the step that emitted it. */
export class ProgressEmitter {
  private listenerError: { error: unknown } | undefined;

  constructor(private readonly listener: ((event: LocalProgressEvent) => void) | undefined) {}

  emit(event: LocalProgressEvent): void {
    try {
      this.listener?.(event);
    } catch (error) {
      this.listenerError ??= { error };
    }
  }

  /** Throws the first error a listener threw, once the run has ended. */
  rethrow(): void {
    if (this.listenerError) throw this.listenerError.error;
  }
}
