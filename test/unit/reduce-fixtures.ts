/** Builders for reduce tests: a run's plan, targets and worker partials, as the other steps write them. */
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Logger } from '@aws-lambda-powertools/logger';
import { type ObjectStore, putJson } from '../../functions/shared/object-store.ts';
import type {
  PartialLine,
  PlanOutput,
  ScannedFunction,
  SkippedAccount,
  Target,
  TargetResult,
} from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';
export const ACCOUNT_C = '333333333333';

export const silentLogger = (): Logger => new Logger({ logLevel: 'SILENT' });

export function scannedFunction(overrides: Partial<ScannedFunction> = {}): ScannedFunction {
  const accountId = overrides.accountId ?? ACCOUNT_A;
  const region = overrides.region ?? 'eu-west-1';
  const functionName = overrides.functionName ?? 'orders-api';
  return {
    accountId,
    accountName: 'alpha',
    region,
    functionName,
    functionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    runtime: 'nodejs24.x',
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
    ...overrides,
  };
}

export function targetResult(overrides: Partial<TargetResult> = {}): TargetResult {
  return {
    accountId: ACCOUNT_A,
    region: 'eu-west-1',
    status: 'ok',
    functionCount: 0,
    pages: 1,
    durationMs: 120,
    scannedAt: '2026-11-02T03:00:10.000Z',
    ...overrides,
  };
}

export const SCAN_ID = '5ca1ab1e0001';

export function planOutput(overrides: Partial<PlanOutput> = {}): PlanOutput {
  const runId = overrides.runId ?? 'run-2026-11-02';
  return {
    runId,
    scanId: SCAN_ID,
    startedAt: '2026-11-02T03:00:00.000Z',
    bucket: 'inventory-bucket',
    targetsKey: keys.targets(runId),
    targetCount: 1,
    accountCount: 1,
    batchSize: 20,
    regions: ['eu-west-1'],
    skippedCount: 0,
    skippedKey: keys.skipped(runId),
    ...overrides,
  };
}

export const targetLine = (target: TargetResult): PartialLine => ({ kind: 'target', target });
export const functionLine = (fn: ScannedFunction): PartialLine => ({ kind: 'function', function: fn });

/** A partial as the worker writes it: gzip NDJSON, one line per target and per function. */
export function partialBody(lines: readonly (PartialLine | string)[]): Uint8Array {
  const text = lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n');
  return gzipSync(`${text}\n`);
}

export interface RunFixture {
  plan: PlanOutput;
  targets: Target[];
  /** The plan's skipped accounts (skipped.json). */
  skipped: SkippedAccount[];
  /** Partial name (as in keys.partial, under the plan's scan) -> its lines. */
  partials: Record<string, readonly (PartialLine | string)[]>;
}

/** Writes the run's files as the plan and the workers of its scan would. */
export async function writeRun(store: ObjectStore, run: RunFixture): Promise<void> {
  await putJson(store, keys.targets(run.plan.runId), run.targets);
  await putJson(store, run.plan.skippedKey, run.skipped);
  for (const [name, lines] of Object.entries(run.partials)) {
    await store.put(keys.partial(run.plan.runId, run.plan.scanId, name), partialBody(lines));
  }
}

export const skippedAccount = (overrides: Partial<SkippedAccount> = {}): SkippedAccount => ({
  accountId: ACCOUNT_C,
  accountName: 'closing',
  state: 'SUSPENDED',
  reason: 'account is SUSPENDED',
  ...overrides,
});

/**
 * A small run: account A scanned in two regions (one batch), account B denied in one region and
 * never reported in another, account C skipped by the plan.
 */
export function sampleRun(overrides: Partial<PlanOutput> = {}): RunFixture {
  const plan = planOutput({
    targetCount: 4,
    accountCount: 3,
    regions: ['eu-west-1', 'us-east-1'],
    skippedCount: 1,
    ...overrides,
  });
  const targets: Target[] = [
    { accountId: ACCOUNT_A, accountName: 'alpha', region: 'eu-west-1' },
    { accountId: ACCOUNT_A, accountName: 'alpha', region: 'us-east-1' },
    { accountId: ACCOUNT_B, accountName: 'beta', region: 'eu-west-1' },
    { accountId: ACCOUNT_B, accountName: 'beta', region: 'us-east-1' },
  ];
  return {
    plan,
    targets,
    skipped: [skippedAccount()],
    partials: {
      [`${ACCOUNT_A}-eu-west-1-aaaaaaaa`]: [
        targetLine(
          targetResult({ accountName: 'alpha', functionCount: 2, scannedAt: '2026-11-02T03:00:05.000Z' }),
        ),
        targetLine(
          targetResult({
            accountName: 'alpha',
            region: 'us-east-1',
            functionCount: 1,
            scannedAt: '2026-11-02T03:00:07.000Z',
          }),
        ),
        // out of order on purpose: reduce sorts a partial's rows
        functionLine(
          scannedFunction({
            functionName: 'zeta',
            runtime: 'python3.9',
            environmentVariableNames: ['DB_HOST'],
          }),
        ),
        functionLine(scannedFunction({ functionName: 'alpha', runtime: 'nodejs24.x' })),
        functionLine(
          scannedFunction({
            region: 'us-east-1',
            functionName: 'image-fn',
            runtime: null,
            packageType: 'Image',
          }),
        ),
      ],
      [`${ACCOUNT_B}-eu-west-1-bbbbbbbb`]: [
        targetLine(
          targetResult({
            accountId: ACCOUNT_B,
            accountName: 'beta',
            status: 'access-denied',
            functionCount: 0,
            pages: 0,
            errorCode: 'AccessDenied',
            message: 'not authorized to perform sts:AssumeRole',
            scannedAt: '2026-11-02T03:00:09.000Z',
          }),
        ),
      ],
    },
  };
}

export { MemoryObjectStore as MemoryStore } from '../support/memory-object-store.ts';

/**
 * A memory store whose streamed upload of the key ending in `suffix` takes nothing (so its writer waits
 * on backpressure) and then fails with S3's SlowDown.
 */
export function storeFailingUpload(suffix: string): MemoryObjectStore {
  return new (class extends MemoryObjectStore {
    override putStream(key: string) {
      if (!key.endsWith(suffix)) return super.putStream(key);
      const stream = new Writable({ highWaterMark: 1, write: () => undefined });
      const done = new Promise<void>((_, reject) => {
        setImmediate(() => reject(new Error('SlowDown: reduce your request rate')));
      });
      return { stream, done };
    }
  })();
}
