import { describe, expect, it } from 'vitest';
import {
  DiffInputError,
  type DiffRow,
  diffInventories,
  formatDiffLine,
  type RunCoverage,
  recordRows,
} from '../../functions/reduce/diff.ts';
import { InventoryReader } from '../../functions/reduce/read-inventory.ts';
import type { CoverageEntry, FunctionRecord } from '../../shared/contracts.ts';
import { RunDataError } from '../../shared/errors.ts';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ACCOUNT_C,
  coverageEntry,
  deniedEntry,
  functionRecord,
} from './report-fixtures.ts';

/** Rows as an inventory gives them: with their JSON text (equal texts are not parsed). */
async function* stream(records: readonly FunctionRecord[]): AsyncGenerator<DiffRow> {
  for (const record of records) yield { text: JSON.stringify(record), record: () => record };
}

async function* parsedOnly(records: readonly FunctionRecord[]): AsyncGenerator<FunctionRecord> {
  yield* records;
}

const run = (runId: string, coverage: CoverageEntry[]): RunCoverage => ({
  runId,
  startedAt: runId === 'run-1' ? '2026-11-01T03:00:00.000Z' : '2026-11-02T03:00:00.000Z',
  coverage,
});

const okEverywhere = [
  coverageEntry({ accountId: ACCOUNT_A, region: 'eu-west-1' }),
  coverageEntry({ accountId: ACCOUNT_B, region: 'eu-west-1' }),
];

const fn = (functionName: string, overrides: Partial<FunctionRecord> = {}) =>
  functionRecord({ functionName, ...overrides });

