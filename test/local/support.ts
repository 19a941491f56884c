/**
 * Test doubles for the local engine tests: a folder store that can refuse writes, a small fleet
 * behind aws-sdk-client-mock (STS hands out credentials whose key id names the account; ListFunctions
 * serves two functions per account and region), and the engine's run options around them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaClient } from '../../functions/shared/clients.ts';
import { FolderObjectStore, getJson } from '../../functions/shared/object-store.ts';
import { type AslDefinition, type AslState, forEachState } from '../../local/asl.ts';
import type { LocalProgressEvent, LocalRunOptions } from '../../local/engine.ts';
import { type InventoryConfig, parseInventoryConfig } from '../../shared/config.ts';

export const BUCKET = 'local-inventory';
export const FUNCTIONS_PER_TARGET = 2;

/** Tests must never reach AWS: the clients get fake credentials and every call is mocked. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' };

/** A FolderObjectStore whose writes to chosen keys fail a number of times, counting every attempt. */
export class FaultyStore extends FolderObjectStore {
  readonly attempts = new Map<string, number>();
  private readonly faults: { matches: (key: string) => boolean; remaining: number }[] = [];

  failWrites(matches: (key: string) => boolean, times = Number.POSITIVE_INFINITY): void {
    this.faults.push({ matches, remaining: times });
  }

  override async put(key: string, body: string | Uint8Array): Promise<void> {
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
    const fault = this.faults.find((candidate) => candidate.remaining > 0 && candidate.matches(key));
    if (fault) {
      fault.remaining -= 1;
      throw new Error(`injected write failure for ${key}`);
    }
    await super.put(key, body);
  }
}

export async function withTempStore<T>(test: (store: FaultyStore) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'lambda-inventory-local-'));
  try {
    return await test(new FaultyStore(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const account = (n: number) => String(n).repeat(12);

export function configFor(
  accounts: string[],
  regions: string[],
  map: { maxConcurrency: number; batchSize: number; toleratedFailurePercentage: number },
): InventoryConfig {
  return parseInventoryConfig({ targets: { source: 'accounts', accounts }, regions, map });
}

/** Mocks STS, Lambda and Organizations for every client instance of this test file. */
export function fakeFleet() {
  const sts = mockClient(STSClient);
  const lambda = mockClient(LambdaClient);
  const organizations = mockClient(OrganizationsClient);
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
    Credentials: {
      AccessKeyId: `ASIA${input.RoleArn.split(':')[4]}`,
      SecretAccessKey: 'member-secret',
      SessionToken: 'member-session',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  }));
  lambda.on(ListFunctionsCommand).callsFake(async (_input, getClient) => {
    const client = getClient();
    const region = await client.config.region();
    const accountId = (await client.config.credentials()).accessKeyId.slice('ASIA'.length);
    return {
      Functions: Array.from({ length: FUNCTIONS_PER_TARGET }, (_, index) => {
        const name = `fn-${index + 1}`;
        return {
          FunctionName: name,
          FunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${name}`,
          Runtime: 'nodejs22.x',
          PackageType: 'Zip',
          Architectures: ['arm64'],
          MemorySize: 128,
          Timeout: 3,
          Handler: 'index.handler',
          LastModified: '2026-11-01T10:00:00.000+0000',
          Role: `arn:aws:iam::${accountId}:role/app`,
          Version: '$LATEST',
          Environment: { Variables: { SECRET: 'never-stored' } },
        };
      }),
    };
  });
  return { sts, lambda, organizations };
}

export function localClients(): LocalRunOptions['clients'] {
  return {
    sts: new STSClient({ region: 'us-east-1', credentials: FAKE_CREDENTIALS }),
    organizations: new OrganizationsClient({ region: 'us-east-1', credentials: FAKE_CREDENTIALS }),
    lambdaFor: lambdaClient,
  };
}

/** Run options for `store` and `config`, collecting the progress events. */
export function runOptions(
  store: FaultyStore,
  config: InventoryConfig,
  extra: Partial<LocalRunOptions> = {},
) {
  const events: LocalProgressEvent[] = [];
  const options: LocalRunOptions = {
    config,
    store,
    bucket: BUCKET,
    clients: localClients(),
    onProgress: (event) => events.push(event),
    // the worker retries ObjectStoreError after 5 s (with jitter): no pause in tests
    retryIntervalOverrides: { 'Scan batch': 0 },
    ...extra,
  };
  return { options, events };
}

export async function readJson<T = unknown>(store: FaultyStore, key: string): Promise<T> {
  return (await getJson(store, key)) as T;
}

/** The state of that name, wherever it is nested (state names are unique across a definition). */
export function stateNamed(definition: AslDefinition, name: string): AslState | undefined {
  let found: AslState | undefined;
  forEachState(definition, (stateName, state) => {
    if (stateName === name) found = state;
  });
  return found;
}
