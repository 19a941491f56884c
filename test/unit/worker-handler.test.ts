import { gunzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { LambdaClient, ListFunctionsCommand, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, RegionDisabledException, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ObjectStore, ObjectStoreError, S3ObjectStore } from '../../functions/shared/object-store.ts';
import {
  createWorkerHandler,
  INVOCATION_RESERVE_MS,
  workerDepsFromEnv,
} from '../../functions/worker/handler.ts';
import { MAX_THROTTLED_RETRY_MS, THROTTLE_BACKOFF_CAP_MS } from '../../functions/worker/pacing.ts';
import { type PartialLine, type Target, ValidationError, WorkerOutput } from '../../shared/contracts.ts';
import { ENV } from '../../shared/env.ts';
import { awsError, FAKE_CREDENTIALS, MemoryObjectStore, silentLogger } from './plan-worker-fakes.ts';
import {
  accountOfRoleArn,
  fakeLambda,
  fakeSts,
  functionConfig,
  type RegionBehaviour,
  SECRET_VALUES,
  type StsOptions,
  targetKey,
  virtualClock,
} from './worker-fakes.ts';

const RUN_ID = 'nightly-2026-11-05';
const SCAN_ID = '5ca1ab1e0123';
const BUCKET = 'inventory-bucket';
const A = '111111111111';
const B = '222222222222';

const sts = mockClient(STSClient);
const lambda = mockClient(LambdaClient);

beforeEach(() => {
  sts.reset();
  lambda.reset();
});

const throttle = (retryAfterSeconds?: string) =>
  new TooManyRequestsException({
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 429 },
    retryAfterSeconds,
    Reason: 'CallerRateLimitExceeded',
  });

function batch(targets: Target[], runId = RUN_ID) {
  return { Items: targets, BatchInput: { runId, scanId: SCAN_ID, bucket: BUCKET } };
}

const names = (count: number, prefix = 'fn') => Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);

interface SetUp {
  fleet?: Record<string, RegionBehaviour>;
  sts?: StsOptions;
  regionConcurrency?: number;
  store?: ObjectStore;
  logger?: Logger;
  clock?: ReturnType<typeof virtualClock>;
}

function setUp(options: SetUp = {}) {
  const clock = options.clock ?? virtualClock();
  fakeSts(sts, options.sts);
  const listing = fakeLambda(lambda, options.fleet ?? {});
  const store = new MemoryObjectStore();
  const clientsBuilt: { region: string; accessKeyId: string }[] = [];
  /** What happened to each Lambda client, in order: `send <key>/<region>` and `destroy <key>/<region>`. */
  const clientEvents: string[] = [];
  const scan = createWorkerHandler({
    storeFor: (bucket) => {
      expect(bucket).toBe(BUCKET);
      return options.store ?? store;
    },
    sts: new STSClient({ region: 'us-east-1', credentials: FAKE_CREDENTIALS }),
    lambdaFor: (region: string, credentials: AwsCredentialIdentity) => {
      clientsBuilt.push({ region, accessKeyId: credentials.accessKeyId });
      // one attempt: the SDK's throttling retries are the client's business, not these tests'
      const client = new LambdaClient({ region, credentials, maxAttempts: 1 });
      const id = `${credentials.accessKeyId}/${region}`;
      const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
      client.send = ((command: unknown) => {
        clientEvents.push(`send ${id}`);
        return send(command);
      }) as unknown as LambdaClient['send'];
      const destroy = client.destroy.bind(client);
      client.destroy = () => {
        clientEvents.push(`destroy ${id}`);
        destroy();
      };
      return client;
    },
    memberRoleName: 'CrossAccountListFunctionsRole',
    regionConcurrency: options.regionConcurrency ?? 8,
    logger: options.logger ?? silentLogger(),
    clock,
  });
  return { scan, store, clientsBuilt, clientEvents, listing, clock };
}

