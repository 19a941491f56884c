/**
 * The diff with the previous complete run, made while reduce writes this run's inventory: the merge
 * (diff.ts) reads this run's rows from the inventory writer's tap as they are written, and the
 * previous run's from its inventory in the store. Reading this run's inventory back afterwards would
 * inflate and scan it a second time, after everything else is done; this way the merge runs in the
 * time the main thread waits on the digest threads.
 *
 * The previous run is history, not this run's data: when its inventory is missing, damaged or not
 * sorted, the diff is left out with a warning and the report is written without it. A fault in this
 * run's rows fails the reduce.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { CoverageEntry, LatestPointer } from '../../shared/contracts.ts';
import type { ObjectStore } from '../shared/object-store.ts';
import { readAthenaCoverage } from './athena.ts';
import { ByteChannel } from './byte-channel.ts';
import { DiffInputError, diffInventories, type InventoryDiff, type RunRef } from './diff.ts';
import { InventoryReader, readInventoryDocument } from './read-inventory.ts';

/**
 * The run latest.json names, read before this run replaces it, when it is one to compare with: another
 * run that started earlier (a run reduced again, or an older run reduced late, has nothing before it
 * to compare with that latest.json could name).
 */
export function previousRun(latest: LatestPointer | null, run: RunRef): LatestPointer | null {
  if (!latest || latest.runId === run.runId) return null;
  return Date.parse(latest.startedAt) < Date.parse(run.startedAt) ? latest : null;
}

export interface RunDiffInput {
  store: ObjectStore;
  /** The run compared with (previousRun). */
  previous: LatestPointer;
  run: RunRef;
  /** This run's inventory key: how faults in its rows are named. */
  inventoryKey: string;
  /** Whether this run scanned the target; asked only for targets its rows have gone past. */
  scanned(accountId: string, region: string): boolean;
  logger: Logger;
}

type Outcome = { diff: InventoryDiff | null } | { error: unknown };

export class RunDiff {
  /** Give to the InventoryWriter: this run's inventory text, as it is written. */
  readonly tap = new ByteChannel();
  private outcome: Promise<Outcome> | undefined;
  private resolveCoverage!: (coverage: readonly CoverageEntry[]) => void;
  private readonly coverage = new Promise<readonly CoverageEntry[]>((resolve) => {
    this.resolveCoverage = resolve;
  });

  constructor(private readonly input: RunDiffInput) {}

  /**
   * Reads the previous run's coverage and starts the merge, which then follows the tap. Never throws:
   * without a previous run to read, the tap is drained and `finish` gives no diff.
   */
  async start(): Promise<void> {
    const { store, previous, run, inventoryKey, logger } = this.input;
    const previousCoverage = await readPreviousCoverage(store, previous, logger);
    if (!previousCoverage) {
      this.tap.discard();
      return;
    }
    const key = previous.keys.inventoryJson;
    const previousRows = async () => {
      try {
        return new InventoryReader(await store.getStream(key), key).rows();
      } catch (error) {
        throw new DiffInputError('previous', `${key} could not be read: ${(error as Error).message}`, {
          cause: error,
        });
      }
    };
    const merge = async (): Promise<InventoryDiff> =>
      diffInventories(
        await previousRows(),
        // written moments ago from checked rows: parsed when compared, not checked again
        new InventoryReader(this.tap, inventoryKey, { check: false }).rows(),
        {
          previous: { runId: previous.runId, startedAt: previous.startedAt, coverage: previousCoverage },
          current: {
            ...run,
            scanned: this.input.scanned,
            coverage: () => this.coverage,
          },
        },
      );
    // settled into an outcome at once: a failure while the inventory is still being written is
    // reported by `finish`, not as an unhandled rejection
    this.outcome = merge().then(
      (diff) => ({ diff }),
      (error: unknown) => {
        // the writer must not wait on a merge that has stopped reading
        this.tap.discard();
        return { error };
      },
    );
  }

  /** The diff, once the inventory is finished and this run's coverage known; null without one. */
  async finish(coverage: readonly CoverageEntry[]): Promise<InventoryDiff | null> {
    this.resolveCoverage(coverage);
    const outcome = await this.outcome;
    if (!outcome) return null;
    if ('diff' in outcome) return outcome.diff;
    const { error } = outcome;
    // a fault of the previous run's inventory costs the diff; one of this run's fails the reduce
    if (!(error instanceof DiffInputError && error.side === 'previous')) throw error;
    this.input.logger.warn('the previous run inventory cannot be compared; the report has no diff', {
      previousRunId: this.input.previous.runId,
      key: this.input.previous.keys.inventoryJson,
      error: error.message,
    });
    return null;
  }
}

/**
 * The previous run's coverage, or null. It comes from the run's Athena file; a run without one
 * (reduced before the Athena export) has its inventory read in a pass of its own, since inventory.json
 * keeps the coverage after every function.
 */
async function readPreviousCoverage(
  store: ObjectStore,
  pointer: LatestPointer,
  logger: Logger,
): Promise<readonly CoverageEntry[] | null> {
  try {
    return await readAthenaCoverage(store, pointer);
  } catch (error) {
    logger.debug('the previous run coverage is read from its inventory', { error: (error as Error).message });
  }
  const key = pointer.keys.inventoryJson;
  try {
    return (await readInventoryDocument(await store.getStream(key), key)).coverage;
  } catch (error) {
    logger.warn('the previous run inventory cannot be read; the report has no diff', {
      previousRunId: pointer.runId,
      key,
      error: (error as Error).message,
    });
    return null;
  }
}
