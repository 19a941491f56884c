/**
 * End-to-end helpers: the fleet simulator reached only through the SDK's standard endpoint variables,
 * the real clients of functions/shared/clients.ts, the real definition in the local engine, and
 * readers for everything a run leaves behind, compared with the simulator's ground truth.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Io, main } from '../../cli/main.ts';
import { csvRecords } from '../../cli/operate/coverage-file.ts';
import { lambdaClient, organizationsClient, stsClient } from '../../functions/shared/clients.ts';
import { getJson, getText, type ObjectStore } from '../../functions/shared/object-store.ts';
import { type LocalRunOptions, type LocalRunResult, runWorkflow } from '../../local/engine.ts';
import { type InventoryConfig, parseInventoryConfig } from '../../shared/config.ts';
import {
  type CoverageEntry,
  type CoverageStatus,
  type FunctionRecord,
  LatestPointer,
  type ReportKeys,
  type RunInput,
  Summary,
} from '../../shared/contracts.ts';
import type { Fleet, FleetSpec, Simulator } from '../../simulator/index.ts';
import { startSimulator } from '../../simulator/index.ts';

/** The bucket label of engine runs on a folder store. */
export const BUCKET = 'e2e-inventory';

/** Every fleet of the suite uses these regions: three enabled by default, one opt-in. */
export const DEFAULT_FLEET_REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
export const OPT_IN_REGION = 'eu-south-1';
export const FLEET_REGIONS = [...DEFAULT_FLEET_REGIONS, OPT_IN_REGION];

/** ListFunctions pages hold at most 50 functions. */
export const PAGE_SIZE = 50;

export const MANAGEMENT = '111122223333';
/** Member accounts of the hand-made fleet, named by what they exercise. */
export const MEMBER = {
  noRole: '200000000001',
  heavy: '200000000002',
  suspended: '200000000003',
  optInDisabled: '200000000004',
  security: '200000000005',
  checkout: '200000000006',
  shared: '200000000007',
} as const;
export const HEAVY_COUNTS = { 'eu-west-1': 150, 'us-east-1': 51 } as const;

/**
 * A small hand-made organization with one of each case: a member without the role, a SUSPENDED one,
 * one that has not enabled the opt-in region, and one with two regions past a single page (150
 * functions is exactly three full pages, 51 is one over a page). Sorted by id, the member without
 * the role comes right after the management account.
 */
export const ORGANIZATION_SPEC: FleetSpec = {
  seed: 'e2e-organization',
  centralAccountId: MANAGEMENT,
  regions: DEFAULT_FLEET_REGIONS,
  optInRegions: [OPT_IN_REGION],
  // only the accounts that list the opt-in region have enabled it (the management account has not)
  optInEnabledFraction: 0,
  organizationalUnits: ['Security', 'Workloads', 'Workloads/Prod', 'Workloads/Dev'],
  functionsPerRegion: { min: 0, max: 12 },
  heavyRegions: { count: 0 },
  accounts: [
    {
      id: MEMBER.noRole,
      name: 'identity-dev',
      ou: 'Workloads/Dev',
      hasRole: false,
      optInRegions: [OPT_IN_REGION],
    },
    {
      id: MEMBER.heavy,
      name: 'payments-prod',
      ou: 'Workloads/Prod',
      optInRegions: [OPT_IN_REGION],
      functionsPerRegion: HEAVY_COUNTS,
    },
    { id: MEMBER.suspended, name: 'legacy-prod', ou: 'Workloads/Prod', state: 'SUSPENDED' },
    { id: MEMBER.optInDisabled, name: 'analytics-dev', ou: 'Workloads/Dev', optInRegions: [] },
    { id: MEMBER.security, name: 'security-audit', ou: 'Security', optInRegions: [OPT_IN_REGION] },
    { id: MEMBER.checkout, name: 'checkout-prod', ou: 'Workloads/Prod', optInRegions: [OPT_IN_REGION] },
    { id: MEMBER.shared, name: 'shared-services', ou: 'Workloads' },
  ],
};

