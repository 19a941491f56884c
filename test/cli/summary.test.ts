import { describe, expect, it } from 'vitest';
import { ProgressReporter, renderBar } from '../../cli/progress.ts';
import { formatDuration, renderSummary } from '../../cli/summary.ts';
import type { Summary, TargetResult } from '../../shared/contracts.ts';
import { coveragePercent } from '../../shared/signals.ts';

const summary: Summary = {
  runId: 'run-1',
  startedAt: '2026-11-28T03:00:00.000Z',
  finishedAt: '2026-11-28T03:01:00.000Z',
  functionCount: 42,
  byRuntime: { 'nodejs24.x': 30, 'python3.8': 10, image: 2 },
  byAccount: { '111111111111': 42 },
  byRegion: { 'eu-west-1': 42 },
  byRuntimeStatus: { supported: 30, deprecated: 10, image: 2 },
  coverage: {
    targets: 4,
    scanned: 2,
    byStatus: { ok: 2, 'region-not-enabled': 1, 'access-denied': 1 },
    skippedAccounts: 1,
  },
  deprecated: [
    {
      runtime: 'python3.8',
      runtimeStatus: 'deprecated',
      deprecationDate: '2024-10-14',
      blockUpdateDate: '2027-03-03',
      functionCount: 10,
    },
  ],
};

const target = (overrides: Partial<TargetResult>): TargetResult => ({
  accountId: '222222222222',
  region: 'eu-west-1',
  status: 'ok',
  functionCount: 3,
  pages: 1,
  durationMs: 10,
  scannedAt: '2026-11-28T03:00:30.000Z',
  ...overrides,
});

describe('coveragePercent', () => {
  it.each([
    [
      {
        targets: 4,
        scanned: 2,
        byStatus: { ok: 2, 'region-not-enabled': 1, 'access-denied': 1 },
        skippedAccounts: 0,
      },
      75,
    ],
    [{ targets: 2, scanned: 2, byStatus: { ok: 2 }, skippedAccounts: 0 }, 100],
    [
      { targets: 3, scanned: 0, byStatus: { throttled: 1, error: 1, 'not-scanned': 1 }, skippedAccounts: 0 },
      0,
    ],
    [{ targets: 0, scanned: 0, byStatus: {}, skippedAccounts: 2 }, 0],
  ])('counts scanned and not-enabled targets as covered (%j -> %d%%)', (coverage, expected) => {
    expect(coveragePercent(coverage)).toBe(expected);
  });
});

describe('renderSummary', () => {
  const text = renderSummary({
    summary,
    problems: [target({ status: 'access-denied', errorCode: 'AccessDenied', functionCount: 0 }), target({})],
    skipped: [
      { accountId: '333333333333', accountName: 'legacy', state: 'SUSPENDED', reason: 'state SUSPENDED' },
    ],
    reportLocation: '/tmp/out/reports/2026-11-28/run-1/',
    durationMs: 4_200,
    minCoverage: 80,
  });

  it('shows counts by runtime status, including zero rows', () => {
    expect(text).toMatch(/supported\s+30/);
    expect(text).toMatch(/deprecating-soon\s+0/);
    expect(text).toMatch(/deprecated\s+10/);
  });

  it('lists deprecated runtimes with their dates', () => {
    expect(text).toMatch(/python3\.8\s+deprecated\s+2024-10-14\s+10/);
  });

  it('flags coverage below the required minimum and names the gaps', () => {
    expect(text).toContain('Coverage: 75.0% of 4 targets (account x region), BELOW the required 80%');
    expect(text).toContain('skipped account 333333333333 (legacy): state SUSPENDED');
    expect(text).toMatch(/access-denied\s+222222222222 eu-west-1 AccessDenied/);
    expect(text).not.toMatch(/^\s+ok\s+222222222222/m);
  });

  it('adds the change since the previous run and the deployed cost before the report line, when given', () => {
    // Act
    const lines = renderSummary({
      summary,
      problems: [],
      skipped: [],
      reportLocation: 'r',
      durationMs: 1,
      minCoverage: 0,
      changesLine: '+3 −1 ~2 functions, 1 newly deprecated since run-0',
      costLine: 'Deployed, this run would cost about $0.01',
    }).split('\n');

    // Assess
    expect(lines.slice(-3)).toEqual([
      '+3 −1 ~2 functions, 1 newly deprecated since run-0',
      'Deployed, this run would cost about $0.01',
      'Report: r',
    ]);
  });

  it('says where the report is', () => {
    expect(text).toContain('Report: /tmp/out/reports/2026-11-28/run-1/');
    expect(text).toContain('Run run-1: 42 functions in 4.2 s');
  });
});

