import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  assumeMemberRole,
  CredentialCache,
  IncompleteCredentialsError,
  memberRoleArn,
  partitionOf,
  REFRESH_MARGIN_MS,
  type SessionCredentials,
  sessionNameFor,
} from '../../functions/worker/assume-role.ts';
import { FAKE_CREDENTIALS } from './plan-worker-fakes.ts';

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

describe('sessionNameFor', () => {
  it.each([
    ['a short run id', 'nightly-1', 'lambda-inventory-nightly-1'],
    ['a run id with dots and underscores', 'run_2026.11.05', 'lambda-inventory-run_2026.11.05'],
    ['characters STS does not allow', 'run id/with:odd*chars', 'lambda-inventory-run-id-with-odd-chars'],
    [
      'a 48-character run id (the longest RunId allows)',
      'a'.repeat(48),
      `lambda-inventory-${'a'.repeat(47)}`,
    ],
  ])('names the session for %s', (_case, runId, expected) => {
    const name = sessionNameFor(runId);

    expect(name).toBe(expected);
    expect(name).toMatch(SESSION_NAME);
  });
});

describe('memberRoleArn and partitionOf', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    [undefined, 'aws'],
  ])('puts %s in partition %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });

  it('builds the role ARN in the partition', () => {
    expect(memberRoleArn('aws-cn', '111111111111', 'Scanner')).toBe(
      'arn:aws-cn:iam::111111111111:role/Scanner',
    );
  });
});

describe('assumeMemberRole', () => {
  const sts = mockClient(STSClient);
  const client = new STSClient({ region: 'us-east-1', credentials: FAKE_CREDENTIALS });
  beforeEach(() => sts.reset());

  it('asks for a one-hour session under the given name and returns the credentials', async () => {
    const expiration = new Date('2026-11-05T04:00:00Z');
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 's', SessionToken: 't', Expiration: expiration },
    });

    const credentials = await assumeMemberRole(
      client,
      'arn:aws:iam::111111111111:role/R',
      'lambda-inventory-r1',
    );

    expect(credentials).toEqual({
      accessKeyId: 'ASIA1',
      secretAccessKey: 's',
      sessionToken: 't',
      expiration,
    });
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: 'arn:aws:iam::111111111111:role/R',
      RoleSessionName: 'lambda-inventory-r1',
      DurationSeconds: 3600,
    });
  });

  it('rejects an answer without a session token', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIA1',
        SecretAccessKey: 's',
        SessionToken: undefined,
        Expiration: new Date(),
      },
    } as never);

    await expect(assumeMemberRole(client, 'arn:aws:iam::111111111111:role/R', 'n1')).rejects.toThrow(
      IncompleteCredentialsError,
    );
  });
});

describe('CredentialCache', () => {
  const NOW = Date.parse('2026-11-05T03:00:00Z');
  const roleArn = 'arn:aws:iam::111111111111:role/R';
  let now = NOW;
  let issued = 0;
  const assume = async (): Promise<SessionCredentials> => {
    issued += 1;
    return {
      accessKeyId: `ASIA${issued}`,
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(NOW + 3_600_000),
    };
  };
  beforeEach(() => {
    now = NOW;
    issued = 0;
  });

  it('reuses credentials until five minutes before they expire, then assumes again', async () => {
    const cache = new CredentialCache(() => now);

    const first = await cache.get(roleArn, 'run-1', assume);
    now = NOW + 3_600_000 - REFRESH_MARGIN_MS - 1;
    const stillValid = await cache.get(roleArn, 'run-1', assume);
    now = NOW + 3_600_000 - REFRESH_MARGIN_MS;
    const refreshed = await cache.get(roleArn, 'run-1', assume);

    expect(first.accessKeyId).toBe('ASIA1');
    expect(stillValid.accessKeyId).toBe('ASIA1');
    expect(refreshed.accessKeyId).toBe('ASIA2');
  });

  it('shares one AssumeRole between concurrent requests for the same role and run', async () => {
    const cache = new CredentialCache(() => now);

    const [a, b, c] = await Promise.all([
      cache.get(roleArn, 'run-1', assume),
      cache.get(roleArn, 'run-1', assume),
      cache.get(roleArn, 'run-1', assume),
    ]);

    expect(issued).toBe(1);
    expect([a.accessKeyId, b.accessKeyId, c.accessKeyId]).toEqual(['ASIA1', 'ASIA1', 'ASIA1']);
  });

  it('keeps credentials apart by role and by run', async () => {
    const cache = new CredentialCache(() => now);

    await cache.get(roleArn, 'run-1', assume);
    const otherRun = await cache.get(roleArn, 'run-2', assume);
    const otherRole = await cache.get('arn:aws:iam::222222222222:role/R', 'run-1', assume);
    const again = await cache.get(roleArn, 'run-1', assume);

    expect([otherRun.accessKeyId, otherRole.accessKeyId, again.accessKeyId]).toEqual([
      'ASIA2',
      'ASIA3',
      'ASIA1',
    ]);
  });

  it('does not cache a failed AssumeRole', async () => {
    const cache = new CredentialCache(() => now);

    await expect(cache.get(roleArn, 'run-1', () => Promise.reject(new Error('denied')))).rejects.toThrow(
      'denied',
    );
    const credentials = await cache.get(roleArn, 'run-1', assume);

    expect(credentials.accessKeyId).toBe('ASIA1');
  });
});