describe('diffInventories', () => {
  it('finds added, removed, changed and unchanged functions where both runs scanned the target', async () => {
    const previous = [fn('alpha'), fn('beta'), fn('gamma', { memorySize: 128 }), fn('omega')];
    const current = [fn('alpha'), fn('delta'), fn('gamma', { memorySize: 512 }), fn('omega')];

    const diff = await diffInventories(stream(previous), stream(current), {
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
    });

    expect(diff.counts).toMatchObject({ added: 1, removed: 1, changed: 1, unchanged: 2 });
    expect(diff.added.map((f) => f.functionName)).toEqual(['delta']);
    expect(diff.removed.map((f) => f.functionName)).toEqual(['beta']);
    expect(diff.changed).toEqual([
      expect.objectContaining({
        functionName: 'gamma',
        changes: [{ field: 'memorySize', before: 128, after: 512 }],
      }),
    ]);
    expect(diff.previous).toEqual({ runId: 'run-1', startedAt: '2026-11-01T03:00:00.000Z' });
  });

  it('reports each compared field that changed, with both values, and only those', async () => {
    const before = fn('f', {
      runtime: 'nodejs22.x',
      architectures: ['x86_64'],
      codeSize: 10,
      lastModified: '2026-10-01T10:00:00.000+0000',
      layers: ['arn:layer:a:1', 'arn:layer:b:1'],
      environmentVariableNames: ['A', 'B'],
      timeout: 3,
    });
    const after = fn('f', {
      runtime: 'nodejs24.x',
      architectures: ['arm64'],
      codeSize: 20,
      lastModified: '2026-11-01T10:00:00.000+0000',
      layers: ['arn:layer:b:1', 'arn:layer:a:1'],
      // the same names in another order are no change
      environmentVariableNames: ['B', 'A'],
      // not a compared field
      timeout: 900,
    });

    const diff = await diffInventories(stream([before]), stream([after]), {
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
    });

    expect(diff.changed[0]?.changes.map((c) => c.field)).toEqual([
      'runtime',
      'architectures',
      'codeSize',
      'lastModified',
      'layers',
    ]);
    expect(diff.changed[0]?.changes[0]).toEqual({
      field: 'runtime',
      before: 'nodejs22.x',
      after: 'nodejs24.x',
    });
  });

  it('lists functions whose runtime became deprecating soon or deprecated, not those already there', async () => {
    const previous = [
      fn('a-upgraded-to-old', { runtime: 'nodejs24.x' }),
      fn('b-aged', { runtime: 'nodejs22.x', runtimeStatus: 'supported' }),
      fn('c-still-deprecated', { runtime: 'python3.9' }),
      fn('d-got-better', { runtime: 'python3.9' }),
    ];
    const current = [
      fn('a-upgraded-to-old', { runtime: 'nodejs16.x' }),
      fn('b-aged', { runtime: 'nodejs22.x' }),
      fn('c-still-deprecated', { runtime: 'python3.9' }),
      fn('d-got-better', { runtime: 'nodejs24.x' }),
    ];

    const diff = await diffInventories(stream(previous), stream(current), {
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
    });

    expect(diff.counts).toMatchObject({ newlyDeprecated: 1, newlyDeprecatingSoon: 1 });
    expect(diff.newlyAtRisk).toEqual([
      expect.objectContaining({
        functionName: 'a-upgraded-to-old',
        runtime: 'nodejs16.x',
        runtimeStatus: 'deprecated',
        previousRuntime: 'nodejs24.x',
        previousStatus: 'supported',
        blockUpdateDate: '2027-03-03',
      }),
      expect.objectContaining({
        functionName: 'b-aged',
        runtimeStatus: 'deprecating-soon',
        previousStatus: 'supported',
      }),
    ]);
  });

  it('does not call functions removed or added where one of the runs could not scan the target', async () => {
    const previous = [fn('kept', { accountId: ACCOUNT_A }), fn('hidden', { accountId: ACCOUNT_B })];
    const current = [fn('kept', { accountId: ACCOUNT_A }), fn('revealed', { accountId: ACCOUNT_C })];

    const diff = await diffInventories(stream(previous), stream(current), {
      previous: run('run-1', [...okEverywhere, deniedEntry(ACCOUNT_C, 'eu-west-1')]),
      current: run('run-2', [
        coverageEntry({ accountId: ACCOUNT_A, region: 'eu-west-1' }),
        deniedEntry(ACCOUNT_B, 'eu-west-1'),
        coverageEntry({ accountId: ACCOUNT_C, region: 'eu-west-1', functionCount: 1 }),
      ]),
    });

    expect(diff.counts).toMatchObject({
      added: 0,
      removed: 0,
      unchanged: 1,
      notCompared: { previousOnly: 1, currentOnly: 1 },
      stoppedScanning: 1,
      startedScanning: 1,
    });
    expect(diff.coverage.stoppedScanning).toEqual([
      {
        accountId: ACCOUNT_B,
        accountName: 'name-222',
        region: 'eu-west-1',
        before: 'ok',
        after: 'access-denied',
        functionCount: 0,
        errorCode: 'AccessDenied',
        message: expect.stringContaining('sts:AssumeRole'),
      },
    ]);
    expect(diff.coverage.startedScanning).toEqual([
      expect.objectContaining({
        accountId: ACCOUNT_C,
        before: 'access-denied',
        after: 'ok',
        functionCount: 1,
        errorCode: 'AccessDenied',
      }),
    ]);
  });

  it('says why a target stopped being scanned when it left the plan or its account was skipped', async () => {
    const previous = run('run-1', [
      coverageEntry({ accountId: ACCOUNT_A, region: 'eu-west-1' }),
      coverageEntry({ accountId: ACCOUNT_A, region: 'us-east-1' }),
      coverageEntry({ accountId: ACCOUNT_B, region: 'eu-west-1' }),
    ]);
    const current = run('run-2', [
      coverageEntry({ accountId: ACCOUNT_A, region: 'eu-west-1' }),
      coverageEntry({
        accountId: ACCOUNT_B,
        region: null,
        status: 'account-skipped',
        message: 'account is SUSPENDED',
      }),
    ]);

    const diff = await diffInventories(stream([]), stream([]), { previous, current });

    expect(diff.coverage.stoppedScanning).toEqual([
      expect.objectContaining({
        accountId: ACCOUNT_A,
        region: 'us-east-1',
        after: 'not-planned',
        message: null,
      }),
      expect.objectContaining({
        accountId: ACCOUNT_B,
        region: 'eu-west-1',
        after: 'account-skipped',
        message: 'account is SUSPENDED',
      }),
    ]);
  });

  it('caps each list at the limit and keeps the counts exact', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `fn-${String(i).padStart(2, '0')}`);

    const diff = await diffInventories(stream([]), stream(names.map((name) => fn(name))), {
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
      limit: 10,
    });

    expect(diff.counts.added).toBe(25);
    expect(diff.added.map((f) => f.functionName)).toEqual(names.slice(0, 10));
    expect(diff.truncated).toBe(true);
    expect(diff.limit).toBe(10);
  });

  it('refuses an inventory out of order, which a merge would misread', async () => {
    const diffing = diffInventories(stream([fn('b'), fn('a')]), stream([]), {
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
    });

    await expect(diffing).rejects.toBeInstanceOf(RunDataError);
    await expect(diffing).rejects.toThrow(
      /previous inventory is not sorted .* at function 2: 111111111111\/eu-west-1\/a/,
    );
  });

  it('reads a previous inventory from its JSON as it streams', async () => {
    const previous = [fn('alpha'), fn('beta')];
    const text = JSON.stringify({
      schemaVersion: 1,
      runId: 'run-1',
      startedAt: '2026-11-01T03:00:00.000Z',
      functions: previous,
      coverage: okEverywhere,
    });
    async function* source() {
      for (let i = 0; i < text.length; i += 100) yield new TextEncoder().encode(text.slice(i, i + 100));
    }
    const reader = new InventoryReader(source(), 'reports/2026-11-01/run-1/inventory.json');

    const diff = await diffInventories(reader.rows(), stream([fn('alpha')]), {
      // the previous run's coverage comes after its functions: known only at the end, so passed here
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
    });

    expect(diff.removed.map((f) => f.functionName)).toEqual(['beta']);
    expect(reader.document().runId).toBe('run-1');
  });
});

