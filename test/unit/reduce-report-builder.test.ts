import { describe, expect, it } from 'vitest';
import {
  type BatchFailure,
  buildCoverage,
  buildSummary,
  compareFunctions,
  FunctionRecords,
  FunctionTally,
  finishedAt,
  PartialScreen,
  reportKeysFor,
  targetId,
} from '../../functions/reduce/report-builder.ts';
import { supersedes } from '../../functions/reduce/write-report.ts';
import {
  type CoverageEntry,
  FunctionRecord,
  Summary,
  type Target,
  type TargetResult,
} from '../../shared/contracts.ts';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ACCOUNT_C,
  scannedFunction,
  skippedAccount,
  targetResult,
} from './reduce-fixtures.ts';

const asOf = new Date('2026-11-02T03:00:00.000Z');
const records = new FunctionRecords(asOf);
const target = (accountId: string, region: string, accountName?: string): Target => ({
  accountId,
  region,
  ...(accountName ? { accountName } : {}),
});
const results = (...list: TargetResult[]) => new Map(list.map((r) => [targetId(r), r]));

describe('buildCoverage', () => {
  it.each([
    [
      'a target scanned ok keeps its counts',
      targetResult({ status: 'ok', functionCount: 42, pages: 1, durationMs: 300 }),
      { status: 'ok', functionCount: 42, pages: 1, durationMs: 300, errorCode: null, message: null },
    ],
    [
      'an ok target without functions shows 0: it was looked at',
      targetResult({ status: 'ok', functionCount: 0, pages: 1 }),
      { status: 'ok', functionCount: 0, pages: 1 },
    ],
    [
      'an access-denied target has no counts',
      targetResult({
        status: 'access-denied',
        functionCount: 0,
        pages: 0,
        errorCode: 'AccessDenied',
        message: 'no',
      }),
      { status: 'access-denied', functionCount: null, pages: null, errorCode: 'AccessDenied', message: 'no' },
    ],
    [
      'a throttled target that got some pages still has no counts',
      targetResult({
        status: 'throttled',
        functionCount: 50,
        pages: 1,
        errorCode: 'TooManyRequestsException',
      }),
      { status: 'throttled', functionCount: null, pages: null, errorCode: 'TooManyRequestsException' },
    ],
    [
      'a region that is not enabled has no counts',
      targetResult({ status: 'region-not-enabled', functionCount: 0, pages: 0 }),
      { status: 'region-not-enabled', functionCount: null, pages: null },
    ],
    [
      'an errored target has no counts',
      targetResult({
        status: 'error',
        functionCount: 0,
        pages: 0,
        errorCode: 'ServiceException',
        message: 'boom',
      }),
      { status: 'error', functionCount: null, pages: null, errorCode: 'ServiceException', message: 'boom' },
    ],
  ] as const)('%s', (_case, result, expected) => {
    // Act
    const [entry] = buildCoverage({
      targets: [target(ACCOUNT_A, 'eu-west-1')],
      results: results(result),
      skipped: [],
    });

    // Assess
    expect(entry).toMatchObject({ accountId: ACCOUNT_A, region: 'eu-west-1', ...expected });
  });

  it('marks targets no partial reports as not-scanned, with null counts', () => {
    // Act
    const coverage = buildCoverage({
      targets: [target(ACCOUNT_A, 'eu-west-1', 'alpha')],
      results: new Map(),
      skipped: [],
    });

    // Assess
    expect(coverage).toEqual([
      {
        accountId: ACCOUNT_A,
        accountName: 'alpha',
        region: 'eu-west-1',
        status: 'not-scanned',
        functionCount: null,
        pages: null,
        durationMs: null,
        errorCode: null,
        message: null,
      },
    ]);
  });

  it("attaches a failed batch's error to its not-scanned targets, and only to those", () => {
    // Prepare
    const failures = new Map<string, BatchFailure>([
      [`${ACCOUNT_A}/us-east-1`, { errorCode: 'States.Timeout', message: 'the batch timed out' }],
      [`${ACCOUNT_A}/eu-west-1`, { errorCode: 'States.Timeout', message: 'the batch timed out' }],
    ]);

    // Act
    const coverage = buildCoverage({
      targets: [target(ACCOUNT_A, 'eu-west-1'), target(ACCOUNT_A, 'us-east-1')],
      // eu-west-1 was reported after all (a retry): its own result wins
      results: results(targetResult({ region: 'eu-west-1' })),
      skipped: [],
      failures,
    });

    // Assess
    expect(coverage.map((e) => [e.region, e.status, e.errorCode, e.message])).toEqual([
      ['eu-west-1', 'ok', null, null],
      ['us-east-1', 'not-scanned', 'States.Timeout', 'the batch timed out'],
    ]);
  });

  it('adds one account-skipped entry per skipped account, with the reason as message', () => {
    // Act
    const coverage = buildCoverage({
      targets: [target(ACCOUNT_A, 'eu-west-1')],
      results: results(targetResult()),
      skipped: [
        skippedAccount({ accountId: ACCOUNT_C, accountName: 'closing', reason: 'account is SUSPENDED' }),
      ],
    });

    // Assess
    expect(coverage[1]).toEqual({
      accountId: ACCOUNT_C,
      accountName: 'closing',
      region: null,
      status: 'account-skipped',
      functionCount: null,
      pages: null,
      durationMs: null,
      errorCode: null,
      message: 'account is SUSPENDED',
    });
  });

  it('sorts entries by account, then region, a skipped account before its regions', () => {
    // Act
    const coverage = buildCoverage({
      targets: [
        target(ACCOUNT_B, 'us-east-1'),
        target(ACCOUNT_A, 'us-east-1'),
        target(ACCOUNT_B, 'eu-west-1'),
      ],
      results: new Map(),
      skipped: [skippedAccount({ accountId: ACCOUNT_B })],
    });

    // Assess
    expect(coverage.map((e) => `${e.accountId}/${e.region}`)).toEqual([
      `${ACCOUNT_A}/us-east-1`,
      `${ACCOUNT_B}/null`,
      `${ACCOUNT_B}/eu-west-1`,
      `${ACCOUNT_B}/us-east-1`,
    ]);
  });

  it('takes the account name from the target, or else from the result', () => {
    // Act
    const coverage = buildCoverage({
      targets: [target(ACCOUNT_A, 'eu-west-1')],
      results: results(targetResult({ accountName: 'from-worker' })),
      skipped: [],
    });

    // Assess
    expect(coverage[0]?.accountName).toBe('from-worker');
  });
});

