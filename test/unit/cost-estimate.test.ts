import { describe, expect, it } from 'vitest';
import {
  type CostBreakdown,
  costOfRun,
  estimateRunCost,
  LIST_PRICES,
  type RunCounts,
} from '../../shared/cost-estimate.ts';
import { ValidationError } from '../../shared/errors.ts';

/** The line whose item starts with `prefix` (items carry details such as the memory size after it). */
function line(breakdown: CostBreakdown, prefix: string) {
  const found = breakdown.lines.filter((entry) => entry.item.startsWith(prefix));
  if (found.length !== 1)
    throw new Error(`expected one line starting with "${prefix}", found ${found.length}`);
  return found[0] as CostBreakdown['lines'][number];
}

const SMALL_RUN: RunCounts = {
  targets: 20,
  batches: 1,
  functions: 0,
  planSeconds: 1,
  workerSeconds: 2,
  reduceSeconds: 1,
};

describe('costOfRun', () => {
  it('prices every line of a one-batch run from the list prices', () => {
    // Prepare: expectations computed by hand from prices.json (us-east-1)
    const expected: [string, number, number][] = [
      // item prefix, quantity, dollars
      ['Standard state transitions', 3, 3 * 0.000025],
      ['Express child executions', 1, 0.000001],
      // one 2.0 s child at 64 MB: 2 x 64 / 1024 = 0.125 GB-s
      ['Express duration', 0.125, 0.125 * 0.00001667],
      ['Requests (plan, workers, reduce)', 3, 3 * 0.0000002],
      // 1 s x 512 MB, 2 s x 512 MB, 1 s x 2048 MB
      ['Plan duration', 0.5, 0.5 * 0.0000133334],
      ['Worker duration', 1, 0.0000133334],
      ['Reduce duration', 2, 2 * 0.0000133334],
      ['PUT partials', 1, 0.000005],
      ['PUT run files', 4, 4 * 0.000005],
      // no functions: each of the 10 report objects is one PUT
      ['PUT report files', 10, 10 * 0.000005],
      ['LIST partials', 1, 0.000005],
      ['GET partials', 1, 0.0000004],
      ['GET run files', 8, 8 * 0.0000004],
    ];

    // Act
    const breakdown = costOfRun(SMALL_RUN);

    // Assess
    expect(breakdown.lines).toHaveLength(expected.length);
    for (const [prefix, quantity, usd] of expected) {
      const entry = line(breakdown, prefix);
      expect(entry.quantity, prefix).toBeCloseTo(quantity, 9);
      expect(entry.usd, prefix).toBeCloseTo(usd, 12);
    }
    const total = expected.reduce((sum, [, , usd]) => sum + usd, 0);
    expect(breakdown.totalUsd).toBeCloseTo(total, 12);
  });

  it.each([
    // batches, workerSeconds, billed seconds per child (100 ms steps), Express GB-s at 64 MB
    { batches: 4, workerSeconds: 1, perChild: 0.3, gbSeconds: (4 * 0.3 * 64) / 1024 },
    { batches: 10, workerSeconds: 3, perChild: 0.3, gbSeconds: (10 * 0.3 * 64) / 1024 },
    { batches: 2, workerSeconds: 0.402, perChild: 0.3, gbSeconds: (2 * 0.3 * 64) / 1024 },
    { batches: 3, workerSeconds: 30, perChild: 10, gbSeconds: (3 * 10 * 64) / 1024 },
  ])(
    'bills $batches Express children of $workerSeconds s in all at $perChild s each',
    ({ batches, workerSeconds, gbSeconds }) => {
      const breakdown = costOfRun({ ...SMALL_RUN, batches, workerSeconds });

      expect(line(breakdown, 'Express duration').quantity).toBeCloseTo(gbSeconds, 9);
    },
  );

  it('bills Express children by their own duration when it is given', () => {
    const breakdown = costOfRun({ ...SMALL_RUN, batches: 2, workerSeconds: 1, expressSeconds: 3 });

    // 1.5 s per child, 2 children at 64 MB
    expect(line(breakdown, 'Express duration').quantity).toBeCloseTo((3 * 64) / 1024, 9);
  });

  it.each([
    // functions, requests of inventory.json, inventory.csv and the Athena functions file
    // (5 MiB parts: 824 B, 421 B and 85 B per function)
    { functions: 6_000, json: 1, csv: 1, athena: 1 }, // 4.9 MB, 2.5 MB, 0.5 MB: one PUT each
    { functions: 10_000, json: 4, csv: 1, athena: 1 }, // 8.2 MB: 2 parts + create + complete
    { functions: 1_000_000, json: 160, csv: 83, athena: 19 }, // 824 MB: 158 parts; 421 MB: 81; 85 MB: 17
  ])(
    'writes the report of $functions functions in $json + $csv + $athena streamed requests',
    ({ functions, json, csv, athena }) => {
      const breakdown = costOfRun({ ...SMALL_RUN, functions });

      // the 7 other objects (summary, coverage, page, gaps, diff, Athena coverage, latest) are one PUT each
      expect(line(breakdown, 'PUT report files').quantity).toBe(json + csv + athena + 7);
    },
  );

  it('counts each retry as a transition, a Lambda request and a partial PUT', () => {
    const breakdown = costOfRun({ ...SMALL_RUN, batches: 10, workerRetries: 2, stateRetries: 1 });

    expect(line(breakdown, 'Standard state transitions').quantity).toBe(4);
    expect(line(breakdown, 'Requests (plan, workers, reduce)').quantity).toBe(2 + 10 + 2);
    expect(line(breakdown, 'PUT partials').quantity).toBe(12);
    expect(line(breakdown, 'GET partials').quantity).toBe(10);
    expect(line(breakdown, 'Express child executions').quantity).toBe(10);
  });

  it('lists the partials one page of 1,000 keys at a time', () => {
    expect(line(costOfRun({ ...SMALL_RUN, batches: 1_000 }), 'LIST partials').quantity).toBe(1);
    expect(line(costOfRun({ ...SMALL_RUN, batches: 1_001 }), 'LIST partials').quantity).toBe(2);
  });

  it('prices Lambda duration at the memory sizes it is given', () => {
    const breakdown = costOfRun(SMALL_RUN, { workerMemoryMB: 1024, planMemoryMB: 128, reduceMemoryMB: 4096 });

    expect(line(breakdown, 'Worker duration').quantity).toBeCloseTo(2, 9);
    expect(line(breakdown, 'Plan duration').quantity).toBeCloseTo(0.125, 9);
    expect(line(breakdown, 'Reduce duration').quantity).toBeCloseTo(4, 9);
    expect(line(breakdown, 'Worker duration').item).toContain('1024 MB');
  });

  it('uses the prices it is given', () => {
    const doubled = structuredClone(LIST_PRICES);
    doubled.s3.standardPutCopyPostListPerRequest *= 2;

    const breakdown = costOfRun(SMALL_RUN, { prices: doubled });

    expect(line(breakdown, 'PUT partials').usd).toBeCloseTo(0.00001, 12);
  });

  it.each([
    [{ ...SMALL_RUN, batches: -1 }, 'counts.batches: must be a non-negative number, got -1'],
    [{ ...SMALL_RUN, batches: 1.5 }, 'counts.batches: must be a whole number, got 1.5'],
    [
      { ...SMALL_RUN, workerSeconds: Number.NaN },
      'counts.workerSeconds: must be a non-negative number, got NaN',
    ],
    [{ ...SMALL_RUN, workerRetries: 0.5 }, 'counts.workerRetries: must be a whole number, got 0.5'],
  ])('refuses bad counts, naming the field (%#)', (counts, message) => {
    expect(() => costOfRun(counts)).toThrow(new ValidationError(message));
  });

  it('refuses a memory size that is not positive', () => {
    expect(() => costOfRun(SMALL_RUN, { workerMemoryMB: 0 })).toThrow(
      'workerMemoryMB: must be a positive number, got 0',
    );
  });
});

