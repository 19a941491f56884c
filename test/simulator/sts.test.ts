import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FleetAccount, type Simulator, startSimulator } from '../../simulator/index.ts';
import { assumeMemberRole, lambdaClient, rejectionOf, stsClient } from './sdk-clients.ts';

describe('STS AssumeRole (query protocol)', () => {
  let sim: Simulator;
  let clockMs = Date.UTC(2026, 10, 28, 9, 0, 0);
  let reachable: FleetAccount;
  let suspended: FleetAccount;
  let roleless: FleetAccount;

  beforeAll(async () => {
    sim = await startSimulator({ clock: () => clockMs });
    const members = sim.fleet.accounts.slice(1);
    reachable = members.find((account) => account.state === 'ACTIVE' && account.hasRole) as FleetAccount;
    suspended = members.find((account) => account.state === 'SUSPENDED') as FleetAccount;
    roleless = members.find((account) => account.state === 'ACTIVE' && !account.hasRole) as FleetAccount;
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(() => {
    sim.setFaults({ stsRatePerSecond: 0 });
    sim.counters.reset();
  });

  it('returns temporary credentials that act as the member account', async () => {
    const credentials = await assumeMemberRole(sim, reachable.id, { sessionName: 'inventory-run-1' });

    const identity = await stsClient(sim, 'eu-west-1', { credentials }).send(
      new GetCallerIdentityCommand({}),
    );

    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(credentials.sessionToken).toEqual(expect.any(String));
    expect(credentials.expiration?.getTime()).toBe(Math.floor(clockMs / 1000) * 1000 + 3_600_000);
    expect(identity.Account).toBe(reachable.id);
    expect(identity.Arn).toBe(
      `arn:aws:sts::${reachable.id}:assumed-role/${sim.fleet.memberRoleName}/inventory-run-1`,
    );
  });

  it("lists the member account's functions with the credentials it returns", async () => {
    const credentials = await assumeMemberRole(sim, reachable.id);

    const page = await lambdaClient(sim, 'ap-southeast-2', credentials).send(new ListFunctionsCommand({}));

    expect(page.Functions?.map((fn) => fn.FunctionArn)).toEqual(
      reachable.functions['ap-southeast-2']?.slice(0, 50).map((fn) => fn.FunctionArn),
    );
  });

  it('reports the central account for keys it did not issue', async () => {
    const identity = await stsClient(sim).send(new GetCallerIdentityCommand({}));

    expect(identity.Account).toBe(sim.fleet.centralAccountId);
  });

  it.each([
    ['an account without the role', () => roleless.id, undefined],
    ['a suspended account', () => suspended.id, undefined],
    ['an account outside the organization', () => '999999999999', undefined],
    ['another role name', () => reachable.id, 'OrganizationAccountAccessRole'],
  ])('denies access to %s with AccessDenied', async (_case, accountId, roleName) => {
    const error = await rejectionOf(assumeMemberRole(sim, accountId(), { roleName, maxAttempts: 1 }));

    expect(error.name).toBe('AccessDenied');
    expect(error.message).toContain(
      `is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${accountId()}:role/`,
    );
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);
  });

  it('denies a member session assuming the member role again (the role trusts only the central account)', async () => {
    const credentials = await assumeMemberRole(sim, reachable.id);

    const error = await rejectionOf(assumeMemberRole(sim, reachable.id, { credentials, maxAttempts: 1 }));

    expect(error.name).toBe('AccessDenied');
  });

  it.each([
    [{ RoleSessionName: 'has space' }, "at 'roleSessionName' failed to satisfy constraint"],
    [{ RoleSessionName: 'x' }, 'Member must have length between 2 and 64'],
    [{ RoleSessionName: 'a'.repeat(65) }, 'Member must have length between 2 and 64'],
    [{ DurationSeconds: 600 }, 'greater than or equal to 900'],
    [{ DurationSeconds: 50_000 }, 'less than or equal to 43200'],
    [{ DurationSeconds: 7200 }, 'exceeds the MaxSessionDuration set for this role'],
  ])('rejects %j with ValidationError', async (override, message) => {
    const sts = stsClient(sim, 'us-east-1', { maxAttempts: 1 });

    const error = await rejectionOf(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${reachable.id}:role/${sim.fleet.memberRoleName}`,
          RoleSessionName: 'valid-name',
          ...override,
        }),
      ),
    );

    expect(error.name).toBe('ValidationError');
    expect(error.message).toContain(message);
  });

  it('accepts the shortest session, 900 seconds', async () => {
    const sts = stsClient(sim);

    const result = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${reachable.id}:role/${sim.fleet.memberRoleName}`,
        RoleSessionName: 'user@example.com=+,.-_',
        DurationSeconds: 900,
      }),
    );

    expect(result.Credentials?.Expiration?.getTime()).toBe(Math.floor(clockMs / 1000) * 1000 + 900_000);
    expect(result.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]+:user@example\.com=\+,\.-_$/);
  });

  it('rejects an issued key sent without its session token', async () => {
    const { accessKeyId, secretAccessKey } = await assumeMemberRole(sim, reachable.id);
    const credentials = { accessKeyId, secretAccessKey };

    const stsError = await rejectionOf(
      stsClient(sim, 'us-east-1', { credentials, maxAttempts: 1 }).send(new GetCallerIdentityCommand({})),
    );
    const lambdaError = await rejectionOf(
      lambdaClient(sim, 'us-east-1', credentials, { maxAttempts: 1 }).send(new ListFunctionsCommand({})),
    );

    expect(stsError.name).toBe('InvalidClientTokenId');
    expect(lambdaError.name).toBe('UnrecognizedClientException');
  });

  it('rejects credentials once they expire', async () => {
    const credentials = await assumeMemberRole(sim, reachable.id, { sessionName: 'short' });
    clockMs += 3_600_000;

    const error = await rejectionOf(
      lambdaClient(sim, 'us-east-1', credentials, { maxAttempts: 1 }).send(new ListFunctionsCommand({})),
    );

    expect(error.name).toBe('ExpiredTokenException');
  });

  it('throttles AssumeRole above stsRatePerSecond with Throttling', async () => {
    sim.setFaults({ stsRatePerSecond: 1 });
    await assumeMemberRole(sim, reachable.id, { maxAttempts: 1 });

    const error = await rejectionOf(assumeMemberRole(sim, reachable.id, { maxAttempts: 1 }));

    expect(error.name).toBe('Throttling');
    expect(error.message).toBe('Rate exceeded');
    expect(sim.counters.throttled['sts:AssumeRole']).toBe(1);
  });

  it('counts AssumeRole calls per target account', async () => {
    await assumeMemberRole(sim, reachable.id);
    await assumeMemberRole(sim, reachable.id);
    await rejectionOf(assumeMemberRole(sim, roleless.id, { maxAttempts: 1 }));

    expect(sim.counters.assumeRoleByAccount).toEqual({ [reachable.id]: 2, [roleless.id]: 1 });
    expect(sim.counters.calls['sts:AssumeRole']).toBe(3);
  });
});