describe('FunctionTally and buildSummary', () => {
  const rows = [
    scannedFunction({ functionName: 'a', runtime: 'nodejs24.x' }),
    scannedFunction({ functionName: 'b', runtime: 'nodejs24.x', region: 'us-east-1' }),
    scannedFunction({ functionName: 'c', runtime: 'python3.9' }), // deprecated 2025-12-15
    scannedFunction({ functionName: 'd', runtime: 'nodejs18.x', accountId: ACCOUNT_B }), // deprecated 2025-09-01
    scannedFunction({ functionName: 'e', runtime: 'dotnet8', accountId: ACCOUNT_B }), // 2026-11-10: 8 days away
    scannedFunction({ functionName: 'f', runtime: 'python3.9', accountId: ACCOUNT_B }),
    scannedFunction({ functionName: 'g', runtime: null, packageType: 'Image' }),
    scannedFunction({ functionName: 'h', runtime: 'cobol1.0' }),
  ].map((fn) => records.of(fn));

  const coverage: CoverageEntry[] = buildCoverage({
    targets: [target(ACCOUNT_A, 'eu-west-1'), target(ACCOUNT_A, 'us-east-1'), target(ACCOUNT_B, 'eu-west-1')],
    results: results(
      targetResult({ functionCount: 5 }),
      targetResult({ region: 'us-east-1', status: 'throttled' }),
      targetResult({ accountId: ACCOUNT_B, functionCount: 3 }),
    ),
    skipped: [skippedAccount()],
  });

  const build = () => {
    const tally = new FunctionTally();
    for (const row of rows) tally.add(row);
    return buildSummary({
      runId: 'r1',
      startedAt: asOf.toISOString(),
      finishedAt: '2026-11-02T03:10:00.000Z',
      tally,
      targetCount: 3,
      coverage,
    });
  };

  it('produces a summary that satisfies the contract', () => {
    // Act
    const summary = build();

    // Assess
    expect(Summary.safeParse(summary).success).toBe(true);
    expect(summary.functionCount).toBe(8);
  });

  it('counts functions by runtime, with images and runtime-less functions under their own keys', () => {
    // Act
    const { byRuntime } = build();

    // Assess
    expect(byRuntime).toEqual({
      'cobol1.0': 1,
      dotnet8: 1,
      image: 1,
      'nodejs18.x': 1,
      'nodejs24.x': 2,
      'python3.9': 2,
    });
    expect(Object.keys(byRuntime)).toEqual(Object.keys(byRuntime).sort());
  });

  it('counts functions by account, region and runtime status (every status present)', () => {
    // Act
    const summary = build();

    // Assess
    expect(summary.byAccount).toEqual({ [ACCOUNT_A]: 5, [ACCOUNT_B]: 3 });
    expect(summary.byRegion).toEqual({ 'eu-west-1': 7, 'us-east-1': 1 });
    expect(summary.byRuntimeStatus).toEqual({
      supported: 2,
      'deprecating-soon': 1,
      deprecated: 3,
      unknown: 1,
      image: 1,
    });
  });

  it('summarises coverage: targets, scanned ok, entries by status and skipped accounts', () => {
    // Act
    const { coverage: summary } = build();

    // Assess
    expect(summary).toEqual({
      targets: 3,
      scanned: 2,
      byStatus: {
        ok: 2,
        'access-denied': 0,
        'region-not-enabled': 0,
        throttled: 1,
        error: 0,
        'account-skipped': 1,
        'not-scanned': 0,
      },
      skippedAccounts: 1,
    });
  });

  it('lists deprecated and deprecating-soon runtimes with counts, earliest deprecation first', () => {
    // Act
    const { deprecated } = build();

    // Assess
    expect(deprecated).toEqual([
      {
        runtime: 'nodejs18.x',
        runtimeStatus: 'deprecated',
        deprecationDate: '2025-09-01',
        blockUpdateDate: '2027-03-03',
        functionCount: 1,
      },
      {
        runtime: 'python3.9',
        runtimeStatus: 'deprecated',
        deprecationDate: '2025-12-15',
        blockUpdateDate: '2027-03-03',
        functionCount: 2,
      },
      {
        runtime: 'dotnet8',
        runtimeStatus: 'deprecating-soon',
        deprecationDate: '2026-11-10',
        blockUpdateDate: '2027-03-03',
        functionCount: 1,
      },
    ]);
  });

  it('gives the same counts when tallies made elsewhere are added as data', () => {
    // Prepare: rows tallied in two parts, as digest threads tally each target's rows
    const parts = [rows.slice(0, 3), rows.slice(3)].map((part) => {
      const tally = new FunctionTally();
      for (const row of part) tally.add(row);
      return structuredClone(tally.toData());
    });
    const whole = new FunctionTally();
    for (const row of rows) whole.add(row);

    // Act
    const merged = new FunctionTally();
    for (const part of parts) merged.addData(part);

    // Assess
    expect(merged.counts()).toEqual(whole.counts());
    expect(merged.counts().deprecated.find((d) => d.runtime === 'python3.9')?.functionCount).toBe(2);
  });

  it('summarises an empty run with zero functions and no deprecated runtimes', () => {
    // Act
    const summary = buildSummary({
      runId: 'r1',
      startedAt: asOf.toISOString(),
      finishedAt: asOf.toISOString(),
      tally: new FunctionTally(),
      targetCount: 0,
      coverage: [],
    });

    // Assess
    expect(summary).toMatchObject({ functionCount: 0, byRuntime: {}, byAccount: {}, deprecated: [] });
    expect(Summary.safeParse(summary).success).toBe(true);
  });
});

