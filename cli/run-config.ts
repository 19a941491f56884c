/**
 * The configuration of a local run: flags win over the config file; without either, a simulated run
 * inventories the whole simulated organization in all of its regions. Errors name the flag (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { type InventoryConfig, InventoryConfigError, parseInventoryConfig } from '../shared/config.ts';
import { DEFAULT_REGIONS } from '../shared/contracts.ts';
import type { Fleet } from '../simulator/index.ts';
import { UsageError } from './usage-error.ts';

/** The flags of `run` that make up its configuration. */
export interface ConfigFlags {
  configPath?: string;
  accounts?: string[];
  regions?: string[];
  organization?: { includeOus: string[]; excludeOus: string[]; excludeAccounts: string[] };
  concurrency?: number;
  batchSize?: number;
  toleratedFailurePercentage?: number;
}

export async function resolveConfig(
  options: ConfigFlags,
  simulatedFleet: Pick<Fleet, 'regions' | 'optInRegions'> | undefined,
): Promise<InventoryConfig> {
  const base = options.configPath ? await readConfigFile(options.configPath) : {};
  const targets = options.accounts
    ? { source: 'accounts', accounts: options.accounts }
    : options.organization
      ? { source: 'organization', ...options.organization }
      : (base.targets ?? (simulatedFleet ? { source: 'organization' } : undefined));
  if (targets === undefined) {
    throw new UsageError(
      'no targets: give --accounts, --organization or --config (or --simulate for a demo fleet)',
    );
  }
  // the simulated fleet's opt-in regions too: accounts that have not enabled them show as such
  const regions =
    options.regions ??
    base.regions ??
    (simulatedFleet ? [...simulatedFleet.regions, ...simulatedFleet.optInRegions] : [...DEFAULT_REGIONS]);
  const map = {
    ...(base.map ?? {}),
    ...defined({
      maxConcurrency: options.concurrency,
      batchSize: options.batchSize,
      toleratedFailurePercentage: options.toleratedFailurePercentage,
    }),
  };
  try {
    return parseInventoryConfig({ ...base, targets, regions, map });
  } catch (error) {
    if (!(error instanceof InventoryConfigError)) throw error;
    throw new UsageError(
      options.configPath ? `--config ${options.configPath}: ${error.message}` : error.message,
    );
  }
}

async function readConfigFile(
  path: string,
): Promise<Record<string, unknown> & { targets?: unknown; regions?: unknown; map?: object }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--config: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('expected a JSON object');
    return parsed;
  } catch (error) {
    throw new UsageError(`--config: ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