async function readPartial(
  store: MemoryObjectStore,
  key: string,
): Promise<{ text: string; lines: PartialLine[] }> {
  const text = gunzipSync(await store.get(key)).toString('utf8');
  return {
    text,
    lines: text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as PartialLine),
  };
}

function functionNamesOf(lines: PartialLine[], accountId: string, region: string): string[] {
  return lines.flatMap((line) =>
    line.kind === 'function' && line.function.accountId === accountId && line.function.region === region
      ? [line.function.functionName]
      : [],
  );
}

function targetLinesOf(lines: PartialLine[]) {
  return lines.flatMap((line) => (line.kind === 'target' ? [line.target] : []));
}

describe('worker handler: listing', () => {
  it('lists every page of ListFunctions and writes exactly those functions to one partial', async () => {
    const { scan, store } = setUp({
      fleet: { [targetKey(A, 'us-east-1')]: { functions: names(5).map((name) => functionConfig(name)) } },
    });

    const output = await scan(batch([{ accountId: A, accountName: 'prod', region: 'us-east-1' }]));

    expect(WorkerOutput.parse(output)).toEqual(output);
    expect(output.partialKey).toMatch(
      /^runs\/nightly-2026-11-05\/partials\/5ca1ab1e0123\/111111111111-us-east-1-[0-9a-f]{8}\.ndjson\.gz$/,
    );
    expect(await store.list('runs/')).toEqual([output.partialKey]);
    expect(output.results).toEqual([
      expect.objectContaining({
        accountId: A,
        accountName: 'prod',
        region: 'us-east-1',
        status: 'ok',
        functionCount: 5,
        pages: 3,
      }),
    ]);
    const { lines } = await readPartial(store, output.partialKey);
    expect(functionNamesOf(lines, A, 'us-east-1')).toEqual(['fn-1', 'fn-2', 'fn-3', 'fn-4', 'fn-5']);
    expect(targetLinesOf(lines)).toEqual(output.results);
    const requests = lambda.commandCalls(ListFunctionsCommand).map((call) => call.args[0].input);
    expect(requests).toEqual([
      { MaxItems: 50, Marker: undefined },
      { MaxItems: 50, Marker: '1' },
      { MaxItems: 50, Marker: '2' },
    ]);
  });

  it('records a region with no functions as scanned with a count of zero', async () => {
    const { scan, store } = setUp();

    const output = await scan(batch([{ accountId: A, region: 'eu-north-1' }]));

    expect(output.results[0]).toMatchObject({ status: 'ok', functionCount: 0, pages: 1 });
    const { lines } = await readPartial(store, output.partialKey);
    expect(lines.map((line) => line.kind)).toEqual(['target']);
  });

  it('returns statuses only, in batch order, never function data', async () => {
    const { scan } = setUp({
      fleet: {
        [targetKey(A, 'eu-west-1')]: { functions: [functionConfig('a')] },
        [targetKey(B, 'us-east-1')]: { functions: [functionConfig('b')] },
      },
    });

    const output = await scan(
      batch([
        { accountId: A, region: 'eu-west-1' },
        { accountId: A, region: 'us-east-1' },
        { accountId: B, region: 'us-east-1' },
      ]),
    );

    expect(output.results.map((result) => `${result.accountId}/${result.region}`)).toEqual([
      `${A}/eu-west-1`,
      `${A}/us-east-1`,
      `${B}/us-east-1`,
    ]);
    expect(JSON.stringify(output)).not.toContain('functionName');
  });

  it('lists no more regions at once than regionConcurrency allows', async () => {
    const regions = ['eu-west-1', 'eu-west-2', 'eu-west-3', 'us-east-1', 'us-east-2'];
    const { scan, listing } = setUp({ regionConcurrency: 2 });

    const output = await scan(batch(regions.map((region) => ({ accountId: A, region }))));

    expect(output.results.every((result) => result.status === 'ok')).toBe(true);
    expect(listing.maxInFlight).toBe(2);
  });
});

