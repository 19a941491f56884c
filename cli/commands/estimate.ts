/**
 * `estimate`: what one run costs in the cloud, line by line, from list prices (shared/prices.json):
 * for an organization's size (accounts x regions x functions) at the deployment's Map settings.
 */
import { type InventoryConfig, InventoryConfigError, readInventoryConfig } from '../../shared/config.ts';
import {
  type CostLine,
  DEFAULT_MEMORY_MB,
  estimateRunCost,
  type RunEstimate,
  type RunShape,
  SHAPE_DEFAULTS,
} from '../../shared/cost-estimate.ts';
import { EXIT, type Io } from '../io.ts';
import { integer, parseOptions } from '../options.ts';
import { textTable } from '../report/table.ts';
import { formatUsd } from '../report/usd.ts';
import { UsageError } from '../usage-error.ts';

/** The Map's defaults when neither a flag nor a config gives them (shared/config.ts's defaults). */
const MAP_DEFAULTS = { batchSize: 20, maxConcurrency: 40 } as const;

export interface EstimateOptions {
  configPath?: string;
  accounts?: number;
  regions?: number;
  functionsPerRegion?: number;
  batchSize?: number;
  concurrency?: number;
  regionConcurrency?: number;
  workerMemoryMB?: number;
  apiLatencyMs?: number;
  json: boolean;
}

export const help = `Usage: lambda-inventory estimate [options]

Estimates the cloud cost of one run (Step Functions, Lambda, S3 requests) from list prices in
us-east-1, for an organization of the given size. Flags win over --config.

  --accounts <n>                 accounts scanned (default: the config's account list, if it has one)
  --regions <n>                  regions per account (default: the config's regions, else 17)
  --functions-per-region <n>     functions in one account and region (default ${SHAPE_DEFAULTS.functionsPerRegion})
  --batch-size <n>               targets per worker batch (default: the config's, else ${MAP_DEFAULTS.batchSize})
  --concurrency <n>              batches scanned at once (default: the config's, else ${MAP_DEFAULTS.maxConcurrency})
  --region-concurrency <n>       regions of one batch listed at once (default ${SHAPE_DEFAULTS.regionConcurrency})
  --worker-memory <mb>           the worker's memory (default ${DEFAULT_MEMORY_MB.worker})
  --api-latency-ms <n>           latency of one AWS call (default ${SHAPE_DEFAULTS.apiLatencyMs})
  --config <file>                a deployment config file (regions, map settings, accounts)
  --json                         the line items and total as JSON
  -h, --help                     show this help`;

export function parse(argv: readonly string[]): EstimateOptions {
  const values = parseOptions(argv, {
    config: { type: 'string' },
    accounts: { type: 'string' },
    regions: { type: 'string' },
    'functions-per-region': { type: 'string' },
    'batch-size': { type: 'string' },
    concurrency: { type: 'string' },
    'region-concurrency': { type: 'string' },
    'worker-memory': { type: 'string' },
    'api-latency-ms': { type: 'string' },
    json: { type: 'boolean' },
  });
  return {
    configPath: values.config,
    accounts: integer(values.accounts, '--accounts', 1, 1_000_000),
    regions: integer(values.regions, '--regions', 1, 100),
    functionsPerRegion: integer(values['functions-per-region'], '--functions-per-region', 0, 100_000),
    batchSize: integer(values['batch-size'], '--batch-size', 1, 200),
    concurrency: integer(values.concurrency, '--concurrency', 1, 10_000),
    regionConcurrency: integer(values['region-concurrency'], '--region-concurrency', 1, 64),
    workerMemoryMB: integer(values['worker-memory'], '--worker-memory', 128, 10_240),
    apiLatencyMs: integer(values['api-latency-ms'], '--api-latency-ms', 0, 60_000),
    json: values.json ?? false,
  };
}

/** The run's shape from the flags, then the config, then the defaults. */
export function runShape(options: EstimateOptions, config: InventoryConfig | undefined): RunShape {
  const configAccounts = config?.targets.source === 'accounts' ? config.targets.accounts.length : undefined;
  const accounts = options.accounts ?? configAccounts;
  if (accounts === undefined) {
    throw new UsageError(
      '--accounts is needed: the config discovers accounts with Organizations, so their number is unknown',
    );
  }
  return {
    accounts,
    regions: options.regions ?? config?.regions.length ?? 17,
    functionsPerRegion: options.functionsPerRegion,
    batchSize: options.batchSize ?? config?.map.batchSize ?? MAP_DEFAULTS.batchSize,
    maxConcurrency: options.concurrency ?? config?.map.maxConcurrency ?? MAP_DEFAULTS.maxConcurrency,
    regionConcurrency: options.regionConcurrency,
    workerMemoryMB: options.workerMemoryMB ?? DEFAULT_MEMORY_MB.worker,
    apiLatencyMs: options.apiLatencyMs,
  };
}

export async function execute(options: EstimateOptions, io: Io): Promise<number> {
  const shape = runShape(options, options.configPath ? readConfig(options.configPath) : undefined);
  const estimate = estimateRunCost(shape);
  io.stdout.write(
    options.json
      ? `${JSON.stringify({ shape, ...estimate }, null, 2)}\n`
      : `${estimateTable(shape, estimate)}\n`,
  );
  return EXIT.ok;
}

function readConfig(path: string): InventoryConfig {
  try {
    return readInventoryConfig(path);
  } catch (error) {
    if (error instanceof InventoryConfigError) throw new UsageError(`--config: ${error.message}`);
    throw error;
  }
}

function estimateTable(shape: RunShape, estimate: RunEstimate): string {
  const { counts } = estimate;
  const header = `${shape.accounts} accounts x ${shape.regions} regions = ${counts.targets} targets, ${counts.batches} batches of ${estimate.batchSize} targets, ~${counts.functions} functions`;
  const rows = estimate.lines.map((line: CostLine) => [
    line.service,
    line.item,
    `${Number(line.quantity.toPrecision(6))} ${line.unit}`,
    formatUsd(line.usd),
  ]);
  return [
    header,
    '',
    textTable(['SERVICE', 'ITEM', 'QUANTITY', 'USD'], rows),
    '',
    `Total per run: ${formatUsd(estimate.totalUsd)} (list prices, us-east-1; free tiers, logs and storage not included)`,
  ].join('\n');
}
