import {
  type FunctionConfiguration,
  ListFunctionsCommand,
  paginateListFunctions,
} from '@aws-sdk/client-lambda';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FleetAccount, type Simulator, startSimulator } from '../../simulator/index.ts';
import {
  assumeMemberRole,
  CENTRAL_CREDENTIALS,
  lambdaClient,
  listAllPages,
  rejectionOf,
} from './sdk-clients.ts';

describe('Lambda ListFunctions (REST-JSON)', () => {
  let sim: Simulator;
  let heavy: { account: FleetAccount; region: string; functions: FunctionConfiguration[] };
  let heavyCredentials: AwsCredentialIdentity;
  /** set to hold the simulator's clock still, so a rate bucket cannot refill between two calls */
  let frozenAt: number | undefined;

  beforeAll(async () => {
    sim = await startSimulator({ clock: () => frozenAt ?? Date.now() });
    const [account, region, functions] = sim.fleet.accounts
      .flatMap((candidate) =>
        Object.entries(candidate.functions).map(([r, list]) => [candidate, r, list] as const),
      )
      .find(([, , list]) => list.length > 100) as [FleetAccount, string, FunctionConfiguration[]];
    heavy = { account, region, functions };
    heavyCredentials = await assumeMemberRole(sim, account.id);
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(() => {
    frozenAt = undefined;
    sim.setFaults({ listFunctionsRatePerSecond: 15, latencyMs: 0 });
    sim.counters.reset();
  });

  it('pages a region of more than 100 functions by 50, and the pages add up to the ground truth', async () => {
    const pages = await listAllPages(lambdaClient(sim, heavy.region, heavyCredentials));

    expect(pages.slice(0, -1).every((page) => page.length === 50)).toBe(true);
    expect(pages.at(-1)?.length).toBe(heavy.functions.length - 50 * (pages.length - 1));
    expect(pages.flat()).toEqual(heavy.functions);
  });

  it.each([
    [10, 10],
    [500, 50],
  ])('honours MaxItems %i with pages of at most %i', async (maxItems, pageSize) => {
    const client = lambdaClient(sim, heavy.region, heavyCredentials);
    const sizes: number[] = [];
    const names: string[] = [];

    for await (const page of paginateListFunctions({ client, pageSize: maxItems }, {})) {
      sizes.push(page.Functions?.length ?? 0);
      names.push(...(page.Functions ?? []).map((fn) => fn.FunctionName ?? ''));
    }

    expect(Math.max(...sizes)).toBe(pageSize);
    expect(names).toEqual(heavy.functions.map((fn) => fn.FunctionName));
  });

  it('answers for the region of the credential scope', async () => {
    const account = heavy.account;
    const otherRegion = sim.fleet.regions.find((region) => region !== heavy.region) as string;

    const [here, there] = await Promise.all([
      listAllPages(lambdaClient(sim, heavy.region, heavyCredentials)),
      listAllPages(lambdaClient(sim, otherRegion, heavyCredentials)),
    ]);

    expect(there.flat().map((fn) => fn.FunctionArn)).toEqual(
      account.functions[otherRegion]?.map((fn) => fn.FunctionArn),
    );
    expect(there.flat().every((fn) => fn.FunctionArn?.startsWith(`arn:aws:lambda:${otherRegion}:`))).toBe(
      true,
    );
    expect(here.flat()).toHaveLength(heavy.functions.length);
  });

  it('lists the central account with keys it did not issue', async () => {
    const central = sim.fleet.account(sim.fleet.centralAccountId) as FleetAccount;

    const pages = await listAllPages(lambdaClient(sim, 'us-east-1', CENTRAL_CREDENTIALS));

    expect(pages.flat()).toEqual(central.functions['us-east-1']);
  });

  it('answers an empty list in a default region the fleet does not use', async () => {
    const pages = await listAllPages(lambdaClient(sim, 'us-west-2', heavyCredentials));

    expect(pages).toEqual([[]]);
  });

  it('rejects an opt-in region the account has not enabled with UnrecognizedClientException', async () => {
    const account = sim.fleet.accounts.find(
      (candidate) =>
        candidate.state === 'ACTIVE' && candidate.hasRole && !candidate.enabledRegions.includes('eu-south-1'),
    ) as FleetAccount;
    const credentials = await assumeMemberRole(sim, account.id);

    const error = await rejectionOf(
      lambdaClient(sim, 'eu-south-1', credentials, { maxAttempts: 1 }).send(new ListFunctionsCommand({})),
    );

    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.message).toBe('The security token included in the request is invalid.');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(403);
  });

  it('lists an opt-in region the account has enabled', async () => {
    const account = sim.fleet.accounts.find(
      (candidate) =>
        candidate.state === 'ACTIVE' && candidate.hasRole && candidate.enabledRegions.includes('eu-south-1'),
    ) as FleetAccount;
    const credentials = await assumeMemberRole(sim, account.id);

    const pages = await listAllPages(lambdaClient(sim, 'eu-south-1', credentials));

    expect(pages.flat()).toEqual(account.functions['eu-south-1']);
  });

  it('answers 429 TooManyRequestsException with Retry-After above the per account-region rate', async () => {
    frozenAt = Date.now();
    sim.setFaults({ listFunctionsRatePerSecond: 1 });
    const client = lambdaClient(sim, heavy.region, heavyCredentials, { maxAttempts: 1 });
    await client.send(new ListFunctionsCommand({}));

    const error = await rejectionOf(client.send(new ListFunctionsCommand({})));

    expect(error.name).toBe('TooManyRequestsException');
    expect(error.Reason).toBe('CallerRateLimitExceeded');
    expect(error.retryAfterSeconds).toBe('1');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(429);
    expect(sim.counters.throttled['lambda:ListFunctions']).toBe(1);
  });

  it('keeps one rate bucket per account and region', async () => {
    frozenAt = Date.now();
    sim.setFaults({ listFunctionsRatePerSecond: 1 });
    const otherRegion = sim.fleet.regions.find((region) => region !== heavy.region) as string;

    await lambdaClient(sim, heavy.region, heavyCredentials, { maxAttempts: 1 }).send(
      new ListFunctionsCommand({}),
    );
    await lambdaClient(sim, otherRegion, heavyCredentials, { maxAttempts: 1 }).send(
      new ListFunctionsCommand({}),
    );
    await lambdaClient(sim, heavy.region, CENTRAL_CREDENTIALS, { maxAttempts: 1 }).send(
      new ListFunctionsCommand({}),
    );

    expect(sim.counters.total('throttled')).toBe(0);
  });

  it('lets the SDK retries get every page when the quota throttles', async () => {
    sim.setFaults({ listFunctionsRatePerSecond: 2 });

    const pages = await listAllPages(lambdaClient(sim, heavy.region, heavyCredentials, { maxAttempts: 6 }));

    expect(pages.flat()).toEqual(heavy.functions);
    expect(sim.counters.throttled['lambda:ListFunctions']).toBeGreaterThan(0);
  });

  it.each([
    ['garbage', 'not-a-marker'],
    ['a marker of another region', 'other-region'],
  ])('rejects %s with InvalidParameterValueException', async (_case, kind) => {
    const otherRegion = sim.fleet.regions.find((region) => region !== heavy.region) as string;
    const first = await lambdaClient(sim, heavy.region, heavyCredentials).send(new ListFunctionsCommand({}));
    const marker = kind === 'other-region' ? (first.NextMarker as string) : kind;
    const region = kind === 'other-region' ? otherRegion : heavy.region;

    const error = await rejectionOf(
      lambdaClient(sim, region, heavyCredentials, { maxAttempts: 1 }).send(
        new ListFunctionsCommand({ Marker: marker }),
      ),
    );

    expect(error.name).toBe('InvalidParameterValueException');
    expect((error.$metadata as { httpStatusCode: number }).httpStatusCode).toBe(400);
  });

  it('records the peak of concurrent requests per account-region', async () => {
    sim.setFaults({ latencyMs: 300 });
    const otherRegion = sim.fleet.regions.find((region) => region !== heavy.region) as string;
    const client = lambdaClient(sim, heavy.region, heavyCredentials);

    await Promise.all([
      ...Array.from({ length: 4 }, () => client.send(new ListFunctionsCommand({}))),
      lambdaClient(sim, otherRegion, heavyCredentials).send(new ListFunctionsCommand({})),
    ]);

    expect(sim.counters.peakInFlightByAccountRegion).toEqual({
      [`${heavy.account.id}/${heavy.region}`]: 4,
      [`${heavy.account.id}/${otherRegion}`]: 1,
    });
    expect(sim.counters.peakConcurrency).toBe(5);
  });
});
