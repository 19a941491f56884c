/**
 * The pass after reduce's own files: report.html (from the highlights reduce gathered while writing
 * the inventory), gaps.csv, the end of the Athena export and, when there is a previous complete run,
 * diff.json. Only the diff reads this run's inventory back: the merge needs the rows in the
 * inventory's own order, and reading them back costs nothing when there is nothing to compare with.
 *
 * The previous run is history, not this run's data: when its inventory is missing, damaged or not
 * sorted, the diff is left out with a warning and the report is written without it.
 */
import { basename } from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { CoverageEntry, LatestPointer, ReportKeys, Summary } from '../../shared/contracts.ts';
import { reportFileName } from '../../shared/keys.ts';
import { type ObjectStore, putJson } from '../shared/object-store.ts';
import { type AthenaExport, readAthenaCoverage } from './athena.ts';
import { DiffInputError, type DiffRow, diffInventories, formatDiffLine, type InventoryDiff } from './diff.ts';
import { findRoleGaps, gapsCsv } from './gaps.ts';
import { type HighlightsCollector, renderHtmlReport } from './html-report.ts';
import { InventoryReader, readInventoryDocument } from './read-inventory.ts';

const HTML_TYPE = 'text/html; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';

export interface ReportPassInput {
  store: ObjectStore;
  run: { runId: string; startedAt: string };
  /** This run's keys (reportKeysFor): the inventory to read back, and where the page and gaps go. */
  reportKeys: ReportKeys;
  summary: Summary;
  coverage: readonly CoverageEntry[];
  /** The latest complete run before this one (previousRun), or null. */
  previous: LatestPointer | null;
  /** Fed with every function of the inventory as it was written. */
  highlights: HighlightsCollector;
  /** Sent every function as the inventory was written: finished here, or aborted on a failure. */
  athena: AthenaExport;
  logger: Logger;
}

export interface ReportPassResult {
  /** This run's keys, with diff.json's when it was written. */
  keys: ReportKeys;
  diff: InventoryDiff | null;
}

/**
 * The run latest.json names, read before this run replaces it, when it is one to compare with: another
 * run that started earlier (a run reduced again, or an older run reduced late, has nothing before it
 * to compare with that latest.json could name).
 */
export function previousRun(latest: LatestPointer | null, run: ReportPassInput['run']): LatestPointer | null {
  if (!latest || latest.runId === run.runId) return null;
  return Date.parse(latest.startedAt) < Date.parse(run.startedAt) ? latest : null;
}

export async function writeReportPass(input: ReportPassInput): Promise<ReportPassResult> {
  const { store, run, reportKeys, summary, coverage, highlights, athena, logger } = input;
  let diff: InventoryDiff | null = null;
  try {
    const previous = input.previous && (await previousDocument(store, input.previous, logger));
    if (previous) {
      // reduce wrote this inventory moments ago from checked rows: parsed, not checked again (the
      // previous run's inventory, written by another run, is checked)
      const current = new InventoryReader(
        await store.getStream(reportKeys.inventoryJson),
        reportKeys.inventoryJson,
        { check: false },
      );
      diff = await diffWithPrevious(store, previous, current.rows(), { ...run, coverage }, logger);
    }
    await athena.finish(coverage);
  } catch (error) {
    await athena.abort(error as Error);
    throw error;
  }

  const keys: ReportKeys = { ...reportKeys };
  if (diff) {
    keys.diffJson = `${reportKeys.prefix}${reportFileName('diffJson', false)}`;
    await putJson(store, keys.diffJson, diff);
  }
  const gaps = findRoleGaps(coverage);
  const fileName = (key: string | undefined) => (key === undefined ? undefined : basename(key));
  if (keys.gapsCsv) await store.put(keys.gapsCsv, gapsCsv(gaps), CSV_TYPE);
  if (keys.reportHtml) {
    const html = renderHtmlReport({
      summary,
      coverage,
      highlights: highlights.result(),
      diffLine: diff ? formatDiffLine(diff) : null,
      files: {
        inventoryCsv: fileName(keys.inventoryCsv),
        coverageCsv: fileName(keys.coverageCsv),
        gapsCsv: fileName(keys.gapsCsv),
      },
    });
    await store.put(keys.reportHtml, html, HTML_TYPE);
  }
  return { keys, diff };
}

interface PreviousSide {
  pointer: LatestPointer;
  coverage: readonly CoverageEntry[];
}

/**
 * The previous run and its coverage, or null. The coverage comes from the run's Athena file; a run
 * without one (reduced before the Athena export) has its inventory read in a pass of its own, since
 * inventory.json keeps the coverage after every function.
 */
async function previousDocument(
  store: ObjectStore,
  pointer: LatestPointer,
  logger: Logger,
): Promise<PreviousSide | null> {
  try {
    return { pointer, coverage: await readAthenaCoverage(store, pointer) };
  } catch (error) {
    logger.debug('the previous run coverage is read from its inventory', { error: (error as Error).message });
  }
  const key = pointer.keys.inventoryJson;
  try {
    return { pointer, coverage: (await readInventoryDocument(await store.getStream(key), key)).coverage };
  } catch (error) {
    logger.warn('the previous run inventory cannot be read; the report has no diff', {
      previousRunId: pointer.runId,
      key,
      error: (error as Error).message,
    });
    return null;
  }
}

async function diffWithPrevious(
  store: ObjectStore,
  previous: PreviousSide,
  rows: AsyncIterable<DiffRow>,
  current: { runId: string; startedAt: string; coverage: readonly CoverageEntry[] },
  logger: Logger,
): Promise<InventoryDiff | null> {
  const key = previous.pointer.keys.inventoryJson;
  try {
    const { runId, startedAt } = previous.pointer;
    return await diffInventories(new InventoryReader(await store.getStream(key), key).rows(), rows, {
      previous: { runId, startedAt, coverage: previous.coverage },
      current,
    });
  } catch (error) {
    // a fault of the previous run's inventory costs the diff; one of this run's fails the reduce
    if (!(error instanceof DiffInputError && error.side === 'previous')) throw error;
    logger.warn('the previous run inventory cannot be compared; the report has no diff', {
      previousRunId: previous.pointer.runId,
      key,
      error: error.message,
    });
    return null;
  }
}
