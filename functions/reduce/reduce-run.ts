/**
 * Reduce: one pass over the run's partials, in key (= target) order, streaming the inventory rows
 * out while counting them; then coverage, summary and, last, the latest pointer.
 *
 * The report depends only on the run's data (dates come from the plan and the workers, never from
 * the clock), so reducing the same run again writes byte-identical files.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  type CoverageEntry,
  formatIssues,
  type PlanOutput,
  type ReduceOutput,
  type Summary,
  type Target,
  type TargetResult,
  TargetsFile,
} from '../shared/contracts.ts';
import { RunDataError } from '../shared/errors.ts';
import { keys } from '../shared/keys.ts';
import { getJson, ObjectNotFoundError, type ObjectStore } from '../shared/object-store.ts';
import { readBatchFailures } from './map-failures.ts';
import { readPartials } from './read-partials.ts';
import {
  buildCoverage,
  buildSummary,
  compareFunctions,
  FunctionTally,
  finishedAt,
  reportKeysFor,
  targetId,
  toFunctionRecord,
} from './report-builder.ts';
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
  const targets = await readTargets(store, plan.runId);
  const partialKeys = await store.list(keys.partialsPrefix(plan.runId));
  logger.info('reducing run', { targets: targets.length, partials: partialKeys.length });

  const reportKeys = reportKeysFor(plan.runId, plan.startedAt);
  // lifecycle as of the run's start: the same run always gets the same statuses
  const asOf = new Date(plan.startedAt);
  const tally = new FunctionTally();
  const results = new Map<string, TargetResult>();

  const failures = await readBatchFailures(deps.storeFor, map, logger);

  const inventory = new InventoryWriter(store, reportKeys);
  let summary: Summary;
  let coverage: CoverageEntry[];
  try {
    await inventory.start({ runId: plan.runId, startedAt: plan.startedAt });
    for await (const partial of readPartials(store, partialKeys, deps.concurrency)) {
      for (const result of partial.targets) results.set(targetId(result), result);
      // partial keys sort in target order; within a partial, rows are sorted here
      const records = partial.functions
        .map((scanned) => toFunctionRecord(scanned, asOf))
        .sort(compareFunctions);
      for (const record of records) tally.add(record);
      await inventory.writeFunctions(records);
    }
    coverage = buildCoverage({ targets, results, skipped: plan.skipped, failures });
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

async function readTargets(store: ObjectStore, runId: string): Promise<Target[]> {
  const key = keys.targets(runId);
  let json: unknown;
  try {
    json = await getJson(store, key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) {
      throw new RunDataError(`targets file ${key} not found in ${store.location}: did the plan step run?`);
    }
    if (error instanceof SyntaxError)
      throw new RunDataError(`targets file ${key} is not JSON: ${error.message}`);
    throw error;
  }
  const parsed = TargetsFile.safeParse(json);
  if (!parsed.success) throw new RunDataError(`targets file ${key}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