describe('compareFunctions', () => {
  it('orders rows by account, region, function name, version', () => {
    // Prepare
    const rows = [
      scannedFunction({ accountId: ACCOUNT_B, functionName: 'a' }),
      scannedFunction({ region: 'us-east-1', functionName: 'a' }),
      scannedFunction({ functionName: 'b' }),
      scannedFunction({ functionName: 'a', version: '2' }),
      scannedFunction({ functionName: 'a', version: '1' }),
      scannedFunction({ functionName: 'B' }),
    ].map((fn) => records.of(fn));

    // Act
    const sorted = rows
      .sort(compareFunctions)
      .map((r) => `${r.accountId}/${r.region}/${r.functionName}/${r.version}`);

    // Assess
    expect(sorted).toEqual([
      `${ACCOUNT_A}/eu-west-1/B/$LATEST`,
      `${ACCOUNT_A}/eu-west-1/a/1`,
      `${ACCOUNT_A}/eu-west-1/a/2`,
      `${ACCOUNT_A}/eu-west-1/b/$LATEST`,
      `${ACCOUNT_A}/us-east-1/a/$LATEST`,
      `${ACCOUNT_B}/eu-west-1/a/$LATEST`,
    ]);
  });
});

describe('FunctionRecords', () => {
  it('adds the lifecycle as of the given date and keeps every scanned field, in contract order', () => {
    // Prepare
    const scanned = scannedFunction({ runtime: 'nodejs20.x', environmentVariableNames: ['SECRET_NAME'] });

    // Act
    const record = records.of(scanned);

    // Assess
    expect(record).toEqual({
      ...scanned,
      runtimeStatus: 'deprecated',
      deprecationDate: '2026-04-30',
      blockCreateDate: '2027-02-01',
      blockUpdateDate: '2027-03-03',
    });
    expect(Object.keys(record)).toEqual(Object.keys(FunctionRecord.shape));
  });

  it('gives an image function the image status, whatever runtime its partial names', () => {
    // Prepare: a zip function of the runtime first, so its lifecycle is already worked out
    const fresh = new FunctionRecords(asOf);
    fresh.of(scannedFunction({ runtime: 'python3.9' }));

    // Act
    const image = fresh.of(scannedFunction({ runtime: 'python3.9', packageType: 'Image' }));

    // Assess
    expect(image).toMatchObject({
      runtimeStatus: 'image',
      deprecationDate: null,
      blockCreateDate: null,
      blockUpdateDate: null,
    });
  });

  it.each([
    ['a runtime the data does not know', 'cobol1.0', 'unknown'],
    ['no runtime at all', null, 'unknown'],
    ['a runtime named like an Object.prototype key', 'constructor', 'unknown'],
    ['a runtime deprecating within 180 days', 'dotnet8', 'deprecating-soon'],
    ['a supported runtime', 'nodejs24.x', 'supported'],
  ])('classifies %s as %s', (_case, runtime, status) => {
    // Act
    const record = new FunctionRecords(asOf).of(scannedFunction({ runtime }));

    // Assess
    expect(record.runtimeStatus).toBe(status);
  });

  it('takes the lifecycle of the date it was made for, not of today', () => {
    // Act
    const before = new FunctionRecords(new Date('2025-01-01T00:00:00Z')).of(
      scannedFunction({ runtime: 'python3.9' }),
    );

    // Assess
    expect(before.runtimeStatus).toBe('supported');
  });
});

