import type { Account } from '@aws-sdk/client-organizations';
import { paginateListAccounts } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FleetAccount,
  type FleetSpec,
  type Simulator,
  SpecError,
  startSimulator,
} from '../../simulator/index.ts';
import {
  assumeMemberRole,
  lambdaClient,
  listAllPages,
  organizationsClient,
  stsClient,
} from './sdk-clients.ts';

type Outcome = 'ok' | 'error' | 'reset' | 'other';

/** Sends `count` GetCallerIdentity calls one after the other, without retries, and records what came back. */
async function probe(sim: Simulator, count: number): Promise<Outcome[]> {
  const sts = stsClient(sim, 'us-east-1', { maxAttempts: 1 });
  const outcomes: Outcome[] = [];
  for (let i = 0; i < count; i++) {
    try {
      await sts.send(new GetCallerIdentityCommand({}));
      outcomes.push('ok');
    } catch (error) {
      const { name, $metadata } = error as { name: string; $metadata?: { httpStatusCode?: number } };
      const status = $metadata?.httpStatusCode;
      // a reset socket never produced an HTTP status
      outcomes.push(
        status === 500 && name === 'InternalFailure' ? 'error' : status === undefined ? 'reset' : 'other',
      );
    }
  }
  return outcomes;
}

describe('fault injection', () => {
  const running: Simulator[] = [];

  async function start(spec: FleetSpec = {}): Promise<Simulator> {
    const sim = await startSimulator({ spec });
    running.push(sim);
    return sim;
  }

  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });

  it('answers about errorRate of the requests with a 500 InternalFailure', async () => {
    const sim = await start({ faults: { errorRate: 0.25 } });

    const outcomes = await probe(sim, 400);
    const errors = outcomes.filter((outcome) => outcome === 'error').length;

    expect(errors).toBe(sim.counters.errorsInjected['sts:GetCallerIdentity']);
    expect(errors / outcomes.length).toBeGreaterThan(0.18);
    expect(errors / outcomes.length).toBeLessThan(0.32);
  });

  it('destroys the socket of about resetRate of the requests', async () => {
    const sim = await start({ faults: { resetRate: 0.2 } });

    const outcomes = await probe(sim, 400);
    const resets = outcomes.filter((outcome) => outcome === 'reset').length;

    expect(resets).toBe(sim.counters.resetsInjected['sts:GetCallerIdentity']);
    expect(resets / outcomes.length).toBeGreaterThan(0.13);
    expect(resets / outcomes.length).toBeLessThan(0.27);
  });

  it('injects the same faults in the same order for the same seed, and others for another seed', async () => {
    const faults = { errorRate: 0.2, resetRate: 0.1 };
    const first = await probe(await start({ seed: 11, faults }), 60);
    const second = await probe(await start({ seed: 11, faults }), 60);
    const otherSeed = await probe(await start({ seed: 12, faults }), 60);

    expect(second).toEqual(first);
    expect(otherSeed).not.toEqual(first);
  });

  it('lets the SDK retries recover every page from 5xx and resets', async () => {
    const sim = await start({ seed: 3, accounts: 30, faults: { errorRate: 0.15, resetRate: 0.1 } });
    const heavy = sim.fleet.accounts
      .flatMap((account) =>
        Object.entries(account.functions).map(([region, list]) => ({ account, region, list })),
      )
      .find(({ list }) => list.length > 100) as { account: FleetAccount; region: string; list: unknown[] };

    const credentials = await assumeMemberRole(sim, heavy.account.id, { maxAttempts: 10 });
    const pages = await listAllPages(lambdaClient(sim, heavy.region, credentials, { maxAttempts: 10 }));
    const accounts: Account[] = [];
    for await (const page of paginateListAccounts(
      { client: organizationsClient(sim, { maxAttempts: 10 }) },
      {},
    )) {
      accounts.push(...(page.Accounts ?? []));
    }

    expect(pages.flat()).toEqual(heavy.list);
    expect(accounts.map((account) => account.Id)).toEqual(sim.fleet.accounts.map((account) => account.id));
    expect(sim.counters.total('errorsInjected')).toBeGreaterThan(0);
    expect(sim.counters.total('resetsInjected')).toBeGreaterThan(0);
  });

  it('changes faults at runtime and validates them like the spec', async () => {
    const sim = await start();
    sim.setFaults({ errorRate: 1 });

    const outcomes = await probe(sim, 3);

    expect(outcomes).toEqual(['error', 'error', 'error']);
    expect(() => sim.setFaults({ resetRate: 1.5 })).toThrow(SpecError);
    expect(() => sim.setFaults({ resetRate: 1.5 })).toThrow('faults.resetRate:');
  });

  it('delays responses by latencyMs, so concurrent requests overlap', async () => {
    const sim = await start({ faults: { latencyMs: { min: 250, max: 300 } } });
    const sts = stsClient(sim);

    await Promise.all(Array.from({ length: 8 }, () => sts.send(new GetCallerIdentityCommand({}))));

    expect(sim.counters.peakConcurrency).toBe(8);
    expect(sim.counters.inFlight).toBe(0);
  });

  it('starts the counters afresh on reset()', async () => {
    const sim = await start({ faults: { errorRate: 1 } });
    await probe(sim, 2);
    const { calls } = sim.counters;

    sim.counters.reset();

    expect(calls).toEqual({});
    expect(sim.counters.snapshot()).toMatchObject({
      calls: {},
      errorsInjected: {},
      peakConcurrency: 0,
      peakInFlightByAccountRegion: {},
    });
  });
});
