import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type PartialContent, readPartial, readPartials } from '../../functions/reduce/read-partials.ts';
import { ObjectStoreError } from '../../functions/shared/object-store.ts';
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

async function storeWith(body: Uint8Array): Promise<MemoryStore> {
  const store = new MemoryStore();
  await store.put(KEY, body);
  return store;
}

describe('readPartial', () => {
  it('gunzips a partial and splits its lines into target results and functions', async () => {
    // Prepare
    const result = targetResult({ functionCount: 1 });
    const fn = scannedFunction({ environmentVariableNames: ['DB_HOST'] });
    const store = await storeWith(partialBody([targetLine(result), '', functionLine(fn)]));

    // Act
    const partial = await readPartial(store, KEY);

    // Assess
    expect(partial).toEqual({ key: KEY, targets: [result], functions: [fn] });
  });

  it.each([
    ['a line that is not JSON', '{"kind":"target",', /line 2: not JSON/],
    ['a line of an unknown kind', JSON.stringify({ kind: 'account' }), /line 2: kind/],
    [
      'a function line carrying environment values',
      JSON.stringify({
        kind: 'function',
        function: { ...scannedFunction(), environment: { Variables: { DB_PASSWORD: 'hunter2' } } },
      }),
      /line 2: function: Unrecognized key.*environment/,
    ],
    [
      'a target line with a bad account id',
      JSON.stringify(targetLine(targetResult({ accountId: '12' }))),
      /line 2: target\.accountId: must be a 12-digit AWS account id/,
    ],
  ])('rejects %s with an error naming the partial and the line', async (_case, badLine, message) => {
    // Prepare
    const store = await storeWith(partialBody([targetLine(targetResult()), badLine]));

    // Act
    const reading = readPartial(store, KEY);

    // Assess
    await expect(reading).rejects.toThrow(RunDataError);
    await expect(reading).rejects.toThrow(KEY);
    await expect(reading).rejects.toThrow(message);
  });

  it('does not repeat environment values from a rejected line in its error', async () => {
    // Prepare
    const line = JSON.stringify({
      kind: 'function',
      function: { ...scannedFunction(), environment: { Variables: { DB_PASSWORD: 'hunter2' } } },
    });
    const store = await storeWith(partialBody([line]));

    // Act
    const error = await readPartial(store, KEY).catch((e: unknown) => e as Error);

    // Assess
    expect(error).toBeInstanceOf(RunDataError);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it.each([
    ['a body that is not gzip', new TextEncoder().encode('{"kind":"target"}\n')],
    [
      'a truncated gzip body',
      gzipSync(`${JSON.stringify(targetLine(targetResult()))}\n`.repeat(50)).subarray(0, 40),
    ],
  ])('rejects %s with an error naming the partial', async (_case, body) => {
    // Prepare
    const store = await storeWith(body);

    // Act
    const reading = readPartial(store, KEY);

    // Assess
    await expect(reading).rejects.toThrow(RunDataError);
    await expect(reading).rejects.toThrow(`partial ${KEY} could not be read`);
  });
});

/**
 * A store double whose reads wait until the test releases them, counting reads in flight from the
 * request to the end of the body.
 */
class GatedStore extends MemoryStore {
  inFlight = 0;
  maxInFlight = 0;
  readonly completed: string[] = [];
  readonly pending = new Map<string, () => void>();

  override async getStream(key: string): Promise<Readable> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((release) => this.pending.set(key, release));
    this.pending.delete(key);
    const body = Readable.from([Buffer.from(await this.get(key))]);
    body.on('close', () => {
      this.inFlight -= 1;
      this.completed.push(key);
    });
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
      const yielded: PartialContent[] = [];

      // Act
      const consuming = (async () => {
        for await (const partial of readPartials(store, keys, concurrency)) yielded.push(partial);
      })();
      await drainInReverse(store, () => yielded.length === keys.length);
      await consuming;

      // Assess
      expect(yielded.map((p) => p.key)).toEqual(keys);
      expect(yielded.map((p) => p.functions[0]?.functionName)).toEqual(keys);
      expect(store.maxInFlight).toBe(Math.min(concurrency, keys.length));
      expect(store.inFlight).toBe(0);
      if (concurrency > 1) expect(store.completed).not.toEqual(keys);
    },
  );

  it('starts no read beyond the window while the consumer holds a partial', async () => {
    // Prepare
    const store = await gatedStore();
    const partials = readPartials(store, keys, 3);

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
      for await (const partial of readPartials(store, [good, bad, later], 3)) yielded.push(partial.key);
    })();

    // Assess
    await expect(consuming).rejects.toThrow(`partial ${bad}, line 1`);
    expect(yielded).toEqual([good]);
  });

  it('yields nothing for a run without partials', async () => {
    // Act
    const yielded: PartialContent[] = [];
    for await (const partial of readPartials(new MemoryStore(), [], 4)) yielded.push(partial);

    // Assess
    expect(yielded).toEqual([]);
  });

  it('refuses a concurrency below 1', async () => {
    // Act
    const reading = readPartials(new MemoryStore(), [KEY], 0).next();

    // Assess
    await expect(reading).rejects.toThrow(RangeError);
  });
});

describe('readPartial and store failures', () => {
  it('reports a body that fails mid-read as a store error, not as damaged data', async () => {
    // Prepare
    const store = new (class extends MemoryStore {
      override async getStream(): Promise<Readable> {
        const body = new Readable({ read() {} });
        body.push(partialBody([targetLine(targetResult())]).subarray(0, 10));
        setImmediate(() => body.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
        return body;
      }
    })();

    // Act
    const reading = readPartial(store, KEY);

    // Assess
    await expect(reading).rejects.toThrow(ObjectStoreError);
    await expect(reading).rejects.toThrow(`partial ${KEY} could not be read: socket hang up`);
  });
});