describe('worker handler: one AssumeRole per account', () => {
  it('assumes each account role once for all of its regions in the batch', async () => {
    const regions = ['ap-south-1', 'eu-west-1', 'eu-west-2', 'us-east-1', 'us-west-2'];
    const { scan, clientsBuilt } = setUp();

    const output = await scan(
      batch([...regions.map((region) => ({ accountId: A, region })), { accountId: B, region: 'us-east-1' }]),
    );

    const assumes = sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input);
    expect(assumes).toEqual([
      {
        RoleArn: `arn:aws:iam::${A}:role/CrossAccountListFunctionsRole`,
        RoleSessionName: `lambda-inventory-${RUN_ID}`,
        DurationSeconds: 3600,
      },
      {
        RoleArn: `arn:aws:iam::${B}:role/CrossAccountListFunctionsRole`,
        RoleSessionName: `lambda-inventory-${RUN_ID}`,
        DurationSeconds: 3600,
      },
    ]);
    // every region of an account is listed with that account's credentials
    expect(
      clientsBuilt
        .filter((client) => client.accessKeyId === `ASIA${A}`)
        .map((client) => client.region)
        .sort(),
    ).toEqual(regions);
    expect(
      clientsBuilt.filter((client) => client.accessKeyId === `ASIA${B}`).map((client) => client.region),
    ).toEqual(['us-east-1']);
    expect(output.results).toHaveLength(6);
  });

  it('keeps the session name within 64 characters for a 48-character run id', async () => {
    const runId = `r${'0123456789'.repeat(4)}abcdefg`;
    const { scan } = setUp();

    await scan(batch([{ accountId: A, region: 'us-east-1' }], runId));

    const sessionName = sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleSessionName ?? '';
    expect(runId).toHaveLength(48);
    expect(sessionName).toMatch(/^lambda-inventory-r0123456789/);
    expect(sessionName).toMatch(/^[\w+=,.@-]{2,64}$/);
  });

  it('reuses the credentials on the next invocation of the same run', async () => {
    const { scan } = setUp();

    await scan(batch([{ accountId: A, region: 'us-east-1' }]));
    await scan(batch([{ accountId: A, region: 'eu-west-1' }]));

    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('assumes the role again when the cached credentials are within five minutes of expiry', async () => {
    const { scan, clientsBuilt } = setUp({ sts: { lifetimeMs: 4 * 60_000 } });

    await scan(batch([{ accountId: A, region: 'us-east-1' }]));
    await scan(batch([{ accountId: A, region: 'eu-west-1' }]));

    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(clientsBuilt).toHaveLength(2);
  });

  it('assumes the role again for another run, so the session names that run', async () => {
    const { scan } = setUp();

    await scan(batch([{ accountId: A, region: 'us-east-1' }], 'run-1'));
    await scan(batch([{ accountId: A, region: 'us-east-1' }], 'run-2'));

    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleSessionName)).toEqual([
      'lambda-inventory-run-1',
      'lambda-inventory-run-2',
    ]);
  });
});

describe('worker handler: Lambda clients', () => {
  it("destroys each target's client once, after its last call, whether its listing failed or not", async () => {
    const { scan, clientEvents } = setUp({
      fleet: {
        [targetKey(A, 'us-east-1')]: { functions: names(5).map((name) => functionConfig(name)) },
        [targetKey(A, 'eu-west-1')]: {
          functions: names(5).map((name) => functionConfig(name)),
          failOnPage: { page: 1, error: awsError('ServiceException', 'internal error') },
        },
        [targetKey(A, 'af-south-1')]: {
          error: awsError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          ),
        },
      },
    });

    const output = await scan(
      batch([
        { accountId: A, region: 'af-south-1' },
        { accountId: A, region: 'eu-west-1' },
        { accountId: A, region: 'us-east-1' },
      ]),
    );

    expect(output.results.map((result) => result.status)).toEqual(['region-not-enabled', 'error', 'ok']);
    for (const region of ['af-south-1', 'eu-west-1', 'us-east-1']) {
      const events = clientEvents.filter((event) => event.endsWith(` ASIA${A}/${region}`));
      expect(events.filter((event) => event.startsWith('destroy '))).toHaveLength(1);
      expect(events.at(-1)).toBe(`destroy ASIA${A}/${region}`);
    }
    // us-east-1 took 3 pages of 2, eu-west-1 failed on its second page
    expect(clientEvents.filter((event) => event.startsWith('send '))).toHaveLength(1 + 2 + 3);
  });
});

