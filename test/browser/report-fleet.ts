/**
 * A generated run for the HTML report: inventory rows, coverage and the summary, built here with the
 * product's runtime lifecycle data but counted independently of reduce. Deterministic for a seed, so
 * the browser test and the size benchmark see the same fleet every time.
 */

import { runtimeLifecycle } from '../../functions/shared/runtime-lifecycle.ts';
import {
  type CoverageEntry,
  type CoverageStatus,
  DEFAULT_REGIONS,
  type FunctionRecord,
  type Summary,
} from '../../shared/contracts.ts';

export interface FleetSpec {
  accounts: number;
  regions: number;
  functions: number;
  seed?: number;
  /** Share of targets (after the first account) not scanned, spread over the failure statuses. @default 0.05 */
  failureShare?: number;
  /** Skipped (suspended) accounts, besides `accounts`. @default 0 */
  skippedAccounts?: number;
  /** Accounts, from the last one back, whose every region is access-denied (missing role). @default 0 */
  roleGaps?: number;
}

export interface Fleet {
  records: FunctionRecord[];
  coverage: CoverageEntry[];
  summary: Summary;
}

/** The default-enabled regions, then opt-in ones for fleets that span more. */
const REGIONS = [
  ...DEFAULT_REGIONS,
  'af-south-1',
  'ap-east-1',
  'me-south-1',
  'eu-south-1',
  'ap-southeast-3',
  'il-central-1',
  'ca-west-1',
];

/** Runtimes and their weights: about a quarter of the fleet ends up deprecated or deprecating soon. */
const RUNTIMES: [string | null, number][] = [
  ['nodejs24.x', 20],
  ['nodejs22.x', 14],
  ['nodejs20.x', 8],
  ['nodejs18.x', 4],
  ['python3.13', 10],
  ['python3.12', 10],
  ['python3.11', 6],
  ['python3.9', 4],
  ['java21', 6],
  ['java17', 3],
  ['java8.al2', 1],
  ['dotnet8', 3],
  ['provided.al2023', 4],
  ['provided.al2', 2],
  ['go1.x', 1],
  ['ruby3.3', 2],
  ['nodejs16.x', 1],
  [null, 3],
];

const AS_OF = new Date('2026-11-02T03:00:00.000Z');
const FAILURES: CoverageStatus[] = [
  'access-denied',
  'region-not-enabled',
  'throttled',
  'error',
  'not-scanned',
];