/** A generated organization: random accounts, OUs, runtimes, secrets, empty and paginated regions. */
export const GENERATED_SPEC: FleetSpec = {
  seed: 20261128,
  regions: DEFAULT_FLEET_REGIONS,
  optInRegions: [OPT_IN_REGION],
  accounts: 8,
  functionsPerRegion: { min: 0, max: 30 },
  heavyRegions: { count: 2, functions: { min: 60, max: 140 } },
  suspendedAccounts: 1,
  closedAccounts: 1,
  accountsWithoutRole: 1,
};

export function inventoryConfig(map: InventoryConfig['map']): InventoryConfig {
  return parseInventoryConfig({ targets: { source: 'organization' }, regions: FLEET_REGIONS, map });
}

/**
 * Sets `vars` in process.env and returns the function that puts every touched variable back as it
 * was (the CLI sets the simulator's variables itself: tests undo that too).
 */
export function setEnv(vars: Record<string, string>): () => void {
  const before = { ...process.env };
  Object.assign(process.env, vars);
  return () => restoreEnv(before);
}

function restoreEnv(before: NodeJS.ProcessEnv): void {
  for (const name of Object.keys(process.env)) if (!(name in before)) delete process.env[name];
  Object.assign(process.env, before);
}

/** The SDK's notice that later releases need Node 22 is noise in captured CLI output. */
export const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export interface RunningFleet {
  sim: Simulator;
  fleet: Fleet;
  stop(): Promise<void>;
}

/** Starts the simulator and points the SDK at it through its standard variables only (`sim.env`). */
export async function startFleet(
  spec: FleetSpec,
  extraEnv: Record<string, string> = {},
): Promise<RunningFleet> {
  const sim = await startSimulator({ spec });
  const restore = setEnv({ ...sim.env, ...QUIET_SDK, ...extraEnv });
  return {
    sim,
    fleet: sim.fleet,
    stop: async () => {
      restore();
      await sim.close();
    },
  };
}