describe('worker handler: expected failures are statuses', () => {
  it('records access-denied for every target of an account whose role cannot be assumed', async () => {
    const { scan, store, clientsBuilt } = setUp({
      sts: {
        failures: {
          [A]: awsError('AccessDenied', `User is not authorized to perform: sts:AssumeRole on ${A}`),
        },
      },
      fleet: { [targetKey(B, 'us-east-1')]: { functions: [functionConfig('b')] } },
    });

    const output = await scan(
      batch([
        { accountId: A, region: 'eu-west-1' },
        { accountId: A, region: 'us-east-1' },
        { accountId: B, region: 'us-east-1' },
      ]),
    );

    expect(
      output.results.map(({ accountId, region, status, errorCode, functionCount }) => ({
        accountId,
        region,
        status,
        errorCode,
        functionCount,
      })),
    ).toEqual([
      {
        accountId: A,
        region: 'eu-west-1',
        status: 'access-denied',
        errorCode: 'AccessDenied',
        functionCount: 0,
      },
      {
        accountId: A,
        region: 'us-east-1',
        status: 'access-denied',
        errorCode: 'AccessDenied',
        functionCount: 0,
      },
      { accountId: B, region: 'us-east-1', status: 'ok', errorCode: undefined, functionCount: 1 },
    ]);
    expect(output.results[0]?.message).toContain('sts:AssumeRole');
    expect(
      sts
        .commandCalls(AssumeRoleCommand)
        .filter((call) => accountOfRoleArn(call.args[0].input.RoleArn ?? '') === A),
    ).toHaveLength(1);
    expect(clientsBuilt.map((client) => client.accessKeyId)).toEqual([`ASIA${B}`]);
    const { lines } = await readPartial(store, output.partialKey);
    expect(targetLinesOf(lines)).toEqual(output.results);
  });

  it('records an error, not region-not-enabled, when STS is not activated in its own region', async () => {
    const { scan } = setUp({
      sts: {
        failures: {
          [A]: new RegionDisabledException({ message: 'STS is not activated in this region', $metadata: {} }),
        },
      },
    });

    const output = await scan(batch([{ accountId: A, region: 'me-south-1' }]));

    expect(output.results[0]).toMatchObject({
      status: 'error',
      errorCode: 'RegionDisabledException',
      message: 'STS is not activated in this region',
    });
  });

  it('records region-not-enabled for a region the account has not opted into', async () => {
    const { scan } = setUp({
      fleet: {
        [targetKey(A, 'us-east-1')]: { functions: [functionConfig('kept')] },
        [targetKey(A, 'af-south-1')]: {
          error: awsError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          ),
        },
      },
    });

    const output = await scan(
      batch([
        { accountId: A, region: 'af-south-1' },
        { accountId: A, region: 'us-east-1' },
      ]),
    );

    expect(output.results).toEqual([
      expect.objectContaining({
        region: 'af-south-1',
        status: 'region-not-enabled',
        errorCode: 'UnrecognizedClientException',
        functionCount: 0,
      }),
      expect.objectContaining({ region: 'us-east-1', status: 'ok', functionCount: 1 }),
    ]);
  });

  it('records an error when a default region rejects the token: those regions are always enabled', async () => {
    const { scan } = setUp({
      fleet: {
        [targetKey(A, 'eu-west-1')]: {
          error: awsError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          ),
        },
      },
    });

    const output = await scan(batch([{ accountId: A, region: 'eu-west-1' }]));

    expect(output.results[0]).toMatchObject({
      status: 'error',
      errorCode: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });

  it('records access-denied when the member role may not list functions', async () => {
    const { scan } = setUp({
      fleet: {
        [targetKey(A, 'us-east-1')]: {
          error: awsError('AccessDeniedException', 'not authorized to perform: lambda:ListFunctions'),
        },
      },
    });

    const output = await scan(batch([{ accountId: A, region: 'us-east-1' }]));

    expect(output.results[0]).toMatchObject({ status: 'access-denied', errorCode: 'AccessDeniedException' });
  });

  it('records throttled when ListFunctions stays throttled for the whole retry budget', async () => {
    const { scan, clock } = setUp({
      fleet: { [targetKey(A, 'us-east-1')]: { error: throttle() } },
    });

    const output = await scan(batch([{ accountId: A, region: 'us-east-1' }]));

    expect(output.results[0]).toMatchObject({
      status: 'throttled',
      errorCode: 'TooManyRequestsException',
      message: 'Rate exceeded',
      functionCount: 0,
    });
    // it was retried (paced, with backoff) for most of the budget before giving up
    expect(lambda.commandCalls(ListFunctionsCommand).length).toBeGreaterThan(5);
    expect(clock.elapsed()).toBeGreaterThan(MAX_THROTTLED_RETRY_MS - THROTTLE_BACKOFF_CAP_MS - 1000);
    expect(clock.elapsed()).toBeLessThanOrEqual(MAX_THROTTLED_RETRY_MS);
  });

  it('retries throttled pages after their Retry-After and loses no function', async () => {
    const { scan, store, clock } = setUp({
      fleet: {
        [targetKey(A, 'us-east-1')]: {
          functions: names(5).map((name) => functionConfig(name)),
          failFirst: { count: 4, error: throttle('1') },
        },
      },
    });

    const output = await scan(batch([{ accountId: A, region: 'us-east-1' }]));

    expect(output.results[0]).toMatchObject({ status: 'ok', functionCount: 5, pages: 3 });
    const { lines } = await readPartial(store, output.partialKey);
    expect(functionNamesOf(lines, A, 'us-east-1')).toEqual(names(5));
    // three pages, each asked for once more per throttle, never skipped
    expect(lambda.commandCalls(ListFunctionsCommand).map((call) => call.args[0].input.Marker)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      '1',
      '2',
    ]);
    expect(clock.sleeps.filter((ms) => ms >= 1000)).toHaveLength(4);
  });

  it('retries a throttled AssumeRole and still assumes each account once', async () => {
    const { scan } = setUp({
      sts: { failFirst: { count: 3, error: awsError('Throttling', 'Rate exceeded') } },
    });

    const output = await scan(
      batch([
        { accountId: A, region: 'us-east-1' },
        { accountId: A, region: 'eu-west-1' },
      ]),
    );

    expect(output.results.map((result) => result.status)).toEqual(['ok', 'ok']);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(4);
  });

  it('stops retrying throttles in time to write the partial before the invocation ends', async () => {
    const { scan, store, clock } = setUp({
      fleet: { [targetKey(A, 'us-east-1')]: { error: throttle('1') } },
    });
    const remainingAtStart = INVOCATION_RESERVE_MS + 20_000;

    const output = await scan(batch([{ accountId: A, region: 'us-east-1' }]), {
      getRemainingTimeInMillis: () => remainingAtStart,
    });

    expect(output.results[0]).toMatchObject({ status: 'throttled' });
    expect(clock.elapsed()).toBeLessThanOrEqual(20_000);
    expect(await store.list('runs/')).toEqual([output.partialKey]);
  });

  it('keeps none of the functions of a target that fails part-way through its pages', async () => {
    const { scan, store } = setUp({
      fleet: {
        [targetKey(A, 'us-east-1')]: {
          functions: names(6).map((name) => functionConfig(name)),
          failOnPage: { page: 2, error: awsError('ServiceException', 'internal error') },
        },
        [targetKey(A, 'eu-west-1')]: { functions: [functionConfig('survivor')] },
      },
    });

    const output = await scan(
      batch([
        { accountId: A, region: 'eu-west-1' },
        { accountId: A, region: 'us-east-1' },
      ]),
    );

    expect(output.results[1]).toMatchObject({
      region: 'us-east-1',
      status: 'error',
      errorCode: 'ServiceException',
      message: 'internal error',
      functionCount: 0,
      pages: 2,
    });
    const { lines } = await readPartial(store, output.partialKey);
    expect(functionNamesOf(lines, A, 'us-east-1')).toEqual([]);
    expect(functionNamesOf(lines, A, 'eu-west-1')).toEqual(['survivor']);
  });
});

