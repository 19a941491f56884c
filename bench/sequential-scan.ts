/**
 * The simple way of working, for the speedup figure: one account after another, AssumeRole, then
 * each region page by page, with the same SDK clients against the same simulator and fleet.
 *
 * At 100 ms per call the whole goals fleet takes over six minutes this way, so the loop lists every
 * account, then scans the first `sampleAccounts` ACTIVE ones and extrapolates: a sequential loop's
 * time is the sum of its calls' times, so it grows linearly with the accounts scanned.
 */
import { type LambdaClient, paginateListFunctions } from '@aws-sdk/client-lambda';
import { type OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';

export interface SequentialDeps {
  sts: STSClient;
  organizations: OrganizationsClient;
  lambdaFor(region: string, credentials: AwsCredentialIdentity): LambdaClient;
  memberRoleName: string;
  regions: readonly string[];
}

export interface SequentialResult {
  activeAccounts: number;
  sampledAccounts: number;
  /** seconds to list the organization */
  listSeconds: number;
  /** seconds to scan the sampled accounts */
  sampleSeconds: number;
  functionsFound: number;
  /** listSeconds + sampleSeconds / sampledAccounts x activeAccounts */
  extrapolatedSeconds: number;
}

export async function sequentialScan(
  deps: SequentialDeps,
  sampleAccounts: number,
): Promise<SequentialResult> {
  const listStart = performance.now();
  const active: string[] = [];
  for await (const page of paginateListAccounts({ client: deps.organizations }, {})) {
    for (const account of page.Accounts ?? [])
      if (account.State === 'ACTIVE' && account.Id) active.push(account.Id);
  }
  const listSeconds = (performance.now() - listStart) / 1_000;

  const sample = active.slice(0, Math.min(sampleAccounts, active.length));
  let functionsFound = 0;
  const sampleStart = performance.now();
  for (const accountId of sample) {
    const assumed = await deps.sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${accountId}:role/${deps.memberRoleName}`,
        RoleSessionName: 'lambda-inventory-sequential-bench',
      }),
    );
    const c = assumed.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey)
      throw new Error(`AssumeRole into ${accountId} gave no credentials`);
    const credentials = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    };
    for (const region of deps.regions) {
      const client = deps.lambdaFor(region, credentials);
      try {
        for await (const page of paginateListFunctions({ client }, {}))
          functionsFound += page.Functions?.length ?? 0;
      } finally {
        client.destroy();
      }
    }
  }
  const sampleSeconds = (performance.now() - sampleStart) / 1_000;
  const extrapolatedSeconds =
    sample.length === 0 ? listSeconds : listSeconds + (sampleSeconds / sample.length) * active.length;
  return {
    activeAccounts: active.length,
    sampledAccounts: sample.length,
    listSeconds,
    sampleSeconds,
    functionsFound,
    extrapolatedSeconds,
  };
}