describe('formatDuration', () => {
  it.each([
    [350, '350 ms'],
    [4_200, '4.2 s'],
    [185_000, '3 min 5 s'],
  ])('formats %d ms as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('ProgressReporter', () => {
  it('prints one plain line per target when not on a TTY', () => {
    const written: string[] = [];
    const progress = new ProgressReporter({ isTTY: false, write: (text) => written.push(text) });
    progress.planned(2, 1, 0);
    progress.batchDone([
      target({ functionCount: 7 }),
      target({ region: 'us-east-1', status: 'throttled', errorCode: 'TooManyRequestsException' }),
    ]);
    expect(written).toEqual([
      'planned 2 targets in 1 account\n',
      '[1/2] 222222222222 eu-west-1: ok (7 functions)\n',
      '[2/2] 222222222222 us-east-1: throttled (TooManyRequestsException)\n',
    ]);
    expect(progress.snapshot).toEqual({ total: 2, done: 2, functions: 7, gaps: 1 });
  });

  it('redraws a single bar on a TTY', () => {
    const written: string[] = [];
    const progress = new ProgressReporter({ isTTY: true, write: (text) => written.push(text) });
    progress.planned(4, 2, 1);
    progress.batchDone([target({ functionCount: 5 })]);
    expect(written.at(-1)).toBe(`\r${renderBar({ total: 4, done: 1, functions: 5, gaps: 0 })}\x1b[K`);
    expect(renderBar({ total: 4, done: 1, functions: 5, gaps: 0 })).toBe(
      '[######------------------] 1/4 targets | 5 functions | 0 not scanned',
    );
  });
});

describe('renderSummary gaps', () => {
  it('lists only real gaps and hides statuses nobody had', () => {
    const text = renderSummary({
      summary: {
        ...summary,
        coverage: { ...summary.coverage, byStatus: { ...summary.coverage.byStatus, throttled: 0 } },
      },
      problems: [target({ status: 'region-not-enabled', errorCode: 'UnrecognizedClientException' })],
      skipped: [],
      reportLocation: 'r',
      durationMs: 1,
      minCoverage: 0,
    });
    expect(text).toMatch(/^\s+region-not-enabled\s+1$/m);
    expect(text).not.toMatch(/region-not-enabled\s+222222222222/);
    expect(text).not.toMatch(/throttled/);
  });
});

describe('ProgressReporter gaps', () => {
  it('does not count a region the account has not enabled as a gap', () => {
    const progress = new ProgressReporter({ isTTY: false, write: () => true });
    progress.planned(3, 1, 0);

    progress.batchDone([
      target({ status: 'region-not-enabled', functionCount: 0 }),
      target({ status: 'access-denied', functionCount: 0 }),
      target({ functionCount: 4 }),
    ]);

    expect(progress.snapshot).toEqual({ total: 3, done: 3, functions: 4, gaps: 1 });
  });
});

describe('ProgressReporter on failed batches', () => {
  it('counts the targets of a failed batch as done and unscanned', () => {
    const written: string[] = [];
    const progress = new ProgressReporter({ isTTY: false, write: (text) => written.push(text) });
    progress.planned(3, 2, 0);

    progress.batchFailed(
      [
        { accountId: '111111111111', region: 'eu-west-1' },
        { accountId: '111111111111', region: 'us-east-1' },
      ],
      'ObjectStoreError',
    );

    expect(written.slice(1)).toEqual([
      '[1/3] 111111111111 eu-west-1: not-scanned (ObjectStoreError)\n',
      '[2/3] 111111111111 us-east-1: not-scanned (ObjectStoreError)\n',
    ]);
    expect(progress.snapshot).toEqual({ total: 3, done: 2, functions: 0, gaps: 2 });
  });
});
