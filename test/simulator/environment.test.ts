import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Simulator, startSimulator } from '../../simulator/index.ts';

describe('simulator environment', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator();
    for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) vi.stubEnv(name, undefined);
    for (const [name, value] of Object.entries(sim.env)) vi.stubEnv(name, value);
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await sim.close();
  });

  it('lets clients built with no settings at all reach every simulated service', async () => {
    const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));
    const { Accounts } = await new OrganizationsClient({}).send(new ListAccountsCommand({}));
    const { Functions } = await new LambdaClient({}).send(new ListFunctionsCommand({}));

    expect(identity.Account).toBe(sim.fleet.centralAccountId);
    expect(Accounts?.map((account) => account.Id)).toEqual(sim.fleet.accounts.map((account) => account.id));
    expect(Functions?.map((fn) => fn.FunctionName)).toEqual(
      sim.fleet
        .account(sim.fleet.centralAccountId)
        ?.functions[sim.env.AWS_REGION as string]?.map((fn) => fn.FunctionName),
    );
  });

  it('points only the simulated services at itself, so S3 keeps its own endpoint', () => {
    expect(
      Object.keys(sim.env)
        .filter((name) => name.startsWith('AWS_ENDPOINT_URL'))
        .sort(),
    ).toEqual(['AWS_ENDPOINT_URL_LAMBDA', 'AWS_ENDPOINT_URL_ORGANIZATIONS', 'AWS_ENDPOINT_URL_STS']);
    expect(sim.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
