/**
 * A small fleet behind aws-sdk-client-mock for the worker tests: STS hands out credentials whose key
 * id names the account, and ListFunctions serves each account and region its own functions in pages.
 */
import { type FunctionConfiguration, type LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsClientStub } from 'aws-sdk-client-mock';

/** Secret values every fake function carries: none of them may show up in a partial, an output or a log. */
export const SECRET_VALUES = ['hunter2-db-password', 'sk_live_51HSECRET', 'AKIAVALUEINENV000001'];

export function functionConfig(
  name: string,
  overrides: Partial<FunctionConfiguration> = {},
): FunctionConfiguration {
  return {
    FunctionName: name,
    FunctionArn: `arn:aws:lambda:us-east-1:111111111111:function:${name}`,
    Runtime: 'nodejs20.x',
    PackageType: 'Zip',
    Architectures: ['arm64'],
    MemorySize: 256,
    Timeout: 30,
    EphemeralStorage: { Size: 512 },
    CodeSize: 1234,
    Handler: 'index.handler',
    LastModified: '2026-10-01T10:00:00.000+0000',
    Role: 'arn:aws:iam::111111111111:role/app',
    Version: '$LATEST',
    TracingConfig: { Mode: 'PassThrough' },
    Environment: {
      Variables: {
        DB_PASSWORD: SECRET_VALUES[0] as string,
        STRIPE_KEY: SECRET_VALUES[1] as string,
        AWS_KEY: SECRET_VALUES[2] as string,
      },
    },
    ...overrides,
  };
}

/**
 * What ListFunctions does for one account and region. Functions are served with the ARN of the
 * account and region asked for, as AWS serves them, unless `keepArns` (a mixed-up response).
 */
export type RegionBehaviour =
  | {
      functions: FunctionConfiguration[];
      failOnPage?: { page: number; error: Error };
      /** The first `count` requests of the target are answered with this error (a throttle, say). */
      failFirst?: { count: number; error: Error };
      keepArns?: boolean;
    }
  | { error: Error };

export const targetKey = (accountId: string, region: string) => `${accountId}/${region}`;

export function accountOfRoleArn(roleArn: string): string {
  return roleArn.split(':')[4] ?? '';
}

export interface StsOptions {
  /** Accounts whose role AssumeRole refuses with this error. */
  failures?: Record<string, Error>;
  /** How long the handed-out credentials live. */
  lifetimeMs?: number;
  /** The first `count` AssumeRole calls (of any account) are answered with this error. */
  failFirst?: { count: number; error: Error };
}

export function fakeSts(sts: AwsClientStub<STSClient>, options: StsOptions = {}): void {
  let issued = 0;
  let calls = 0;
  sts.on(AssumeRoleCommand).callsFake((input) => {
    calls += 1;
    if (options.failFirst && calls <= options.failFirst.count) throw options.failFirst.error;
    const accountId = accountOfRoleArn(input.RoleArn);
    const failure = options.failures?.[accountId];
    if (failure) throw failure;
    issued += 1;
    return {
      Credentials: {
        AccessKeyId: `ASIA${accountId}`,
        SecretAccessKey: `secret-${issued}`,
        SessionToken: `session-${accountId}-${issued}`,
        Expiration: new Date(Date.now() + (options.lifetimeMs ?? 3_600_000)),
      },
    };
  });
}

/**
 * Serves `fleet` (keyed by targetKey) in pages of `pageSize`, telling accounts apart by the access key
 * id fakeSts issued. A region missing from the fleet has no functions.
 */
export function fakeLambda(
  lambda: AwsClientStub<LambdaClient>,
  fleet: Record<string, RegionBehaviour>,
  pageSize = 2,
) {
  let inFlight = 0;
  const stats = { maxInFlight: 0 };
  const requestsByTarget = new Map<string, number>();
  lambda.on(ListFunctionsCommand).callsFake(async (input, getClient) => {
    // getClient answers the client of the latest call: ask before anything else runs
    const client = getClient();
    inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
    try {
      // let the other listings of the batch start, so concurrency can be observed
      await new Promise((resolve) => setImmediate(resolve));
      const region = await client.config.region();
      const { accessKeyId } = await client.config.credentials();
      const accountId = accessKeyId.replace(/^ASIA/, '');
      const key = targetKey(accountId, region);
      const behaviour = fleet[key] ?? { functions: [] };
      if ('error' in behaviour) throw behaviour.error;
      const requests = (requestsByTarget.get(key) ?? 0) + 1;
      requestsByTarget.set(key, requests);
      if (behaviour.failFirst && requests <= behaviour.failFirst.count) throw behaviour.failFirst.error;
      const page = Number(input.Marker ?? 0);
      if (behaviour.failOnPage?.page === page) throw behaviour.failOnPage.error;
      const start = page * pageSize;
      const next = start + pageSize < behaviour.functions.length ? String(page + 1) : undefined;
      const served = behaviour.functions.slice(start, start + pageSize);
      return {
        Functions: behaviour.keepArns
          ? served
          : served.map((fn) => ({
              ...fn,
              FunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${fn.FunctionName}`,
            })),
        NextMarker: next,
      };
    } finally {
      inFlight -= 1;
    }
  });
  return stats;
}

/**
 * Time for the pacing that passes only when the code sleeps: a sleep returns at once and moves the
 * clock on, so retry budgets of a minute run in milliseconds. Jitter is fixed at half the range.
 */
export function virtualClock(start = Date.UTC(2026, 10, 5, 3)) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    elapsed: () => now - start,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
  };
}
