/**
 * Reduce: one pass over the scan's partials, in key (= target) order, streaming the inventory rows
 * out while counting them, and comparing them with the previous run's as they go (run-diff.ts); then
 * coverage, summary, the HTML page, the Athena files, the role gaps and diff.json (report-pass.ts),
 * the latest pointer and, last, the completion signals (run-signals.ts). Only this scan's
 * partials are read (a reused run id keeps earlier scans' partials beside them), and only lines of
 * planned targets, each target once.
 *
 * The report depends only on the run's data (dates come from the plan and the workers, never from
 * the clock), so reducing the same run again writes byte-identical files.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AthenaRun } from '../../shared/athena.ts';
import {
  type CoverageEntry,
  LatestPointer,
  type PlanOutput,
  type ReduceOutput,
  type Summary,
} from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import { getJson, ObjectNotFoundError, type ObjectStore } from '../shared/object-store.ts';
import { AthenaExport } from './athena.ts';
import { formatDiffLine } from './diff.ts';
import { DigestPool } from './digest-pool.ts';
import { HighlightsCollector } from './html-report.ts';
import { readBatchFailures } from './map-failures.ts';
import { athenaLines, type Digester, InlineDigester } from './partial-digest.ts';
import { readPartials } from './read-partials.ts';
import {
  buildCoverage,
  buildSummary,
  FunctionTally,
  finishedAt,
  PartialScreen,
  reportKeysFor,
  targetId,
} from './report-builder.ts';
import { writeReportPass } from './report-pass.ts';
import { readSkipped, readTargets } from './run-data.ts';
import { previousRun, RunDiff } from './run-diff.ts';
import { type CompletedRun, type RunPublisher, runCompletedDetail } from './run-signals.ts';
import { InventoryWriter, updateLatest, writeCoverageCsv, writeSummary } from './write-report.ts';

export interface ReduceRunDeps {
  storeFor(bucket: string): ObjectStore;
  /** Partials read at once. */
  concurrency: number;
  /** Write inventory.json and inventory.csv gzip-compressed, as `.gz` objects (config `reports.compress`). */
  compress: boolean;
  /**
   * Worker threads that digest partials beside the main thread (digest-pool.ts); 0 digests them all
   * on the main thread. Fewer are started when there are few partials (PARTIALS_PER_THREAD).
   */
  digestThreads: number;
  logger: Logger;
  /**
   * Sends the completion event, message and metrics once the report is written (run-signals.ts).
   * @default none: nothing is sent (local runs)
   */
  publisher?: RunPublisher;
}

/**
 * A digest thread starts by loading reduce's code again (tens to hundreds of milliseconds): it pays
 * for that only with this many partials to work on. Small runs are digested on the main thread.
 */
export const PARTIALS_PER_THREAD = 16;

/** The digest threads worth starting for this many partials (0: digest on the main thread). */
export function usefulThreads(threads: number, partials: number): number {
  return Math.max(0, Math.min(threads, Math.floor(partials / PARTIALS_PER_THREAD)));
}

const digesterFor = (threads: number, run: AthenaRun): Digester =>
  threads >= 1 ? new DigestPool(threads, run) : new InlineDigester(run);

export interface ReduceRunInput {
  plan: PlanOutput;
  /** The Distributed Map's output, when it wrote results (see map-failures.ts). */
  map?: unknown;
}