describe('worker handler: functions filed under their own target only', () => {
  it("makes a target an error when ListFunctions answers another account's function, and keeps none of them", async () => {
    const foreign = 'arn:aws:lambda:us-east-1:222222222222:function:theirs';
    const { scan, store } = setUp({
      fleet: {
        [targetKey(A, 'us-east-1')]: {
          functions: [
            functionConfig('mine-1', { FunctionArn: `arn:aws:lambda:us-east-1:${A}:function:mine-1` }),
            functionConfig('theirs', { FunctionArn: foreign }),
            functionConfig('mine-2', { FunctionArn: `arn:aws:lambda:us-east-1:${A}:function:mine-2` }),
          ],
          keepArns: true,
        },
        [targetKey(A, 'eu-west-1')]: { functions: [functionConfig('fine')] },
      },
    });

    const output = await scan(
      batch([
        { accountId: A, region: 'eu-west-1' },
        { accountId: A, region: 'us-east-1' },
      ]),
    );

    expect(output.results[1]).toMatchObject({
      region: 'us-east-1',
      status: 'error',
      errorCode: 'TargetMismatchError',
      functionCount: 0,
    });
    expect(output.results[1]?.message).toContain(foreign);
    expect(output.results[1]?.message).toContain(`account ${A} in us-east-1`);
    const { lines } = await readPartial(store, output.partialKey);
    expect(functionNamesOf(lines, A, 'us-east-1')).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('theirs"');
    expect(output.results[0]).toMatchObject({ region: 'eu-west-1', status: 'ok', functionCount: 1 });
  });

  it("makes a target an error when ListFunctions answers another region's function", async () => {
    const { scan } = setUp({
      fleet: {
        [targetKey(A, 'eu-west-1')]: {
          functions: [
            functionConfig('elsewhere', { FunctionArn: `arn:aws:lambda:eu-west-2:${A}:function:x` }),
          ],
          keepArns: true,
        },
      },
    });

    const output = await scan(batch([{ accountId: A, region: 'eu-west-1' }]));

    expect(output.results[0]).toMatchObject({ status: 'error', errorCode: 'TargetMismatchError' });
    expect(output.results[0]?.message).toContain('region eu-west-2');
  });
});

