/**
 * `run --local`: resolve the config from flags or a file, pick the object store, optionally start the
 * simulator, run the workflow in the local engine with live progress, print the summary.
 */
import { readFile } from 'node:fs/promises';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { lambdaClient, organizationsClient, s3Client, stsClient } from '../../functions/shared/clients.ts';
import {
  FolderObjectStore,
  getJson,
  type ObjectStore,
  S3ObjectStore,
} from '../../functions/shared/object-store.ts';
import { type LocalClients, runWorkflow } from '../../local/engine.ts';
import { type InventoryConfig, InventoryConfigError, parseInventoryConfig } from '../../shared/config.ts';
import { DEFAULT_REGIONS, type SkippedAccount, Summary, type TargetResult } from '../../shared/contracts.ts';
import { ERROR_NAMES } from '../../shared/errors.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import type { RunCommand } from '../args.ts';
import { coveragePercent } from '../coverage.ts';
import type { Io } from '../main.ts';
import { ProgressReporter } from '../progress.ts';
import { loadSpecFlag } from '../spec-flag.ts';
import { renderSummary } from '../summary.ts';
import { UsageError } from '../usage-error.ts';

/** Failures of the plan step that come from what the user asked for: bad usage (exit 2), not a failed run. */
const INPUT_ERRORS = new Set<string>([ERROR_NAMES.invalidTargets, ERROR_NAMES.validation]);

export async function runCommand(command: RunCommand, io: Io): Promise<number> {
  const simulator = command.simulate ? await startSimulatorFor(command.simulate.spec) : undefined;
  const environment = { ...process.env };
  try {
    let centralCredentials: AwsCredentialIdentity | undefined;
    if (simulator) {
      centralCredentials = useSimulator(simulator);
      io.stderr.write(`simulated fleet at ${simulator.endpoint}\n`);
    }
    const config = await resolveConfig(command, simulator);
    const { store, bucket } = chooseStore(command);
    const clients = {
      sts: stsClient(undefined, centralCredentials),
      organizations: organizationsClient(centralCredentials),
      lambdaFor: lambdaClient,
    };
    return await execute(command, config, store, bucket, clients, io);
  } finally {
    restoreEnvironment(environment);
    await simulator?.close();
  }
}

function restoreEnvironment(saved: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
}

/**
 * The product reaches the simulator only through the SDK's standard per-service endpoint settings.
 * Its central credentials go to the simulated services' clients alone: the process environment keeps
 * the user's own, which S3 (`--bucket`) needs.
 */
function useSimulator(simulator: Simulator): AwsCredentialIdentity {
  for (const [name, value] of Object.entries(simulator.env)) {
    if (name.startsWith('AWS_ENDPOINT_URL_')) process.env[name] = value;
  }
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = simulator.env;
  if (!accessKeyId || !secretAccessKey) throw new Error('the simulator gave no central credentials');
  return { accessKeyId, secretAccessKey };
}

async function execute(
  command: RunCommand,
  config: InventoryConfig,
  store: ObjectStore,
  bucket: string,
  clients: LocalClients,
  io: Io,
) {
  const progress = new ProgressReporter(command.json ? { write: () => true } : io.stdout);
  const problems: TargetResult[] = [];
  let skipped: SkippedAccount[] = [];
  const started = performance.now();
  const result = await runWorkflow({
    config,
    store,
    bucket,
    input: command.runId ? { runId: command.runId } : {},
    executionName: command.runId,
    clients,
    regionConcurrency: command.regionConcurrency,
    onProgress: (event) => {
      if (event.type === 'planned') {
        skipped = event.skipped;
        progress.planned(event.targetCount, event.accountCount, event.skipped.length);
      } else if (event.type === 'batch-done') {
        problems.push(...event.results.filter((target) => target.status !== 'ok'));
        progress.batchDone(event.results);
      } else if (event.type === 'batch-failed') {
        progress.batchFailed(event.targets, event.error);
      }
    },
  });
  progress.finish();
  const durationMs = performance.now() - started;

  if (result.status === 'FAILED') {
    const record = result.failureKey ? ` (failure record: ${store.location}/${result.failureKey})` : '';
    io.stderr.write(
      `lambda-inventory: run ${result.executionName} failed: ${result.error}: ${firstLine(result.cause)}${record}\n`,
    );
    return INPUT_ERRORS.has(result.error) ? 2 : 1;
  }

  const summary = Summary.parse(await getJson(store, result.output.keys.summaryJson));
  const percent = coveragePercent(summary.coverage);
  if (command.json) {
    io.stdout.write(`${JSON.stringify({ ...result.output, coveragePercent: percent, summary }, null, 2)}\n`);
  } else {
    io.stdout.write(
      `${renderSummary({
        summary,
        problems,
        skipped,
        reportLocation: `${store.location}/${result.output.keys.prefix}`,
        durationMs,
        minCoverage: command.minCoverage,
      })}\n`,
    );
  }
  if (percent >= command.minCoverage) return 0;
  io.stderr.write(
    `lambda-inventory: coverage ${percent.toFixed(1)}% is below --min-coverage ${command.minCoverage}% (see ${store.location}/${result.output.keys.coverageCsv})\n`,
  );
  return 1;
}

async function startSimulatorFor(specPath: string | undefined): Promise<Simulator> {
  return startSimulator({ spec: await loadSpecFlag('--simulate', specPath), port: 0 });
}

/** Flags win over the config file; without either, a simulated run inventories the whole simulated organization. */
async function resolveConfig(
  command: RunCommand,
  simulator: Simulator | undefined,
): Promise<InventoryConfig> {
  const base = command.configPath ? await readConfigFile(command.configPath) : {};
  const targets = command.accounts
    ? { source: 'accounts', accounts: command.accounts }
    : command.organization
      ? { source: 'organization', ...command.organization }
      : (base.targets ?? (simulator ? { source: 'organization' } : undefined));
  if (targets === undefined) {
    throw new UsageError(
      'no targets: give --accounts, --organization or --config (or --simulate for a demo fleet)',
    );
  }
  const regions =
    command.regions ?? base.regions ?? (simulator ? simulatedRegions(simulator) : [...DEFAULT_REGIONS]);
  const map = {
    ...(base.map ?? {}),
    ...defined({
      maxConcurrency: command.concurrency,
      batchSize: command.batchSize,
      toleratedFailurePercentage: command.toleratedFailurePercentage,
    }),
  };
  try {
    return parseInventoryConfig({ ...base, targets, regions, map });
  } catch (error) {
    if (!(error instanceof InventoryConfigError)) throw error;
    throw new UsageError(
      command.configPath ? `--config ${command.configPath}: ${error.message}` : error.message,
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

/** The simulated fleet's regions, opt-in ones included (accounts that have not enabled them show as such). */
function simulatedRegions(simulator: Simulator): string[] {
  return [...simulator.fleet.regions, ...simulator.fleet.optInRegions];
}

function chooseStore(command: RunCommand): { store: ObjectStore; bucket: string } {
  if (command.bucket) return { store: new S3ObjectStore(s3Client(), command.bucket), bucket: command.bucket };
  const store = new FolderObjectStore(command.out);
  return { store, bucket: store.location };
}

function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0] ?? '';
}
