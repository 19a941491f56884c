import { describe, expect, it } from 'vitest';
import { InlineDigester, type PartialDigest } from '../../functions/reduce/partial-digest.ts';
import { fetchPartial, readPartials } from '../../functions/reduce/read-partials.ts';
import { ObjectNotFoundError, ObjectStoreError } from '../../functions/shared/object-store.ts';
import { RunDataError } from '../../shared/errors.ts';
import {
  functionLine,
  MemoryStore,
  partialBody,
  scannedFunction,
  targetLine,
  targetResult,
} from './reduce-fixtures.ts';

const KEY = 'runs/r1/partials/111111111111-eu-west-1-aaaaaaaa.ndjson.gz';
const digester = () => new InlineDigester({ runId: 'run-1', startedAt: '2026-11-02T03:00:00.000Z' });
const functionNames = (partial: PartialDigest) =>
  [
    ...Buffer.from(partial.json)
      .toString('utf8')
      .matchAll(/"functionName":"([^"]*)"/g),
  ].map((m) => m[1]);

describe('fetchPartial', () => {
  it('returns the partial as stored', async () => {
    // Prepare
    const store = new MemoryStore();
    const body = partialBody([targetLine(targetResult())]);
    await store.put(KEY, body);

    // Act
    const fetched = await fetchPartial(store, KEY);

    // Assess
    expect(Buffer.from(fetched).equals(Buffer.from(body))).toBe(true);
  });

  it('reports a failed read as a store error naming the partial', async () => {
    // Prepare
    const store = new (class extends MemoryStore {
      override async get(): Promise<Uint8Array> {
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
    })();

    // Act
    const fetching = fetchPartial(store, KEY);

    // Assess
    await expect(fetching).rejects.toThrow(ObjectStoreError);
    await expect(fetching).rejects.toThrow(`partial ${KEY} could not be read: socket hang up`);
  });

  it('lets a missing partial fail as not found', async () => {
    // Act
    const fetching = fetchPartial(new MemoryStore(), KEY);

    // Assess
    await expect(fetching).rejects.toThrow(ObjectNotFoundError);
  });
});

/**
 * A store double whose reads wait until the test releases them, counting reads in flight.
 */
class GatedStore extends MemoryStore {
  inFlight = 0;
  maxInFlight = 0;
  readonly completed: string[] = [];
  readonly pending = new Map<string, () => void>();

  override async get(key: string): Promise<Uint8Array> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((release) => this.pending.set(key, release));
    this.pending.delete(key);
    const body = await super.get(key);
    this.inFlight -= 1;
    this.completed.push(key);
    return body;
  }

  /** Lets the pending read with the highest key finish: reads complete in reverse order. */
  releaseLast(): boolean {
    const key = [...this.pending.keys()].sort().at(-1);
    if (key === undefined) return false;
    this.pending.get(key)?.();
    return true;
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function drainInReverse(store: GatedStore, until: () => boolean): Promise<void> {
  for (let turns = 0; !until(); turns += 1) {
    if (turns > 10_000) throw new Error('reads never finished');
    store.releaseLast();
    await tick();
  }
}

describe('readPartials', () => {
  const keys = Array.from(
    { length: 10 },
    (_, i) => `runs/r1/partials/${String(i).padStart(12, '0')}-eu-west-1.ndjson.gz`,
  );

  async function gatedStore(): Promise<GatedStore> {
    const store = new GatedStore();
    for (const key of keys) {
      await store.put(key, partialBody([functionLine(scannedFunction({ functionName: key }))]));
    }
    return store;
  }

  it.each([1, 3, 4, 16])(
    'reads at most %i partials at once and hands them out in key order',
    async (concurrency) => {
      // Prepare
      const store = await gatedStore();
      const yielded: PartialDigest[] = [];

      // Act
      const consuming = (async () => {
        for await (const partial of readPartials(store, keys, concurrency, digester())) yielded.push(partial);
      })();
      await drainInReverse(store, () => yielded.length === keys.length);
      await consuming;

      // Assess
      expect(yielded.map((p) => p.key)).toEqual(keys);
      expect(yielded.map((p) => functionNames(p)[0])).toEqual(keys);
      expect(store.maxInFlight).toBe(Math.min(concurrency, keys.length));
      expect(store.inFlight).toBe(0);
      if (concurrency > 1) expect(store.completed).not.toEqual(keys);
    },
  );

  it('starts no read beyond the window while the consumer holds a partial', async () => {
    // Prepare
    const store = await gatedStore();
    const partials = readPartials(store, keys, 3, digester());

    // Act
    const first = partials.next();
    await drainInReverse(store, () => store.completed.length >= 3);
    await first;
    await tick();

    // Assess: three read, one more started to refill the window, nothing else
    expect(store.completed).toHaveLength(3);
    expect([...store.pending.keys()]).toEqual([keys[3]]);
    await partials.return(undefined);
  });

  it('fails at the bad partial, in key order, after handing out the ones before it', async () => {
    // Prepare
    const store = new MemoryStore();
    const good = 'runs/r1/partials/a.ndjson.gz';
    const bad = 'runs/r1/partials/b.ndjson.gz';
    const later = 'runs/r1/partials/c.ndjson.gz';
    await store.put(good, partialBody([targetLine(targetResult())]));
    await store.put(bad, partialBody(['not json']));
    await store.put(later, partialBody([targetLine(targetResult())]));
    const yielded: string[] = [];

    // Act
    const consuming = (async () => {
      for await (const partial of readPartials(store, [good, bad, later], 3, digester()))
        yielded.push(partial.key);
    })();

    // Assess
    await expect(consuming).rejects.toThrow(RunDataError);
    await expect(consuming).rejects.toThrow(`partial ${bad}, line 1`);
    expect(yielded).toEqual([good]);
  });

  it('yields nothing for a run without partials', async () => {
    // Act
    const yielded: PartialDigest[] = [];
    for await (const partial of readPartials(new MemoryStore(), [], 4, digester())) yielded.push(partial);

    // Assess
    expect(yielded).toEqual([]);
  });

  it('refuses a concurrency below 1', async () => {
    // Act
    const reading = readPartials(new MemoryStore(), [KEY], 0, digester()).next();

    // Assess
    await expect(reading).rejects.toThrow(RangeError);
  });
});