describe('worker handler: secrets', () => {
  it('keeps environment variable values out of the partial, the output and the logs', async () => {
    const written: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    };
    // Powertools writes info to stdout, warnings to stderr
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const { scan, store } = setUp({
        logger: new Logger({ serviceName: 'worker-test', logLevel: 'DEBUG' }),
        fleet: {
          [targetKey(A, 'us-east-1')]: { functions: names(3).map((name) => functionConfig(name)) },
          [targetKey(A, 'eu-west-1')]: {
            functions: names(3, 'partial').map((name) => functionConfig(name)),
            failOnPage: { page: 1, error: awsError('ServiceException', 'failed') },
          },
        },
      });

      const output = await scan(
        batch([
          { accountId: A, region: 'eu-west-1' },
          { accountId: A, region: 'us-east-1' },
        ]),
      );

      const { text, lines } = await readPartial(store, output.partialKey);
      const logs = written.join('');
      for (const secret of SECRET_VALUES) {
        expect(text).not.toContain(secret);
        expect(JSON.stringify(output)).not.toContain(secret);
        expect(logs).not.toContain(secret);
      }
      // the names are there, so the scan did see the variables
      expect(text).toContain('DB_PASSWORD');
      expect(functionNamesOf(lines, A, 'us-east-1')).toHaveLength(3);
      const targetLogs = logs
        .split('\n')
        .filter((line) => line.includes('"accountId"'))
        .map((line) => JSON.parse(line));
      expect(targetLogs).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ runId: RUN_ID, accountId: A, region: 'us-east-1', status: 'ok' }),
          expect.objectContaining({ runId: RUN_ID, accountId: A, region: 'eu-west-1', status: 'error' }),
        ]),
      );
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });
});

