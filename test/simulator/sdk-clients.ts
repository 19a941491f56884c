/**
 * Real AWS SDK v3 clients pointed at a running simulator, with fake credentials: nothing in these
 * tests can reach AWS.
 */
import { type FunctionConfiguration, LambdaClient, paginateListFunctions } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { Simulator } from '../../simulator/index.ts';

export const CENTRAL_CREDENTIALS: AwsCredentialIdentity = {
  accessKeyId: 'AKIATESTCENTRALUSER1',
  secretAccessKey: 'test-secret-access-key',
};

export interface ClientOptions {
  maxAttempts?: number;
  credentials?: AwsCredentialIdentity;
}

export function stsClient(sim: Simulator, region = 'us-east-1', options: ClientOptions = {}): STSClient {
  return new STSClient({
    endpoint: sim.endpoint,
    region,
    credentials: options.credentials ?? CENTRAL_CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 3,
  });
}

export function lambdaClient(
  sim: Simulator,
  region: string,
  credentials: AwsCredentialIdentity,
  options: ClientOptions = {},
): LambdaClient {
  return new LambdaClient({
    endpoint: sim.endpoint,
    region,
    credentials,
    maxAttempts: options.maxAttempts ?? 3,
  });
}

export function organizationsClient(sim: Simulator, options: ClientOptions = {}): OrganizationsClient {
  return new OrganizationsClient({
    endpoint: sim.endpoint,
    region: 'us-east-1',
    credentials: options.credentials ?? CENTRAL_CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 3,
  });
}

export async function assumeMemberRole(
  sim: Simulator,
  accountId: string,
  options: ClientOptions & { roleName?: string; sessionName?: string } = {},
): Promise<AwsCredentialIdentity> {
  const sts = stsClient(sim, 'us-east-1', options);
  const { Credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${accountId}:role/${options.roleName ?? sim.fleet.memberRoleName}`,
      RoleSessionName: options.sessionName ?? 'simulator-test',
    }),
  );
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken) {
    throw new Error('AssumeRole returned no credentials');
  }
  return {
    accessKeyId: Credentials.AccessKeyId,
    secretAccessKey: Credentials.SecretAccessKey,
    sessionToken: Credentials.SessionToken,
    ...(Credentials.Expiration ? { expiration: Credentials.Expiration } : {}),
  };
}

/** Every page of ListFunctions through the SDK paginator. */
export async function listAllPages(client: LambdaClient): Promise<FunctionConfiguration[][]> {
  const pages: FunctionConfiguration[][] = [];
  for await (const page of paginateListFunctions({ client }, {})) pages.push(page.Functions ?? []);
  return pages;
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** A region of the simulator's fleet with more than `functions` functions (several ListFunctions pages). */
export function heavyRegion(sim: Simulator, functions = 100) {
  const heavy = sim.fleet.accounts
    .flatMap((account) =>
      Object.entries(account.functions).map(([region, list]) => ({ account, region, list })),
    )
    .find(({ list }) => list.length > functions);
  if (!heavy) throw new Error(`the fleet has no region of more than ${functions} functions`);
  return heavy;
}