/** mulberry32: small, fast and the same everywhere. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const accountIdOf = (index: number) => String(100_000_000_000 + index * 7919);

export function generateFleet(spec: FleetSpec): Fleet {
  const next = random(spec.seed ?? 42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const totalWeight = RUNTIMES.reduce((sum, [, weight]) => sum + weight, 0);
  const pickRuntime = () => {
    let roll = next() * totalWeight;
    for (const [runtime, weight] of RUNTIMES) {
      roll -= weight;
      if (roll < 0) return runtime;
    }
    return 'nodejs24.x';
  };
  const regions = REGIONS.slice(0, spec.regions);
  const gapsFrom = spec.accounts - (spec.roleGaps ?? 0);
  const coverage: CoverageEntry[] = [];
  const okTargets: { accountId: string; accountName: string; region: string; entry: CoverageEntry }[] = [];
  for (let a = 0; a < spec.accounts; a += 1) {
    const accountId = accountIdOf(a);
    const accountName = `team-${a.toString(36)}-${pick(['prod', 'dev', 'stage', 'sandbox'])}`;
    for (const region of regions) {
      let status: CoverageStatus = 'ok';
      if (a >= gapsFrom) status = 'access-denied';
      else if (a > 0 && next() < (spec.failureShare ?? 0.05)) status = pick(FAILURES);
      const entry: CoverageEntry = {
        accountId,
        accountName,
        region,
        status,
        functionCount: status === 'ok' ? 0 : null,
        pages: status === 'ok' ? 0 : null,
        durationMs: status === 'not-scanned' ? null : Math.round(next() * 2000),
        errorCode: status === 'ok' ? null : status === 'access-denied' ? 'AccessDenied' : `${status}-code`,
        message: status === 'ok' ? null : `could not list: ${status}`,
      };
      coverage.push(entry);
      if (status === 'ok') okTargets.push({ accountId, accountName, region, entry });
    }
  }
  for (let s = 0; s < (spec.skippedAccounts ?? 0); s += 1) {
    coverage.push({
      accountId: accountIdOf(spec.accounts + s),
      accountName: `closed-${s}`,
      region: null,
      status: 'account-skipped',
      functionCount: null,
      pages: null,
      durationMs: null,
      errorCode: null,
      message: 'account is SUSPENDED',
    });
  }

  const records: FunctionRecord[] = [];
  for (let f = 0; f < spec.functions; f += 1) {
    const target = pick(okTargets);
    const runtime = pickRuntime();
    const packageType = runtime === null ? 'Image' : 'Zip';
    const functionName = `${pick(['orders', 'billing', 'auth', 'search', 'ingest', 'report', 'notify'])}-${pick(['api', 'worker', 'handler', 'consumer', 'cron'])}-${f.toString(36)}`;
    records.push({
      accountId: target.accountId,
      accountName: target.accountName,
      region: target.region,
      functionName,
      functionArn: `arn:aws:lambda:${target.region}:${target.accountId}:function:${functionName}`,
      runtime,
      packageType,
      architectures: [next() < 0.6 ? 'arm64' : 'x86_64'],
      memorySize: pick([128, 256, 512, 1024, 2048]),
      timeout: pick([3, 30, 60, 900]),
      ephemeralStorage: 512,
      codeSize: Math.floor(next() * 50_000_000),
      handler: packageType === 'Image' ? null : 'index.handler',
      lastModified: `2026-${String(1 + Math.floor(next() * 10)).padStart(2, '0')}-${String(1 + Math.floor(next() * 28)).padStart(2, '0')}T10:00:00.000+0000`,
      role: `arn:aws:iam::${target.accountId}:role/${functionName}`,
      layers: [],
      tracingMode: 'PassThrough',
      snapStart: null,
      environmentVariableNames: ['STAGE'],
      version: '$LATEST',
      ...runtimeLifecycle(runtime, packageType, AS_OF),
    });
    target.entry.functionCount = (target.entry.functionCount ?? 0) + 1;
  }
  return { records, coverage, summary: summarize(records, coverage) };
}

function summarize(records: readonly FunctionRecord[], coverage: readonly CoverageEntry[]): Summary {
  const counts = (key: (record: FunctionRecord) => string) => {
    const result: Record<string, number> = {};
    for (const record of records) result[key(record)] = (result[key(record)] ?? 0) + 1;
    return result;
  };
  const byStatus: Record<string, number> = {};
  for (const entry of coverage) byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
  const byRuntimeStatus = counts((r) => r.runtimeStatus);
  return {
    runId: 'run-2026-11-02',
    startedAt: AS_OF.toISOString(),
    finishedAt: '2026-11-02T03:09:30.000Z',
    functionCount: records.length,
    byRuntime: counts((r) => (r.packageType === 'Image' ? 'image' : (r.runtime ?? '(none)'))),
    byAccount: counts((r) => r.accountId),
    byRegion: counts((r) => r.region),
    byRuntimeStatus: Object.fromEntries(
      ['supported', 'deprecating-soon', 'deprecated', 'unknown', 'image'].map((s) => [
        s,
        byRuntimeStatus[s] ?? 0,
      ]),
    ),
    coverage: {
      targets: coverage.filter((e) => e.region !== null).length,
      scanned: byStatus.ok ?? 0,
      byStatus: Object.fromEntries(
        [
          'ok',
          'access-denied',
          'region-not-enabled',
          'throttled',
          'error',
          'account-skipped',
          'not-scanned',
        ].map((s) => [s, byStatus[s] ?? 0]),
      ),
      skippedAccounts: byStatus['account-skipped'] ?? 0,
    },
    deprecated: [],
  };
}
