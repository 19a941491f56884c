/**
 * The messages and metrics a completed run sends (shared/signals.ts), which reduce builds and the
 * deployed topic, bus and alarms route: what a subscriber, an EventBridge rule and the coverage alarm
 * receive.
 */
import { describe, expect, it } from 'vitest';
import { CoverageStatus } from '../../shared/contracts.ts';
import {
  coveragePercent,
  EVENT_TYPE_ATTRIBUTE,
  METRICS,
  NEWLY_DEPRECATED_LISTED,
  type NewlyDeprecatedFunction,
  RUN_COMPLETED_EVENT,
  RunCompletedDetail,
  RunCompletedMessage,
  runCompletedEntry,
  runCompletedNotification,
  runMetrics,
} from '../../shared/signals.ts';

const deprecatedFunction = (index: number): NewlyDeprecatedFunction => ({
  accountId: '111111111111',
  accountName: 'payments-prod',
  region: 'eu-west-1',
  functionName: `orders-api-${index}`,
  runtime: 'nodejs20.x',
  deprecationDate: '2026-04-30',
  blockUpdateDate: '2027-03-03',
});

function detail(overrides: Partial<RunCompletedDetail> = {}): RunCompletedDetail {
  return RunCompletedDetail.parse({
    schemaVersion: 1,
    runId: 'run-2026-12-03',
    startedAt: '2026-12-03T03:00:00.000Z',
    finishedAt: '2026-12-03T03:41:07.250Z',
    functionCount: 1234,
    deprecatedCount: 56,
    deprecatingSoonCount: 78,
    coverage: {
      targets: 200,
      scanned: 190,
      byStatus: { ok: 180, 'region-not-enabled': 10, 'access-denied': 8, throttled: 2 },
      skippedAccounts: 1,
      percent: 95,
    },
    newlyDeprecated: {
      previousRunId: 'run-2026-12-02',
      count: 2,
      functions: [deprecatedFunction(1), deprecatedFunction(2)],
    },
    report: {
      bucket: 'inventory-bucket',
      keys: {
        prefix: 'reports/2026-12-03/run-2026-12-03/',
        inventoryJson: 'reports/2026-12-03/run-2026-12-03/inventory.json.gz',
        inventoryCsv: 'reports/2026-12-03/run-2026-12-03/inventory.csv.gz',
        summaryJson: 'reports/2026-12-03/run-2026-12-03/summary.json',
        coverageCsv: 'reports/2026-12-03/run-2026-12-03/coverage.csv',
        compression: 'gzip',
      },
    },
    ...overrides,
  });
}

describe('the completion event', () => {
  it('goes on the given bus with the source and detail type the reduce grant allows', () => {
    // Act
    const entry = runCompletedEntry(detail(), 'default');

    // Assess
    expect(entry).toMatchObject({
      Source: RUN_COMPLETED_EVENT.source,
      DetailType: RUN_COMPLETED_EVENT.detailType,
      EventBusName: 'default',
    });
    expect(RunCompletedDetail.parse(JSON.parse(entry.Detail))).toEqual(detail());
  });

  it(`lists at most ${NEWLY_DEPRECATED_LISTED} newly deprecated functions, naming the list field`, () => {
    // Prepare
    const functions = Array.from({ length: NEWLY_DEPRECATED_LISTED + 1 }, (_, index) =>
      deprecatedFunction(index),
    );

    // Act
    const parsed = RunCompletedDetail.safeParse({
      ...detail(),
      newlyDeprecated: { previousRunId: 'run-2026-12-02', count: functions.length, functions },
    });

    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['newlyDeprecated.functions']);
  });
});

