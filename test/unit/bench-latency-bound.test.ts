import { describe, expect, it } from 'vitest';
import { type BoundAccount, latencyCriticalPath, listSchedule } from '../../bench/latency-bound.ts';

function uniformFleet(accounts: number, regions: string[], functions: number): BoundAccount[] {
  return Array.from({ length: accounts }, (_, index) => ({
    id: String(100_000_000_000 + index),
    state: 'ACTIVE',
    hasRole: true,
    enabledRegions: regions,
    functionsByRegion: Object.fromEntries(regions.map((region) => [region, functions])),
  }));
}

const SEVENTEEN = Array.from({ length: 17 }, (_, index) => `zz-region-${String(index).padStart(2, '0')}`);

describe('listSchedule', () => {
  it.each([
    { durations: [1, 1, 1, 1, 1], workers: 2, makespan: 3 },
    { durations: [3, 1, 1, 1], workers: 2, makespan: 3 },
    { durations: [1, 1, 1, 3], workers: 2, makespan: 4 },
    { durations: [2, 5], workers: 0, makespan: 5 },
    { durations: [2, 5], workers: 8, makespan: 5 },
    { durations: [], workers: 2, makespan: 0 },
  ])('runs $durations on $workers workers in $makespan', ({ durations, workers, makespan }) => {
    expect(listSchedule(durations, workers)).toBe(makespan);
  });
});

describe('latencyCriticalPath', () => {
  it('gives 3 s for the goals fleet: 10 ListAccounts pages, then 5 waves of one AssumeRole and 3 rounds of pages', () => {
    const path = latencyCriticalPath(uniformFleet(200, SEVENTEEN, 20), {
      latencySeconds: 0.1,
      regions: SEVENTEEN,
      batchSize: 17,
      maxConcurrency: 40,
      regionConcurrency: 8,
    });

    expect(path.planSeconds).toBeCloseTo(1, 9);
    expect(path.scanSeconds).toBeCloseTo(2, 9);
    expect(path.seconds).toBeCloseTo(3, 9);
    expect(path.batches).toBe(200);
    expect(path.targets).toBe(3_400);
    // what the simulator counts for a complete run of that fleet
    expect(path.calls).toBe(10 + 200 + 3_400);
  });

  it.each([
    // accounts, regions, functions per region, batch size, maxConcurrency, regionConcurrency
    { a: 50, r: 5, f: 60, b: 10, C: 4, c: 3 },
    { a: 200, r: 17, f: 20, b: 34, C: 40, c: 17 },
    { a: 1_000, r: 17, f: 120, b: 17, C: 100, c: 8 },
    { a: 7, r: 4, f: 0, b: 4, C: 10, c: 1 },
  ])(
    'matches the closed form for a uniform fleet ($a x $r, $f functions, b $b, C $C, c $c)',
    ({ a, r, f, b, C, c }) => {
      const regions = SEVENTEEN.slice(0, r);
      const pages = Math.max(1, Math.ceil(f / 50));
      const batches = Math.ceil((a * r) / b);
      const closedForm = 0.1 * (Math.ceil(a / 20) + Math.ceil(batches / C) * (1 + Math.ceil(b / c) * pages));

      const path = latencyCriticalPath(uniformFleet(a, regions, f), {
        latencySeconds: 0.1,
        regions,
        batchSize: b,
        maxConcurrency: C,
        regionConcurrency: c,
      });

      expect(path.seconds).toBeCloseTo(closedForm, 9);
    },
  );

  it('follows each account: skipped when not active, no listing without the role, pages by functions', () => {
    const regions = ['us-east-1', 'eu-west-1'];
    const accounts: BoundAccount[] = [
      {
        id: '444444444444',
        state: 'ACTIVE',
        hasRole: true,
        enabledRegions: ['eu-west-1'],
        // us-east-1 is not in the fleet: one call that comes back empty
        functionsByRegion: { 'eu-west-1': 0 },
      },
      {
        id: '333333333333',
        state: 'SUSPENDED',
        hasRole: true,
        enabledRegions: regions,
        functionsByRegion: {},
      },
      { id: '222222222222', state: 'ACTIVE', hasRole: false, enabledRegions: regions, functionsByRegion: {} },
      {
        id: '111111111111',
        state: 'ACTIVE',
        hasRole: true,
        enabledRegions: regions,
        functionsByRegion: { 'eu-west-1': 120, 'us-east-1': 10 },
      },
    ];

    const path = latencyCriticalPath(accounts, {
      latencySeconds: 1,
      regions,
      batchSize: 2,
      maxConcurrency: 2,
      regionConcurrency: 1,
    });

    // batches in account order: 111 (1 + 3 + 1 = 5), 222 (1), 444 (1 + 1 + 1 = 3);
    // two at a time: 111 on one runner, 222 then 444 on the other (1 + 3 = 4): 5, after 1 page of ListAccounts
    expect(path.batches).toBe(3);
    expect(path.targets).toBe(6);
    expect(path.scanSeconds).toBe(5);
    expect(path.seconds).toBe(6);
    expect(path.calls).toBe(1 + (1 + 4) + 1 + (1 + 2));
  });
});
