/**
 * Reads the workers' partials (gzip NDJSON, one per batch) with bounded memory: a window of at most
 * `concurrency` partials is fetched and digested ahead, and they are handed out strictly in key
 * order, so the report's rows come out in target order however fast each one finishes.
 */
import { ObjectNotFoundError, type ObjectStore, ObjectStoreError } from '../shared/object-store.ts';
import type { Digester, PartialDigest } from './partial-digest.ts';

/** A partial as stored (gzip): small, about 62 bytes a function. A failed read is an ObjectStoreError naming it. */
export async function fetchPartial(store: ObjectStore, key: string): Promise<Uint8Array> {
  try {
    return await store.get(key);
  } catch (error) {
    if (error instanceof ObjectNotFoundError) throw error;
    throw new ObjectStoreError(`partial ${key} could not be read: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Yields the digests of the partials in the order of `keys`, working on at most `concurrency` of them
 * at a time. A fetch starts only when a slot is free: the window never holds more than `concurrency`
 * partials.
 */
export async function* readPartials(
  store: ObjectStore,
  keys: readonly string[],
  concurrency: number,
  digester: Digester,
): AsyncGenerator<PartialDigest> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  const window: Promise<PartialDigest>[] = [];
  let next = 0;
  const fill = () => {
    while (window.length < concurrency && next < keys.length) {
      const key = keys[next++] as string;
      const reading = fetchPartial(store, key).then((compressed) => digester.digest(key, compressed));
      // read-ahead results are awaited in key order later; until then a failure must not count as unhandled
      reading.catch(() => undefined);
      window.push(reading);
    }
  };
  fill();
  while (window.length > 0) {
    const partial = await (window[0] as Promise<PartialDigest>);
    window.shift();
    fill();
    yield partial;
  }
}
