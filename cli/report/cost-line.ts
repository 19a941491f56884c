/**
 * One line for the end of a run's summary: what the same run would cost in the cloud, deployed with
 * the same configuration (shared/cost-estimate.ts's model at the run's own size). A local run's own
 * timings are no guide to Lambda's, so the line prices the run's shape, not its wall time.
 */
import type { InventoryConfig } from '../../shared/config.ts';
import type { Summary } from '../../shared/contracts.ts';
import { DEFAULT_MEMORY_MB, estimateRunCost } from '../../shared/cost-estimate.ts';
import { formatUsd } from './usd.ts';

/** Null when the run planned no target (nothing to price). */
export function deployedCostLine(
  summary: Summary,
  config: Pick<InventoryConfig, 'regions' | 'map'>,
): string | null {
  const targets = summary.coverage.targets;
  if (targets === 0) return null;
  const regions = config.regions.length;
  const estimate = estimateRunCost({
    accounts: Math.max(1, Math.ceil(targets / regions)),
    regions,
    functionsPerRegion: summary.functionCount / targets,
    batchSize: config.map.batchSize,
    maxConcurrency: config.map.maxConcurrency,
    workerMemoryMB: DEFAULT_MEMORY_MB.worker,
  });
  return `Deployed, this run would cost about ${formatUsd(estimate.totalUsd)} (line items: lambda-inventory estimate)`;
}