export async function reduceRun(deps: ReduceRunDeps, { plan, map }: ReduceRunInput): Promise<ReduceOutput> {
  const { logger } = deps;
  const store = deps.storeFor(plan.bucket);
  const targets = await readTargets(store, keys.targets(plan.runId));
  const skipped = await readSkipped(store, plan.skippedKey);
  const partialKeys = await store.list(keys.partialsPrefix(plan.runId, plan.scanId));
  const threads = usefulThreads(deps.digestThreads, partialKeys.length);
  logger.info('reducing run', {
    scanId: plan.scanId,
    targets: targets.length,
    skipped: skipped.length,
    partials: partialKeys.length,
    digestThreads: threads,
  });

  const reportKeys = reportKeysFor(plan.runId, plan.startedAt, deps.compress);
  const tally = new FunctionTally();
  const screen = new PartialScreen(targets);

  const failures = await readBatchFailures(deps.storeFor, map, logger);

  const run = { runId: plan.runId, startedAt: plan.startedAt };
  // read before updateLatest replaces it: the run this one is compared with
  const previous = previousRun(await readLatestPointer(store, logger), run);
  const runDiff =
    previous &&
    new RunDiff({
      store,
      previous,
      run,
      inventoryKey: reportKeys.inventoryJson,
      // partials come in target order: once this run's rows are past a target, its result is in
      scanned: (accountId, region) => screen.results.get(targetId({ accountId, region }))?.status === 'ok',
      logger,
    });
  // lifecycle as of the run's start: the same run always gets the same statuses
  const digester = digesterFor(threads, run);
  // started only once the digester is: nothing can fail between the uploads' start and the try below
  const inventory = new InventoryWriter(store, reportKeys, runDiff?.tap);
  // the page's highlights and the Athena rows come from the digests as the inventory is written:
  // reading the inventory back for them would cost as much again as digesting it
  const highlights = new HighlightsCollector();
  const athena = new AthenaExport(store, run);
  let summary: Summary;
  let coverage: CoverageEntry[];
  try {
    await runDiff?.start();
    await inventory.start(run);
    for await (const partial of readPartials(store, partialKeys, deps.concurrency, digester)) {
      // partial keys sort in target order, and a digest's groups are in target order within it
      const groups = screen.accept(partial);
      let rows = 0;
      for (const group of groups) {
        tally.addData(group.tally);
        highlights.addPart(group.highlights);
        rows += group.functionCount;
      }
      await inventory.writeGroups(partial, groups);
      await athena.writeFunctionLines(athenaLines(partial, groups), rows);
    }
    const ignored = screen.ignoredLines();
    if (ignored) {
      logger.warn('partial lines ignored: their targets are not planned, or were already reported', {
        ...ignored,
      });
    }
    const { results } = screen;
    coverage = buildCoverage({ targets, results, skipped, failures });
    summary = buildSummary({
      runId: plan.runId,
      startedAt: plan.startedAt,
      finishedAt: finishedAt(results.values(), plan.startedAt),
      tally,
      targetCount: targets.length,
      coverage,
    });
    await inventory.finish({ finishedAt: summary.finishedAt, coverage, summary });
  } catch (error) {
    // no half-written inventory is left behind: the previous report, if any, stays the latest
    await inventory.abort(error as Error);
    await athena.abort(error as Error);
    throw error;
  } finally {
    await digester.close();
  }

  try {
    await writeSummary(store, reportKeys, summary);
    await writeCoverageCsv(store, reportKeys, coverage);
  } catch (error) {
    await athena.abort(error as Error);
    throw error;
  }
  const pass = await writeReportPass({
    store,
    reportKeys,
    summary,
    coverage,
    diff: runDiff,
    highlights,
    athena,
  });
  const { diff } = pass;
  const latest = await updateLatest(
    store,
    {
      schemaVersion: 1,
      runId: plan.runId,
      startedAt: plan.startedAt,
      finishedAt: summary.finishedAt,
      keys: pass.keys,
      functionCount: summary.functionCount,
      coverage: summary.coverage,
    },
    logger,
  );

  logger.info('report written', {
    prefix: reportKeys.prefix,
    functionCount: summary.functionCount,
    scanned: summary.coverage.scanned,
    targets: summary.coverage.targets,
    latest,
    changes: diff ? formatDiffLine(diff) : null,
  });
  if (deps.publisher) {
    await publishCompletedRun(
      deps.publisher,
      { summary, bucket: plan.bucket, keys: pass.keys, diff },
      logger,
    );
  }
  return {
    runId: plan.runId,
    keys: pass.keys,
    functionCount: summary.functionCount,
    coverage: summary.coverage,
    ...(diff && {
      changes: {
        previousRunId: diff.previous.runId,
        line: formatDiffLine(diff),
        added: diff.counts.added,
        removed: diff.counts.removed,
        changed: diff.counts.changed,
        newlyDeprecated: diff.counts.newlyDeprecated,
      },
    }),
  };
}

/** The pointer in latest.json, or null when there is none or it is not one (updateLatest replaces it). */
async function readLatestPointer(store: ObjectStore, logger: Logger): Promise<LatestPointer | null> {
  let json: unknown;
  try {
    json = await getJson(store, keys.latest);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return null;
    logger.warn('latest.json cannot be read; the report has no diff', { error: (error as Error).message });
    return null;
  }
  const parsed = LatestPointer.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** A signal is worth less than the report already written: a failure here is logged, never thrown. */
async function publishCompletedRun(
  publisher: RunPublisher,
  run: CompletedRun,
  logger: Logger,
): Promise<void> {
  try {
    await publisher.publish(runCompletedDetail(run), logger);
  } catch (error) {
    logger.error('run signals not sent; the report is written', { error: (error as Error).message });
  }
}