describe('finishedAt', () => {
  it.each([
    ["the run's start when there are no results", [], '2026-11-02T03:00:00.000Z'],
    [
      'the latest scan among the results, whatever their order',
      ['2026-11-02T03:04:00.000Z', '2026-11-02T03:09:30.000Z', '2026-11-02T03:01:00.000Z'],
      '2026-11-02T03:09:30.000Z',
    ],
    [
      'a scan written with less precision, compared as time',
      ['2026-11-02T03:04:00Z'],
      '2026-11-02T03:04:00Z',
    ],
  ] as const)('is %s', (_case, scans, expected) => {
    // Act
    const at = finishedAt(
      scans.map((scannedAt) => targetResult({ scannedAt })),
      '2026-11-02T03:00:00.000Z',
    );

    // Assess
    expect(at).toBe(expected);
  });
});

describe('reportKeysFor', () => {
  it("dates the report folder by the run's start (UTC) and names plain files", () => {
    // Act
    const reportKeys = reportKeysFor('r1', '2026-11-02T23:59:59.999Z', false);

    // Assess
    expect(reportKeys).toEqual({
      prefix: 'reports/2026-11-02/r1/',
      inventoryJson: 'reports/2026-11-02/r1/inventory.json',
      inventoryCsv: 'reports/2026-11-02/r1/inventory.csv',
      summaryJson: 'reports/2026-11-02/r1/summary.json',
      coverageCsv: 'reports/2026-11-02/r1/coverage.csv',
      compression: 'none',
      reportHtml: 'reports/2026-11-02/r1/report.html',
      gapsCsv: 'reports/2026-11-02/r1/gaps.csv',
    });
  });

  it('names .gz inventory files when compressed, and keeps summary, coverage, page and gaps plain', () => {
    // Act
    const reportKeys = reportKeysFor('r1', '2026-11-02T03:00:00.000Z', true);

    // Assess
    expect(reportKeys).toEqual({
      prefix: 'reports/2026-11-02/r1/',
      inventoryJson: 'reports/2026-11-02/r1/inventory.json.gz',
      inventoryCsv: 'reports/2026-11-02/r1/inventory.csv.gz',
      summaryJson: 'reports/2026-11-02/r1/summary.json',
      coverageCsv: 'reports/2026-11-02/r1/coverage.csv',
      compression: 'gzip',
      reportHtml: 'reports/2026-11-02/r1/report.html',
      gapsCsv: 'reports/2026-11-02/r1/gaps.csv',
    });
  });
});

