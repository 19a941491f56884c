/** Builders for the report tests: inventory rows, coverage entries and summaries as reduce makes them. */
import type { CoverageEntry, FunctionRecord, Summary } from '../../shared/contracts.ts';

export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';
export const ACCOUNT_C = '333333333333';
export const ACCOUNT_D = '444444444444';

const LIFECYCLE: Record<
  string,
  Pick<FunctionRecord, 'runtimeStatus' | 'deprecationDate' | 'blockCreateDate' | 'blockUpdateDate'>
> = {
  'nodejs24.x': {
    runtimeStatus: 'supported',
    deprecationDate: '2028-04-30',
    blockCreateDate: '2028-06-01',
    blockUpdateDate: '2028-07-01',
  },
  'nodejs22.x': {
    runtimeStatus: 'deprecating-soon',
    deprecationDate: '2027-04-30',
    blockCreateDate: '2027-06-01',
    blockUpdateDate: '2027-07-01',
  },
  'python3.9': {
    runtimeStatus: 'deprecated',
    deprecationDate: '2025-12-15',
    blockCreateDate: '2027-02-01',
    blockUpdateDate: '2027-03-03',
  },
  'nodejs16.x': {
    runtimeStatus: 'deprecated',
    deprecationDate: '2024-06-12',
    blockCreateDate: '2027-02-01',
    blockUpdateDate: '2027-03-03',
  },
};

/** A function row; the runtime's lifecycle follows the runtime (as of a run in November 2026). */
export function functionRecord(overrides: Partial<FunctionRecord> = {}): FunctionRecord {
  const accountId = overrides.accountId ?? ACCOUNT_A;
  const region = overrides.region ?? 'eu-west-1';
  const functionName = overrides.functionName ?? 'orders-api';
  const runtime = overrides.runtime === undefined ? 'nodejs24.x' : overrides.runtime;
  const lifecycle =
    overrides.packageType === 'Image'
      ? {
          runtimeStatus: 'image' as const,
          deprecationDate: null,
          blockCreateDate: null,
          blockUpdateDate: null,
        }
      : (LIFECYCLE[runtime ?? ''] ?? {
          runtimeStatus: 'unknown' as const,
          deprecationDate: null,
          blockCreateDate: null,
          blockUpdateDate: null,
        });
  return {
    accountId,
    accountName: `name-${accountId.slice(0, 3)}`,
    region,
    functionName,
    functionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    runtime,
    packageType: 'Zip',
    architectures: ['arm64'],
    memorySize: 256,
    timeout: 30,
    ephemeralStorage: 512,
    codeSize: 1024,
    handler: 'index.handler',
    lastModified: '2026-10-01T10:00:00.000+0000',
    role: `arn:aws:iam::${accountId}:role/${functionName}-role`,
    layers: [],
    tracingMode: 'PassThrough',
    snapStart: null,
    environmentVariableNames: [],
    version: '$LATEST',
    ...lifecycle,
    ...overrides,
  };
}

export function coverageEntry(overrides: Partial<CoverageEntry> = {}): CoverageEntry {
  const status = overrides.status ?? 'ok';
  return {
    accountId: ACCOUNT_A,
    accountName: 'name-111',
    region: 'eu-west-1',
    status,
    functionCount: status === 'ok' ? 0 : null,
    pages: status === 'ok' ? 1 : null,
    durationMs: status === 'ok' ? 120 : null,
    errorCode: null,
    message: null,
    ...overrides,
  };
}

/** An access-denied target, as the worker reports a missing member role. */
export const deniedEntry = (accountId: string, region: string): CoverageEntry =>
  coverageEntry({
    accountId,
    accountName: `name-${accountId.slice(0, 3)}`,
    region,
    status: 'access-denied',
    errorCode: 'AccessDenied',
    message: `User is not authorized to perform: sts:AssumeRole on arn:aws:iam::${accountId}:role/CrossAccountListFunctionsRole`,
  });

/** The summary of `records` and `coverage`, counted here independently of reduce's own tally. */
export function summaryOf(
  records: readonly FunctionRecord[],
  coverage: readonly CoverageEntry[],
  runId = 'run-2026-11-02',
): Summary {
  const count = (key: (record: FunctionRecord) => string) => {
    const counts: Record<string, number> = {};
    for (const record of records) counts[key(record)] = (counts[key(record)] ?? 0) + 1;
    return counts;
  };
  const byStatus: Record<string, number> = {};
  for (const entry of coverage) byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
  const runtimeStatus = count((r) => r.runtimeStatus);
  return {
    runId,
    startedAt: '2026-11-02T03:00:00.000Z',
    finishedAt: '2026-11-02T03:05:00.000Z',
    functionCount: records.length,
    byRuntime: count((r) => (r.packageType === 'Image' ? 'image' : (r.runtime ?? '(none)'))),
    byAccount: count((r) => r.accountId),
    byRegion: count((r) => r.region),
    byRuntimeStatus: Object.fromEntries(
      ['supported', 'deprecating-soon', 'deprecated', 'unknown', 'image'].map((s) => [
        s,
        runtimeStatus[s] ?? 0,
      ]),
    ),
    coverage: {
      targets: coverage.filter((e) => e.region !== null).length,
      scanned: byStatus.ok ?? 0,
      byStatus,
      skippedAccounts: byStatus['account-skipped'] ?? 0,
    },
    deprecated: [],
  };
}
