/**
 * Member-account credentials: one AssumeRole per account (every call counts against the central
 * account's STS quota), shared by all of that account's regions and cached across warm invocations.
 *
 * AssumeRoleCommand is sent on the injected STS client rather than through fromTemporaryCredentials,
 * whose internal client would bypass the project's client settings (and test doubles).
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';

/** A Lambda role assuming a role is role chaining: AWS caps that session at one hour. */
export const SESSION_DURATION_SECONDS = 3600;
/** Credentials this close to expiry are replaced, so a scan never starts with a session about to end. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

const SESSION_NAME_PREFIX = 'lambda-inventory-';
const SESSION_NAME_MAX_LENGTH = 64;

export class IncompleteCredentialsError extends Error {
  override name = 'IncompleteCredentialsError';
}

export function memberRoleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The partition of a region, for role ARNs: the worker runs in the partition it scans. */
export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The session name identifies the run in the member accounts' CloudTrail: `[\w+=,.@-]`, 2-64 characters. */
export function sessionNameFor(runId: string): string {
  return `${SESSION_NAME_PREFIX}${runId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, SESSION_NAME_MAX_LENGTH);
}

export interface SessionCredentials extends AwsCredentialIdentity {
  expiration: Date;
}

export async function assumeMemberRole(
  sts: STSClient,
  roleArn: string,
  roleSessionName: string,
): Promise<SessionCredentials> {
  const { Credentials: credentials } = await sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: roleSessionName,
      DurationSeconds: SESSION_DURATION_SECONDS,
    }),
  );
  if (
    !credentials?.AccessKeyId ||
    !credentials.SecretAccessKey ||
    !credentials.SessionToken ||
    !credentials.Expiration
  ) {
    throw new IncompleteCredentialsError(`AssumeRole on ${roleArn} returned incomplete credentials`);
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    expiration: credentials.Expiration,
  };
}

/**
 * Credentials by role ARN and run, kept until REFRESH_MARGIN_MS before they expire. Lives as long as
 * the handler instance, so warm invocations of the same run skip AssumeRole; concurrent requests for
 * the same role share one AssumeRole call. A failed call is not kept: the next batch tries again.
 */
export class CredentialCache {
  private readonly entries = new Map<string, { pending: Promise<SessionCredentials>; expiration?: Date }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(
    roleArn: string,
    runId: string,
    assume: () => Promise<SessionCredentials>,
  ): Promise<SessionCredentials> {
    this.evictExpiring();
    const key = `${roleArn}|${runId}`;
    const cached = this.entries.get(key);
    if (cached) return cached.pending;
    const entry: { pending: Promise<SessionCredentials>; expiration?: Date } = {
      pending: assume().then(
        (credentials) => {
          entry.expiration = credentials.expiration;
          return credentials;
        },
        (error: unknown) => {
          if (this.entries.get(key) === entry) this.entries.delete(key);
          throw error;
        },
      ),
    };
    this.entries.set(key, entry);
    return entry.pending;
  }

  private evictExpiring(): void {
    const cutoff = this.now() + REFRESH_MARGIN_MS;
    for (const [key, { expiration }] of this.entries) {
      if (expiration && expiration.getTime() <= cutoff) this.entries.delete(key);
    }
  }
}