describe('worker handler: unexpected failures throw', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());

  it('throws ObjectStoreError when the partial cannot be written to S3', async () => {
    s3.on(PutObjectCommand).rejects(awsError('InternalError', 'We encountered an internal error'));
    const store = new S3ObjectStore(
      new S3Client({ region: 'us-east-1', credentials: FAKE_CREDENTIALS }),
      BUCKET,
    );
    const { scan } = setUp({ store });

    const scanning = scan(batch([{ accountId: A, region: 'us-east-1' }]));

    await expect(scanning).rejects.toThrow(ObjectStoreError);
    await expect(scanning).rejects.toThrow(
      /runs\/nightly-2026-11-05\/partials\/5ca1ab1e0123\/111111111111-us-east-1-/,
    );
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({ Bucket: BUCKET });
  });

  it.each([
    ['no items', { Items: [], BatchInput: { runId: RUN_ID, scanId: SCAN_ID, bucket: BUCKET } }, /Items: /],
    [
      'a bad account id',
      {
        Items: [{ accountId: '1', region: 'us-east-1' }],
        BatchInput: { runId: RUN_ID, scanId: SCAN_ID, bucket: BUCKET },
      },
      /Items\.0\.accountId/,
    ],
    [
      'a missing bucket',
      { Items: [{ accountId: A, region: 'us-east-1' }], BatchInput: { runId: RUN_ID, scanId: SCAN_ID } },
      /BatchInput\.bucket/,
    ],
    [
      'a missing scan id',
      { Items: [{ accountId: A, region: 'us-east-1' }], BatchInput: { runId: RUN_ID, bucket: BUCKET } },
      /BatchInput\.scanId/,
    ],
  ])('rejects a batch with %s, naming the field', async (_case, event, message) => {
    const { scan, store } = setUp();

    const scanning = scan(event);

    await expect(scanning).rejects.toThrow(ValidationError);
    await expect(scanning).rejects.toThrow(message);
    expect(store.objects.size).toBe(0);
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('workerDepsFromEnv', () => {
  it('reads the role name and concurrency, with defaults', () => {
    expect(
      workerDepsFromEnv({ [ENV.memberRoleName]: 'Scanner', [ENV.regionConcurrency]: '4' }),
    ).toMatchObject({
      memberRoleName: 'Scanner',
      regionConcurrency: 4,
      partition: 'aws',
    });
    expect(workerDepsFromEnv({ AWS_REGION: 'cn-north-1' })).toMatchObject({
      memberRoleName: 'CrossAccountListFunctionsRole',
      regionConcurrency: 8,
      partition: 'aws-cn',
    });
  });

  it.each([
    ['a role name IAM does not allow', { [ENV.memberRoleName]: 'bad role' }, /INVENTORY_MEMBER_ROLE_NAME: /],
    [
      'a concurrency that is not a positive integer',
      { [ENV.regionConcurrency]: '0' },
      /INVENTORY_REGION_CONCURRENCY must be a positive integer/,
    ],
  ])('names the variable for %s', (_case, env, message) => {
    expect(() => workerDepsFromEnv(env)).toThrow(message);
  });
});