describe('estimateRunCost', () => {
  it.each([
    // accounts, regions, configured batch size -> targets per batch (whole accounts), batches
    { accounts: 1_000, regions: 20, batchSize: 20, aligned: 20, batches: 1_000 },
    { accounts: 10, regions: 17, batchSize: 20, aligned: 17, batches: 10 },
    { accounts: 10, regions: 3, batchSize: 20, aligned: 18, batches: 2 }, // 6 accounts a batch
    { accounts: 5, regions: 30, batchSize: 20, aligned: 30, batches: 5 }, // an account never splits
    { accounts: 100, regions: 17, batchSize: 200, aligned: 187, batches: 10 }, // 11 accounts a batch
  ])(
    'cuts $accounts accounts x $regions regions into $batches batches of $aligned',
    ({ accounts, regions, batchSize, aligned, batches }) => {
      const estimate = estimateRunCost({
        accounts,
        regions,
        batchSize,
        maxConcurrency: 40,
        workerMemoryMB: 512,
      });

      expect(estimate.batchSize).toBe(aligned);
      expect(estimate.counts.batches).toBe(batches);
      expect(estimate.counts.targets).toBe(accounts * regions);
    },
  );

  it('models 1,000 accounts x 20 regions at the default settings', () => {
    const estimate = estimateRunCost({
      accounts: 1_000,
      regions: 20,
      batchSize: 20,
      maxConcurrency: 40,
      workerMemoryMB: 512,
    });

    // one AssumeRole, then ceil(20 / 8) = 3 rounds of one page, 100 ms each, + 0.1 s to write the partial
    expect(estimate.batchSeconds).toBeCloseTo(0.5, 9);
    // 1,000 batches, plus 40 cold starts of 0.5 s
    expect(estimate.counts.workerSeconds).toBeCloseTo(520, 9);
    // 50 pages of ListAccounts + a cold start; 400,000 functions at 50,000/s + a cold start
    expect(estimate.counts.planSeconds).toBeCloseTo(5.5, 9);
    expect(estimate.counts.reduceSeconds).toBeCloseTo(8.5, 9);
    expect(estimate.counts.functions).toBe(400_000);
    // 520 s x 0.5 GB
    expect(line(estimate, 'Worker duration').quantity).toBeCloseTo(260, 9);
    // 0.52 s per child, billed 0.6 s: 1,000 x 0.6 x 64 / 1024
    expect(line(estimate, 'Express duration').quantity).toBeCloseTo(37.5, 9);
  });

  it.each([
    // functions per region -> pages per target -> seconds per batch of 17 targets, 8 at a time
    { functionsPerRegion: 0, seconds: 0.1 * (1 + 3 * 1) + 0.1 },
    { functionsPerRegion: 50, seconds: 0.1 * (1 + 3 * 1) + 0.1 },
    { functionsPerRegion: 51, seconds: 0.1 * (1 + 3 * 2) + 0.1 },
    { functionsPerRegion: 120, seconds: 0.1 * (1 + 3 * 3) + 0.1 },
  ])(
    'takes $seconds s for a batch of 17 regions of $functionsPerRegion functions',
    ({ functionsPerRegion, seconds }) => {
      const estimate = estimateRunCost({
        accounts: 10,
        regions: 17,
        functionsPerRegion,
        batchSize: 20,
        maxConcurrency: 40,
        workerMemoryMB: 512,
      });

      expect(estimate.batchSeconds).toBeCloseTo(seconds, 9);
    },
  );

  it('counts one cold start per concurrent child, at most one per batch', () => {
    const shape = { accounts: 10, regions: 17, batchSize: 17, workerMemoryMB: 512 };
    const few = estimateRunCost({ ...shape, maxConcurrency: 4 });
    const many = estimateRunCost({ ...shape, maxConcurrency: 400 });

    expect(few.counts.workerSeconds).toBeCloseTo(10 * few.batchSeconds + 4 * 0.5, 9);
    expect(many.counts.workerSeconds).toBeCloseTo(10 * many.batchSeconds + 10 * 0.5, 9);
  });

  it('prices a run from the same lines as costOfRun', () => {
    const estimate = estimateRunCost({
      accounts: 200,
      regions: 17,
      batchSize: 20,
      maxConcurrency: 40,
      workerMemoryMB: 1024,
    });

    const direct = costOfRun(estimate.counts, { workerMemoryMB: 1024 });
    expect(estimate.lines).toEqual(direct.lines);
    expect(estimate.totalUsd).toBe(direct.totalUsd);
  });

  it.each([
    [{ accounts: 0 }, 'accounts: must be a positive whole number, got 0'],
    [{ regions: 2.5 }, 'regions: must be a positive whole number, got 2.5'],
    [{ batchSize: -20 }, 'batchSize: must be a positive whole number, got -20'],
    [{ workerMemoryMB: 0 }, 'workerMemoryMB: must be a positive number, got 0'],
    [{ regionConcurrency: 0 }, 'regionConcurrency: must be a positive whole number, got 0'],
    [{ functionsPerRegion: -1 }, 'functionsPerRegion: must be a non-negative number, got -1'],
  ])('refuses a bad shape, naming the field (%#)', (change, message) => {
    const shape = {
      accounts: 10,
      regions: 17,
      batchSize: 20,
      maxConcurrency: 40,
      workerMemoryMB: 512,
      ...change,
    };

    expect(() => estimateRunCost(shape)).toThrow(new ValidationError(message));
  });
});
