/**
 * Reduce: one pass over the scan's partials, in key (= target) order, streaming the inventory rows
 * out while counting them; then coverage, summary and, last, the latest pointer. Only this scan's
 * partials are read (a reused run id keeps earlier scans' partials beside them), and only lines of
 * planned targets, each target once.
 *
 * The report depends only on the run's data (dates come from the plan and the workers, never from
 * the clock), so reducing the same run again writes byte-identical files.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { CoverageEntry, PlanOutput, ReduceOutput, Summary } from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import type { ObjectStore } from '../shared/object-store.ts';
import { readBatchFailures } from './map-failures.ts';
import { readPartials } from './read-partials.ts';
import {
  buildCoverage,
  buildSummary,
  compareFunctions,
  FunctionTally,
  finishedAt,
  PartialScreen,
  reportKeysFor,
  toFunctionRecord,
} from './report-builder.ts';
import { readSkipped, readTargets } from './run-data.ts';
import { InventoryWriter, updateLatest, writeCoverageCsv, writeSummary } from './write-report.ts';

export interface ReduceRunDeps {
  storeFor(bucket: string): ObjectStore;
  /** Partials read at once. */
  concurrency: number;
  logger: Logger;
}

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
  logger.info('reducing run', {
    scanId: plan.scanId,
    targets: targets.length,
    skipped: skipped.length,
    partials: partialKeys.length,
  });

  const reportKeys = reportKeysFor(plan.runId, plan.startedAt);
  // lifecycle as of the run's start: the same run always gets the same statuses
  const asOf = new Date(plan.startedAt);
  const tally = new FunctionTally();
  const screen = new PartialScreen(targets);

  const failures = await readBatchFailures(deps.storeFor, map, logger);

  const inventory = new InventoryWriter(store, reportKeys);
  let summary: Summary;
  let coverage: CoverageEntry[];
  try {
    await inventory.start({ runId: plan.runId, startedAt: plan.startedAt });
    for await (const partial of readPartials(store, partialKeys, deps.concurrency)) {
      const { functions } = screen.accept(partial);
      // partial keys sort in target order; within a partial, rows are sorted here
      const records = functions.map((scanned) => toFunctionRecord(scanned, asOf)).sort(compareFunctions);
      for (const record of records) tally.add(record);
      await inventory.writeFunctions(records);
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
    throw error;
  }

  await writeSummary(store, reportKeys, summary);
  await writeCoverageCsv(store, reportKeys, coverage);
  const latest = await updateLatest(
    store,
    {
      schemaVersion: 1,
      runId: plan.runId,
      startedAt: plan.startedAt,
      finishedAt: summary.finishedAt,
      keys: reportKeys,
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
  });
  return {
    runId: plan.runId,
    keys: reportKeys,
    functionCount: summary.functionCount,
    coverage: summary.coverage,
  };
}