describe('diffInventories over rows with their text', () => {
  const untouchable = (record: FunctionRecord): DiffRow => ({
    text: JSON.stringify(record),
    record: () => {
      throw new Error(`${record.functionName} was parsed`);
    },
  });

  it('counts rows of the same text as unchanged without parsing them', async () => {
    const rows = [fn('alpha'), fn('beta')];
    async function* untouched() {
      for (const record of rows) yield untouchable(record);
    }

    const diff = await diffInventories(untouched(), untouched(), {
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
    });

    expect(diff.counts).toMatchObject({ unchanged: 2, changed: 0, added: 0, removed: 0 });
  });

  it('compares parsed rows where texts differ, and rows given without a text', async () => {
    // the role is not a compared field: a different text, yet unchanged
    const previous = [fn('alpha'), fn('beta', { role: 'arn:aws:iam::111111111111:role/old' }), fn('gamma')];
    const current = [fn('alpha'), fn('beta'), fn('gamma', { memorySize: 1024 })];

    const fromText = await diffInventories(stream(previous), stream(current), {
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
    });
    const fromRecords = await diffInventories(recordRows(parsedOnly(previous)), stream(current), {
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
    });

    expect(fromText.counts).toMatchObject({ unchanged: 2, changed: 1 });
    expect(fromText.changed.map((f) => f.functionName)).toEqual(['gamma']);
    expect(fromRecords).toEqual(fromText);
  });

  it.each([
    ['previous', [fn('b'), fn('a')], [fn('a')]],
    ['current', [fn('a')], [fn('b'), fn('a')]],
  ] as const)('names the %s inventory when it is out of order', async (side, previous, current) => {
    const diffing = diffInventories(stream(previous), stream(current), {
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
    });

    await expect(diffing).rejects.toBeInstanceOf(DiffInputError);
    await expect(diffing).rejects.toMatchObject({ side });
  });

  it('names the previous inventory when one of its rows cannot be parsed', async () => {
    async function* broken(): AsyncGenerator<DiffRow> {
      yield {
        text: '{"accountId":',
        record: () => {
          throw new RunDataError('function 1 is not JSON');
        },
      };
    }

    const diffing = diffInventories(broken(), stream([fn('a')]), {
      previous: run('run-1', okEverywhere),
      current: run('run-2', okEverywhere),
    });

    await expect(diffing).rejects.toMatchObject({ side: 'previous', message: 'function 1 is not JSON' });
  });
});

describe('formatDiffLine', () => {
  it('summarises the diff in one line', async () => {
    const diff = await diffInventories(
      stream([fn('a'), fn('b', { runtime: 'nodejs24.x' }), fn('c')]),
      stream([fn('b', { runtime: 'python3.9' }), fn('c'), fn('d'), fn('e')]),
      { previous: run('run-1', okEverywhere), current: run('run-2', okEverywhere) },
    );

    expect(formatDiffLine(diff)).toBe('+2 −1 ~1 functions, 1 newly deprecated since run-1');
  });

  it('adds soon-deprecated functions and coverage changes when there are any', async () => {
    const diff = await diffInventories(
      stream([fn('a', { runtimeStatus: 'supported', runtime: 'nodejs22.x' })]),
      stream([fn('a', { runtime: 'nodejs22.x' })]),
      {
        previous: run('run-1', [...okEverywhere, coverageEntry({ accountId: ACCOUNT_C })]),
        current: run('run-2', [...okEverywhere, deniedEntry(ACCOUNT_C, 'eu-west-1')]),
      },
    );

    expect(formatDiffLine(diff)).toBe(
      '+0 −0 ~0 functions, 0 newly deprecated, 1 newly deprecating soon since run-1; targets: 1 no longer scanned',
    );
  });
});
