/**
 * The batch's partial: gzip NDJSON of `PartialLine`, one object per batch, under its scan's prefix.
 * The key comes from the batch's first target plus a hash of all its targets, so a retried batch
 * overwrites its own object and sorting the keys gives target order.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { PartialLine, Target } from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import { compareTargets } from '../shared/compare.ts';
import { type ObjectStore, ObjectStoreError } from '../shared/object-store.ts';
import type { TargetScan } from './scan-batch.ts';

const gzipAsync = promisify(gzip);

export function partialKey(runId: string, scanId: string, targets: Target[]): string {
  const sorted = [...targets].sort(compareTargets);
  const first = sorted[0];
  if (!first) throw new RangeError('a partial needs at least one target');
  const hash = createHash('sha256')
    .update(sorted.map((target) => `${target.accountId}/${target.region}`).join('\n'))
    .digest('hex')
    .slice(0, 8);
  return keys.partial(runId, scanId, `${first.accountId}-${first.region}-${hash}`);
}

/** Each target's status line, followed by its functions. */
export function partialLines(scans: TargetScan[]): PartialLine[] {
  return scans.flatMap(({ result, functions }): PartialLine[] => [
    { kind: 'target', target: result },
    ...functions.map((scanned): PartialLine => ({ kind: 'function', function: scanned })),
  ]);
}

export function encodePartial(lines: PartialLine[]): Promise<Buffer> {
  return gzipAsync(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
}

/** A failed write throws ObjectStoreError: the workflow retries the batch on that name. */
export async function writePartial(store: ObjectStore, key: string, lines: PartialLine[]): Promise<void> {
  const body = await encodePartial(lines);
  try {
    await store.put(key, body, 'application/gzip');
  } catch (error) {
    throw new ObjectStoreError(
      `writing partial ${key} to ${store.location} failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
