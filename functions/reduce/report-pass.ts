/**
 * The pass after reduce's own files: report.html (from the highlights reduce gathered while writing
 * the inventory), gaps.csv, the end of the Athena export and, when there is a previous complete run,
 * diff.json (from the diff that followed the inventory as it was written, run-diff.ts). Nothing here
 * reads this run's inventory back.
 */
import { basename } from 'node:path';
import type { CoverageEntry, ReportKeys, Summary } from '../../shared/contracts.ts';
import { reportFileName } from '../../shared/keys.ts';
import { type ObjectStore, putJson } from '../shared/object-store.ts';
import type { AthenaExport } from './athena.ts';
import { formatDiffLine, type InventoryDiff } from './diff.ts';
import { findRoleGaps, gapsCsv } from './gaps.ts';
import { type HighlightsCollector, renderHtmlReport } from './html-report.ts';
import type { RunDiff } from './run-diff.ts';

const HTML_TYPE = 'text/html; charset=utf-8';
const CSV_TYPE = 'text/csv; charset=utf-8';

export interface ReportPassInput {
  store: ObjectStore;
  /** This run's keys (reportKeysFor): where the page, the gaps and the diff go. */
  reportKeys: ReportKeys;
  summary: Summary;
  coverage: readonly CoverageEntry[];
  /** The diff with the previous complete run, fed as the inventory was written; null without one. */
  diff: RunDiff | null;
  /** Fed with every function of the inventory as it was written. */
  highlights: HighlightsCollector;
  /** Sent every function as the inventory was written: finished here, or aborted on a failure. */
  athena: AthenaExport;
}

export interface ReportPassResult {
  /** This run's keys, with diff.json's when it was written. */
  keys: ReportKeys;
  diff: InventoryDiff | null;
}

export async function writeReportPass(input: ReportPassInput): Promise<ReportPassResult> {
  const { store, reportKeys, summary, coverage, highlights, athena } = input;
  let diff: InventoryDiff | null = null;
  try {
    diff = input.diff && (await input.diff.finish(coverage));
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