describe('supersedes', () => {
  const current = { runId: 'run-b', startedAt: '2026-11-02T03:00:00.000Z' };

  it.each([
    ['a later start', { runId: 'run-a', startedAt: '2026-11-03T03:00:00.000Z' }, true],
    ['an earlier start', { runId: 'run-z', startedAt: '2026-11-01T03:00:00.000Z' }, false],
    ['the same start and a higher run id', { runId: 'run-c', startedAt: '2026-11-02T03:00:00.000Z' }, true],
    ['the same start and a lower run id', { runId: 'run-a', startedAt: '2026-11-02T03:00:00.000Z' }, false],
    ['the same run reduced again', { runId: 'run-b', startedAt: '2026-11-02T03:00:00.000Z' }, true],
    [
      'the same instant written with less precision',
      { runId: 'run-a', startedAt: '2026-11-02T03:00:00Z' },
      false,
    ],
  ])('is %s -> %s', (_case, candidate, expected) => {
    // Assess
    expect(supersedes(candidate, current)).toBe(expected);
  });
});

describe('PartialScreen', () => {
  const planned = [target(ACCOUNT_A, 'eu-west-1'), target(ACCOUNT_A, 'us-east-1')];
  const rows = (region: string, functionCount = 1, accountId = ACCOUNT_A) => ({
    target: `${accountId}/${region}`,
    functionCount,
  });

  it('takes a planned target and its rows from the first partial that reports it', () => {
    // Prepare
    const screen = new PartialScreen(planned);
    const first = targetResult({ functionCount: 2 });
    const kept = rows('eu-west-1', 2);

    // Act
    const accepted = screen.accept({ targets: [first], groups: [kept] });
    const again = screen.accept({
      targets: [targetResult({ functionCount: 1, durationMs: 999 })],
      groups: [rows('eu-west-1')],
    });

    // Assess
    expect(accepted).toEqual([kept]);
    expect(again).toEqual([]);
    expect([...screen.results.values()]).toEqual([first]);
    expect(screen.ignoredLines()).toEqual({
      targetLines: 1,
      functionLines: 1,
      unplanned: [],
      repeated: [`${ACCOUNT_A}/eu-west-1`],
      withoutTargetLine: [],
    });
  });

  it.each([
    [
      'a target the plan did not plan',
      { targets: [targetResult({ accountId: ACCOUNT_B })], groups: [rows('eu-west-1', 3, ACCOUNT_B)] },
      {
        targetLines: 1,
        functionLines: 3,
        unplanned: [`${ACCOUNT_B}/eu-west-1`],
        repeated: [],
        withoutTargetLine: [],
      },
    ],
    [
      "rows without their target's line in the partial",
      { targets: [targetResult()], groups: [rows('us-east-1', 2)] },
      {
        targetLines: 0,
        functionLines: 2,
        unplanned: [],
        repeated: [],
        withoutTargetLine: [`${ACCOUNT_A}/us-east-1`],
      },
    ],
  ])('leaves out %s', (_case, partial, ignored) => {
    // Prepare
    const screen = new PartialScreen(planned);

    // Act
    const accepted = screen.accept(partial);

    // Assess
    expect(accepted).toEqual([]);
    expect(screen.ignoredLines()).toEqual(ignored);
  });

  it('keeps the accepted groups in their order and leaves out only the others', () => {
    // Prepare
    const screen = new PartialScreen(planned);
    const groups = [rows('eu-west-1'), rows('eu-west-1', 1, ACCOUNT_B), rows('us-east-1')];

    // Act
    const accepted = screen.accept({
      targets: [targetResult({ region: 'us-east-1' }), targetResult()],
      groups,
    });

    // Assess
    expect(accepted).toEqual([groups[0], groups[2]]);
  });

  it('reports nothing ignored when every line counts', () => {
    // Prepare
    const screen = new PartialScreen(planned);

    // Act
    screen.accept({ targets: [targetResult()], groups: [rows('eu-west-1')] });

    // Assess
    expect(screen.ignoredLines()).toBeUndefined();
  });
});