/** The product's own clients (clients.ts), built from the environment the test set. */
export function productClients(): LocalRunOptions['clients'] {
  return { sts: stsClient(), organizations: organizationsClient(), lambdaFor: lambdaClient };
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `lambda-inventory-e2e-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface InventoryRun {
  config: InventoryConfig;
  store: ObjectStore;
  bucket?: string;
  input?: RunInput;
  executionName?: string;
  extra?: Partial<LocalRunOptions>;
}

/** One run of the real definition in the local engine, with the product's clients. */
export function runInventory(run: InventoryRun): Promise<LocalRunResult> {
  return runWorkflow({
    config: run.config,
    store: run.store,
    bucket: run.bucket ?? BUCKET,
    input: { regions: FLEET_REGIONS, ...run.input },
    executionName: run.executionName,
    clients: productClients(),
    ...run.extra,
  });
}

export function succeeded(result: LocalRunResult) {
  if (result.status !== 'SUCCEEDED') {
    throw new Error(`the run failed: ${result.error}: ${result.cause}`);
  }
  return result.output;
}

export interface InventoryDocument {
  schemaVersion: number;
  runId: string;
  functions: FunctionRecord[];
  coverage: CoverageEntry[];
  summary: Summary;
}

export interface Report {
  inventory: InventoryDocument;
  /** inventory.csv as objects keyed by its header */
  inventoryCsv: Record<string, string>[];
  summary: Summary;
  /** coverage.csv as objects keyed by its header */
  coverageCsv: Record<string, string>[];
}

export async function readReport(store: ObjectStore, reportKeys: ReportKeys): Promise<Report> {
  return {
    inventory: (await getJson(store, reportKeys.inventoryJson)) as InventoryDocument,
    inventoryCsv: csvObjects(await getText(store, reportKeys.inventoryCsv)),
    summary: Summary.parse(await getJson(store, reportKeys.summaryJson)),
    coverageCsv: csvObjects(await getText(store, reportKeys.coverageCsv)),
  };
}

export async function readLatest(store: ObjectStore): Promise<LatestPointer> {
  return LatestPointer.parse(await getJson(store, 'reports/latest.json'));
}

/** A CSV file as objects keyed by its header, read with the CLI's own RFC 4180 reader. */
export function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = csvRecords(text);
  if (!header) throw new Error('empty CSV');
  return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
}

/** What identifies a function in the comparison with the ground truth. */
export interface FunctionIdentity {
  accountId: string;
  region: string;
  functionArn: string;
  runtime: string | null;
  memorySize: number | null;
}

const identityLine = (fn: FunctionIdentity) =>
  `${fn.accountId} ${fn.region} ${fn.functionArn} ${fn.runtime ?? '(image)'} ${fn.memorySize}`;

/** Sorted identity lines of the functions a complete inventory of `accounts` x `regions` holds. */
export function expectedFunctions(
  fleet: Fleet,
  scope: { accounts?: readonly string[]; regions?: readonly string[] } = {},
): string[] {
  return fleet
    .reachableFunctions()
    .filter((fn) => (scope.accounts ?? [fn.accountId]).includes(fn.accountId))
    .filter((fn) => (scope.regions ?? FLEET_REGIONS).includes(fn.region))
    .map((fn) =>
      identityLine({
        accountId: fn.accountId,
        region: fn.region,
        functionArn: fn.configuration.FunctionArn,
        runtime: fn.configuration.Runtime ?? null,
        memorySize: fn.configuration.MemorySize,
      }),
    )
    .sort();
}

export function reportedFunctions(records: readonly FunctionIdentity[]): string[] {
  return records.map(identityLine).sort();
}

/** inventory.csv rows in the same form: an empty runtime cell is a container image. */
export function csvFunctions(rows: readonly Record<string, string>[]): string[] {
  return reportedFunctions(
    rows.map((row) => ({
      accountId: row.accountId ?? '',
      region: row.region ?? '',
      functionArn: row.functionArn ?? '',
      runtime: row.runtime ? row.runtime : null,
      memorySize: row.memorySize ? Number(row.memorySize) : null,
    })),
  );
}

/** Functions per key, as summary.json counts them. */
export function countBy(lines: readonly string[], field: 'account' | 'region'): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of lines) {
    const [accountId, region] = line.split(' ') as [string, string];
    const key = field === 'account' ? accountId : region;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

export interface ExpectedCoverage {
  accountId: string;
  region: string | null;
  status: CoverageStatus;
}

const coverageLine = (entry: ExpectedCoverage) => `${entry.accountId} ${entry.region ?? '-'} ${entry.status}`;

/**
 * The coverage a run over the organization (or these accounts) must report: each ACTIVE account in
 * every region with the outcome the simulator gives it, each other account skipped as a whole.
 */
export function expectedCoverage(
  fleet: Fleet,
  accounts: readonly string[] = fleet.accounts.map((a) => a.id),
): string[] {
  return accounts
    .flatMap((id): ExpectedCoverage[] => {
      const account = fleet.account(id);
      if (account?.state !== 'ACTIVE') return [{ accountId: id, region: null, status: 'account-skipped' }];
      return FLEET_REGIONS.map((region) => ({
        accountId: id,
        region,
        status: fleet.targetOutcome(id, region),
      }));
    })
    .map(coverageLine)
    .sort();
}

export function reportedCoverage(entries: readonly ExpectedCoverage[]): string[] {
  return entries.map(coverageLine).sort();
}

export const functionCountIn = (fleet: Fleet, accountId: string, region: string): number =>
  fleet.account(accountId)?.functions[region]?.length ?? 0;

/** Pages ListFunctions serves for `count` functions: an empty region still takes one call. */
export const pagesFor = (count: number): number => Math.max(1, Math.ceil(count / PAGE_SIZE));

/** Every file under `root`, as text (gzip files decompressed), keyed by path relative to it. */
export async function readTree(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path);
    const text = entry.name.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    files.set(path.slice(root.length + 1), text);
  }
  return files;
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * `main(argv)` with captured output. The CLI points process.env at the simulator it starts: every
 * variable is put back afterwards.
 */
export async function runCli(argv: readonly string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const restore = setEnv(QUIET_SDK);
  try {
    const exitCode = await main(argv, { stdout: sink(out), stderr: sink(err) });
    return { exitCode, stdout: out.join(''), stderr: err.join('') };
  } finally {
    restore();
  }
}

export function captureIo(): { io: Io; stdout(): string; stderr(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: sink(out), stderr: sink(err) },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

function sink(chunks: string[]): Io['stdout'] {
  const stream = {
    isTTY: false,
    write(chunk: string | Uint8Array) {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    },
  };
  return stream as unknown as Io['stdout'];
}

/** The lines the CLI wrote to stderr, without its notice of where the simulated fleet listens. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '' && !line.startsWith('simulated fleet at '));
}