describe('the completion message on the run events topic', () => {
  it('carries the event detail as JSON for every protocol but email, typed for subscribers', () => {
    // Act
    const notification = runCompletedNotification(detail());
    const perProtocol = JSON.parse(notification.Message) as { default: string; email: string };

    // Assess
    expect(notification.MessageStructure).toBe('json');
    expect(RunCompletedMessage.parse(JSON.parse(perProtocol.default))).toEqual({
      type: 'run-completed',
      ...detail(),
    });
    expect(notification.MessageAttributes).toEqual({
      [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: 'run-completed' },
    });
  });

  it('gives email readers the counts, the coverage, the newly deprecated functions and the report', () => {
    // Act
    const { email } = JSON.parse(runCompletedNotification(detail()).Message) as { email: string };

    // Assess
    expect(email.split('\n')).toEqual([
      'Run run-2026-12-03 finished at 2026-12-03T03:41:07.250Z (started 2026-12-03T03:00:00.000Z).',
      '',
      'Functions: 1234 (deprecated runtime: 56, deprecating soon: 78)',
      'Coverage: 95.0% of 200 targets (ok 180, region-not-enabled 10, access-denied 8, throttled 2; skipped accounts: 1)',
      'Newly deprecated since run-2026-12-02: 2',
      '  111111111111 (payments-prod) eu-west-1 orders-api-1: nodejs20.x, deprecated 2026-04-30, updates blocked from 2027-03-03',
      '  111111111111 (payments-prod) eu-west-1 orders-api-2: nodejs20.x, deprecated 2026-04-30, updates blocked from 2027-03-03',
      '',
      'Report: s3://inventory-bucket/reports/2026-12-03/run-2026-12-03/',
      '',
    ]);
  });

  it('says how many newly deprecated functions it leaves out, and when there was nothing to compare with', () => {
    // Act
    const emailOf = (newlyDeprecated: RunCompletedDetail['newlyDeprecated']) =>
      (JSON.parse(runCompletedNotification(detail({ newlyDeprecated })).Message) as { email: string }).email;
    const cut = emailOf({ previousRunId: 'run-2026-12-02', count: 40, functions: [deprecatedFunction(1)] });
    const first = emailOf({ previousRunId: null, count: 0, functions: [] });

    // Assess
    expect(cut).toContain('Newly deprecated since run-2026-12-02: 40\n');
    expect(cut).toContain('  ... and 39 more (see the report');
    expect(first).toContain('Newly deprecated: nothing to compare with (no earlier run)\n');
  });

  it.each([
    [95, '95.0% covered'],
    // never rounded up: 94.99% must not read as the 95% the alarm compares with
    [94.99, '94.9% covered'],
    [100, '100.0% covered'],
  ])('states %s%% coverage as "%s" in the subject', (percent, text) => {
    // Act
    const { Subject } = runCompletedNotification(detail({ coverage: { ...detail().coverage, percent } }));

    // Assess
    expect(Subject).toBe(`lambda-inventory run-2026-12-03: 1234 functions, ${text}`);
  });

  it('keeps the subject within the 100 characters SNS accepts', () => {
    // Act
    const { Subject } = runCompletedNotification(
      detail({ runId: 'r'.repeat(48), functionCount: 1_234_567_890 }),
    );

    // Assess
    expect(Subject.length).toBeLessThanOrEqual(100);
    expect(Subject).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('the metrics of a completed run', () => {
  it('emits the counts and the coverage once, and the targets of every coverage status', () => {
    // Act
    const metrics = runMetrics(detail());

    // Assess
    expect(metrics.slice(0, 4)).toEqual([
      { name: 'Functions', unit: 'Count', value: 1234, dimensions: {} },
      { name: 'DeprecatedFunctions', unit: 'Count', value: 56, dimensions: {} },
      { name: 'DeprecatingSoonFunctions', unit: 'Count', value: 78, dimensions: {} },
      { name: METRICS.names.coveragePercent, unit: 'Percent', value: 95, dimensions: {} },
    ]);
    expect(metrics.slice(4)).toEqual(
      CoverageStatus.options.map((status) => ({
        name: 'Targets',
        unit: 'Count',
        value: { ok: 180, 'region-not-enabled': 10, 'access-denied': 8, throttled: 2 }[status as string] ?? 0,
        dimensions: { Status: status },
      })),
    );
  });
});

describe('coveragePercent', () => {
  it.each([
    ['every target scanned', { targets: 4, byStatus: { ok: 4 } }, 100],
    [
      'regions not enabled, which hold no functions',
      { targets: 4, byStatus: { ok: 2, 'region-not-enabled': 2 } },
      100,
    ],
    ['a denied target', { targets: 4, byStatus: { ok: 3, 'access-denied': 1 } }, 75],
    [
      'throttled and unscanned targets',
      { targets: 4, byStatus: { ok: 2, throttled: 1, 'not-scanned': 1 } },
      50,
    ],
    ['no targets at all', { targets: 0, byStatus: {} }, 0],
  ])('counts %s', (_, coverage, percent) => {
    expect(coveragePercent(coverage)).toBe(percent);
  });
});
