/**
 * The batch's partial: gzip NDJSON of `PartialLine`, one object per batch, under its scan's prefix.
 * The key comes from the batch's first target plus a hash of all its targets, so a retried batch
 * overwrites its own object and sorting the keys gives target order.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Target } from '../../shared/contracts.ts';
import { ObjectStoreError } from '../../shared/errors.ts';
import { keys } from '../../shared/keys.ts';
import { compareTargets } from '../shared/compare.ts';
import type { ObjectWriter } from '../shared/object-writer.ts';
import type { TargetScan } from './scan-batch.ts';

const gzipAsync = promisify(gzip);

/**
 * Partials are working data, read once by reduce and then expired: level 3 takes less than half the
 * CPU of zlib's default 6 for partials about a sixth larger (bench/worker-records.ts).
 */
export const PARTIAL_GZIP_LEVEL = 3;

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

/**
 * Each target's status line followed by its functions, as `PartialLine` JSON: the line envelope is
 * written around each record's JSON rather than wrapping every record in an object to stringify.
 */
export function partialText(scans: readonly TargetScan[]): string {
  let text = '';
  for (const { result, functions } of scans) {
    text += `{"kind":"target","target":${JSON.stringify(result)}}\n`;
    for (const scanned of functions) text += `{"kind":"function","function":${JSON.stringify(scanned)}}\n`;
  }
  return text;
}

export function encodePartial(scans: readonly TargetScan[]): Promise<Buffer> {
  return gzipAsync(partialText(scans), { level: PARTIAL_GZIP_LEVEL });
}

/** A failed write throws ObjectStoreError: the workflow retries the batch on that name. */
export async function writePartial(
  store: ObjectWriter,
  key: string,
  scans: readonly TargetScan[],
): Promise<void> {
  const body = await encodePartial(scans);
  try {
    await store.put(key, body, 'application/gzip');
  } catch (error) {
    throw new ObjectStoreError(
      `writing partial ${key} to ${store.location} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
