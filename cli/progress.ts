/**
 * Live progress: a redrawn bar on a TTY, plain lines otherwise (CI logs, pipes). It only renders;
 * the counts come from the engine's progress events.
 */
import type { Target, TargetResult } from '../shared/contracts.ts';

export interface ProgressState {
  total: number;
  done: number;
  functions: number;
  /** Targets not scanned completely (a region the account has not enabled is not a gap). */
  gaps: number;
}

export interface ProgressOutput {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

const BAR_WIDTH = 24;

export class ProgressReporter {
  private readonly state: ProgressState = { total: 0, done: 0, functions: 0, gaps: 0 };
  private drawn = false;

  constructor(private readonly out: ProgressOutput) {}

  planned(targetCount: number, accountCount: number, skippedCount: number): void {
    this.state.total = targetCount;
    const skipped = skippedCount > 0 ? `, ${plural(skippedCount, 'account')} skipped` : '';
    this.line(`planned ${plural(targetCount, 'target')} in ${plural(accountCount, 'account')}${skipped}`);
    this.draw();
  }

  batchDone(results: readonly TargetResult[]): void {
    for (const result of results) {
      this.state.done++;
      if (result.status === 'ok') this.state.functions += result.functionCount;
      else if (result.status !== 'region-not-enabled') this.state.gaps++;
      if (!this.out.isTTY) {
        const detail =
          result.status === 'ok' ? `${result.functionCount} functions` : (result.errorCode ?? result.status);
        this.out.write(
          `[${this.state.done}/${this.state.total}] ${result.accountId} ${result.region}: ${result.status} (${detail})\n`,
        );
      }
    }
    this.draw();
  }

  /** A batch that failed after its retries: its targets count as done, unscanned. */
  batchFailed(targets: readonly Target[], error: string): void {
    for (const target of targets) {
      this.state.done++;
      this.state.gaps++;
      if (!this.out.isTTY) {
        this.out.write(
          `[${this.state.done}/${this.state.total}] ${target.accountId} ${target.region}: not-scanned (${error})\n`,
        );
      }
    }
    this.draw();
  }

  /** Prints a message above the bar. */
  line(message: string): void {
    this.clear();
    this.out.write(`${message}\n`);
  }

  finish(): void {
    this.clear();
  }

  get snapshot(): Readonly<ProgressState> {
    return { ...this.state };
  }

  private draw(): void {
    if (!this.out.isTTY || this.state.total === 0) return;
    this.out.write(`\r${renderBar(this.state)}\x1b[K`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }
}

export function renderBar(state: ProgressState): string {
  const ratio = state.total === 0 ? 0 : Math.min(1, state.done / state.total);
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
  return `[${bar}] ${state.done}/${state.total} targets | ${state.functions} functions | ${state.gaps} not scanned`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
