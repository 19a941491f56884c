/**
 * The local Step Functions endpoint as its users meet it: the real SFNClient over HTTP, the fleet
 * simulator behind the engine's clients (the product's own, at the simulator's endpoint), and a
 * temporary folder store whose writes a test can make fail.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  DescribeMapRunCommand,
  type DescribeMapRunOutput,
  ListMapRunsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll } from 'vitest';
import { lambdaClient, organizationsClient, stsClient } from '../../functions/shared/clients.ts';
import { FolderObjectStore, getJson } from '../../functions/shared/object-store.ts';
import type { LocalClients } from '../../local/engine.ts';
import { type StepFunctionsServer, startStepFunctionsServer } from '../../local/serve/index.ts';
import { type InventoryConfig, parseInventoryConfig } from '../../shared/config.ts';
import { ObjectStoreError } from '../../shared/errors.ts';
import { type FleetSpec, type Simulator, startSimulator } from '../../simulator/index.ts';

export const BUCKET = 'serve-inventory';
export const REGIONS = ['eu-west-1', 'us-east-1'];

/** Four member accounts (and the management account) in two regions, a few functions in each. */
export const FLEET_SPEC: FleetSpec = {
  seed: 'serve',
  regions: REGIONS,
  optInRegions: ['eu-south-1'],
  accounts: 4,
  functionsPerRegion: { min: 1, max: 8 },
  heavyRegions: { count: 0 },
};

/**
 * The four members, two regions each: 8 targets. A batch of 2 holds one account's two regions, so the
 * Map Run has 4 child executions, 2 at a time.
 */
export function serveConfig(fleet: Simulator['fleet']): InventoryConfig {
  const members = fleet.accounts.filter((account) => account.id !== fleet.centralAccountId).map((a) => a.id);
  return parseInventoryConfig({
    targets: { source: 'accounts', accounts: members },
    regions: REGIONS,
    map: { maxConcurrency: 2, batchSize: 2, toleratedFailurePercentage: 10 },
  });
}

const targetAccounts = (config: InventoryConfig) =>
  config.targets.source === 'accounts' ? config.targets.accounts.map((account) => account.id) : [];

/** The functions a complete run of `config` finds, from the simulator's ground truth. */
export function expectedFunctionCount(fleet: Simulator['fleet'], config: InventoryConfig): number {
  const accounts = new Set(targetAccounts(config));
  return fleet
    .reachableFunctions()
    .filter((fn) => accounts.has(fn.accountId) && config.regions.includes(fn.region)).length;
}

/**
 * The targets a complete run of `config` scans: the generated fleet has a member without the role and
 * a suspended one, whose targets are reported as access-denied.
 */
export function expectedScannedTargets(fleet: Simulator['fleet'], config: InventoryConfig): number {
  return targetAccounts(config).flatMap((accountId) =>
    config.regions.filter((region) => fleet.isReachable(accountId, region)),
  ).length;
}

/** A folder store whose next writes to matching keys fail as S3 failures do (ObjectStoreError). */
export class FlakyStore extends FolderObjectStore {
  private failing: { matches: (key: string) => boolean; remaining: number } | undefined;

  failNextWrites(matches: (key: string) => boolean, times: number): void {
    this.failing = { matches, remaining: times };
  }

  override async put(key: string, body: string | Uint8Array): Promise<void> {
    if (this.failing && this.failing.remaining > 0 && this.failing.matches(key)) {
      this.failing.remaining -= 1;
      throw new ObjectStoreError(`injected write failure for ${key}`);
    }
    await super.put(key, body);
  }
}

export interface Endpoint {
  sim: Simulator;
  config: InventoryConfig;
  store: FlakyStore;
  server: StepFunctionsServer;
  sfn: SFNClient;
  /** Closes the endpoint (waiting for its runs), the simulator, and removes the store. */
  stop(): Promise<void>;
}

/** The simulator's central account, through the product's client factory at the simulator's endpoint. */
function simulatorClients(sim: Simulator): LocalClients {
  const credentials = {
    accessKeyId: sim.env.AWS_ACCESS_KEY_ID as string,
    secretAccessKey: sim.env.AWS_SECRET_ACCESS_KEY as string,
  };
  const at = { endpoint: sim.endpoint };
  return {
    sts: stsClient('us-east-1', credentials, at),
    organizations: organizationsClient(credentials, at),
    lambdaFor: (region, member) => lambdaClient(region, member, at),
  };
}

export async function startEndpoint(): Promise<Endpoint> {
  const sim = await startSimulator({ spec: FLEET_SPEC });
  const dir = await mkdtemp(join(tmpdir(), 'lambda-inventory-serve-'));
  const store = new FlakyStore(dir);
  const config = serveConfig(sim.fleet);
  const server = await startStepFunctionsServer({
    config,
    store,
    bucket: BUCKET,
    clients: simulatorClients(sim),
    // the workflow's retry pauses (seconds, with jitter) only slow the tests down
    retryIntervalOverrides: { 'Scan batch': 0, Reduce: 0, 'Record failure': 0 },
  });
  const sfn = new SFNClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
  return {
    sim,
    config,
    store,
    server,
    sfn,
    stop: async () => {
      sfn.destroy();
      await server.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One endpoint for the tests of the enclosing describe block: started before them, stopped after them.
 * The returned function gives it to tests and to later hooks of the block.
 */
export function endpointForSuite(): () => Endpoint {
  let endpoint: Endpoint | undefined;
  beforeAll(async () => {
    endpoint = await startEndpoint();
  });
  afterAll(async () => {
    await endpoint?.stop();
  });
  return () => {
    if (endpoint === undefined)
      throw new Error('the endpoint starts in beforeAll: use it in a test or a hook');
    return endpoint;
  };
}

const POLL_MS = 50;

/** Polls DescribeExecution until `until` holds (by default: the execution has ended). */
export async function waitForExecution(
  sfn: SFNClient,
  executionArn: string,
  until: (execution: DescribeExecutionOutput) => boolean = (execution) => execution.status !== 'RUNNING',
  timeoutMs = 90_000,
): Promise<DescribeExecutionOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (until(execution)) return execution;
    if (Date.now() > deadline) {
      throw new Error(`execution ${executionArn} still ${execution.status} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The execution's Map Run, once it has one, as ListMapRuns then DescribeMapRun give it. */
export async function waitForMapRun(
  sfn: SFNClient,
  executionArn: string,
  until: (mapRun: DescribeMapRunOutput) => boolean = () => true,
  timeoutMs = 90_000,
): Promise<DescribeMapRunOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { mapRuns = [] } = await sfn.send(new ListMapRunsCommand({ executionArn }));
    const listed = mapRuns[0];
    if (listed) {
      const mapRun = await sfn.send(new DescribeMapRunCommand({ mapRunArn: listed.mapRunArn }));
      if (until(mapRun)) return mapRun;
    }
    if (Date.now() > deadline)
      throw new Error(`no matching Map Run for ${executionArn} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export async function readJson<T = unknown>(store: FolderObjectStore, key: string): Promise<T> {
  return (await getJson(store, key)) as T;
}
