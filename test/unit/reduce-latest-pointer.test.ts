/**
 * reports/latest.json under concurrent reduces: updateLatest reads the pointer, compares, and writes
 * only if the pointer is still the one it read, so another reduce's write in between is never lost
 * or overwritten by an older run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReduceHandler } from '../../functions/reduce/handler.ts';
import { reportKeysFor } from '../../functions/reduce/report-builder.ts';
import { LATEST_WRITE_ATTEMPTS, updateLatest } from '../../functions/reduce/write-report.ts';
import {
  FolderObjectStore,
  getJson,
  type ObjectStore,
  ObjectStoreError,
  putJson,
  type WriteCondition,
} from '../../functions/shared/object-store.ts';
import { LatestPointer } from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { type RunFixture, sampleRun, silentLogger, writeRun } from './reduce-fixtures.ts';

function pointer(runId: string, startedAt: string): LatestPointer {
  return {
    schemaVersion: 1,
    runId,
    startedAt,
    finishedAt: startedAt,
    keys: reportKeysFor(runId, startedAt, false),
    functionCount: 0,
    coverage: { targets: 0, scanned: 0, byStatus: {}, skippedAccounts: 0 },
  };
}

const OLDER = pointer('run-older', '2026-11-01T03:00:00.000Z');
const THIS_RUN = pointer('run-this', '2026-11-02T03:00:00.000Z');
const NEWER = pointer('run-newer', '2026-11-03T03:00:00.000Z');
/** Older than this run too, and not the starting pointer: writing it changes latest.json. */
const ANOTHER_OLDER = pointer('run-another-older', '2026-11-01T12:00:00.000Z');

async function latestOf(store: ObjectStore): Promise<LatestPointer> {
  return LatestPointer.parse(await getJson(store, keys.latest));
}

/** A memory store in which other reduces write latest.json between this reduce's read and its conditional write. */
class InterleavingStore extends MemoryObjectStore {
  conditionalWrites = 0;

  constructor(private readonly slipIns: LatestPointer[]) {
    super();
  }

  override async putIfUnchanged(
    key: string,
    body: string | Uint8Array,
    expected: WriteCondition,
  ): Promise<boolean> {
    this.conditionalWrites += 1;
    const other = this.slipIns.shift();
    if (other) await putJson(this, key, other);
    return super.putIfUnchanged(key, body, expected);
  }
}

const startingPointers: [string, (store: ObjectStore) => Promise<void>][] = [
  ['no pointer', async () => undefined],
  ['an older pointer', (store) => putJson(store, keys.latest, OLDER)],
  ['a pointer that is not JSON', (store) => store.put(keys.latest, '{"runId": 42')],
  ['a pointer that does not match the schema', (store) => putJson(store, keys.latest, { runId: 'x' })],
];

describe('updateLatest with another reduce writing in between', () => {
  it.each(startingPointers)(
    'from %s, leaves latest.json on a newer run written between the read and the write',
    async (_case, start) => {
      // Prepare
      const store = new InterleavingStore([NEWER]);
      await start(store);

      // Act
      const written = await updateLatest(store, THIS_RUN, silentLogger());

      // Assess
      expect(written).toBe(false);
      expect(await latestOf(store)).toEqual(NEWER);
      expect(store.conditionalWrites).toBe(1);
    },
  );

  it.each(startingPointers)(
    'from %s, still ends as latest when an older run was written between the read and the write',
    async (_case, start) => {
      // Prepare
      const store = new InterleavingStore([ANOTHER_OLDER]);
      await start(store);

      // Act
      const written = await updateLatest(store, THIS_RUN, silentLogger());

      // Assess
      expect(written).toBe(true);
      expect(await latestOf(store)).toEqual(THIS_RUN);
      expect(store.conditionalWrites).toBe(2);
    },
  );

  it('gives up with ObjectStoreError after every conditional write is lost, keeping the last pointer written', async () => {
    // Prepare: a different older run slips in before each write
    const slipIns = Array.from({ length: LATEST_WRITE_ATTEMPTS }, (_, i) =>
      pointer(`run-older-${i}`, `2026-11-01T0${i}:00:00.000Z`),
    );
    const last = slipIns.at(-1);
    const store = new InterleavingStore(slipIns);

    // Act
    const updating = updateLatest(store, THIS_RUN, silentLogger());

    // Assess
    await expect(updating).rejects.toBeInstanceOf(ObjectStoreError);
    await expect(updating).rejects.toThrow(`writing ${keys.latest} failed`);
    expect(store.conditionalWrites).toBe(LATEST_WRITE_ATTEMPTS);
    expect(await latestOf(store)).toEqual(last);
  });
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latest-pointer-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * A memory store whose every request answers on a later turn of the event loop, as over a network:
 * without the round trip, reduces on a memory store barely overlap, and each one's read and write of
 * the pointer would run with no other reduce between them.
 */
class RoundTripMemoryStore extends MemoryObjectStore {
  override async get(key: string): Promise<Uint8Array> {
    await setImmediate();
    return super.get(key);
  }

  override async put(key: string, body: string | Uint8Array): Promise<void> {
    await setImmediate();
    return super.put(key, body);
  }

  override async putIfUnchanged(
    key: string,
    body: string | Uint8Array,
    expected: WriteCondition,
  ): Promise<boolean> {
    await setImmediate();
    return super.putIfUnchanged(key, body, expected);
  }

  override async list(prefix: string): Promise<string[]> {
    await setImmediate();
    return super.list(prefix);
  }
}

/** Each iteration gets an empty store; the folder kind gets its own subfolder of `dir`. */
const storeKinds: [string, (iteration: number) => ObjectStore][] = [
  ['FolderObjectStore', (iteration) => new FolderObjectStore(join(dir, String(iteration)))],
  ['MemoryObjectStore', () => new RoundTripMemoryStore()],
];

/** The same items in a different order for each iteration: rotated, and reversed every other time. */
function orderFor<T>(items: readonly T[], iteration: number): T[] {
  const rotated = items.map((_, i) => items[(i + iteration) % items.length] as T);
  return iteration % 2 === 0 ? rotated : rotated.reverse();
}

describe.each(storeKinds)('concurrent updates of latest.json on %s', (_kind, storeFor) => {
  it('names the newest of several pointers written at once, every time', async () => {
    // Prepare: as many writers as attempts, so no writer can lose more writes than it may retry
    const pointers = Array.from({ length: LATEST_WRITE_ATTEMPTS }, (_, i) =>
      pointer(`run-${i}`, `2026-11-0${i + 1}T03:00:00.000Z`),
    );
    const newest = pointers.at(-1) as LatestPointer;
    const iterations = 40;
    const latest: string[] = [];
    const newestWrote: boolean[] = [];

    // Act
    for (let iteration = 0; iteration < iterations; iteration += 1) {
      const store = storeFor(iteration);
      const order = orderFor(pointers, iteration);
      const written = await Promise.all(order.map((p) => updateLatest(store, p, silentLogger())));
      latest.push((await latestOf(store)).runId);
      newestWrote.push(written[order.indexOf(newest)] === true);
    }

    // Assess
    expect(latest).toEqual(Array(iterations).fill(newest.runId));
    expect(newestWrote).toEqual(Array(iterations).fill(true));
  });

  it('names the newest run when reduces of several runs finish together, every time', async () => {
    // Prepare
    const runs: RunFixture[] = ['2026-11-04', '2026-11-01', '2026-11-03', '2026-11-02'].map((day) =>
      sampleRun({ runId: `run-${day}`, startedAt: `${day}T03:00:00.000Z` }),
    );
    const iterations = 12;
    const latest: string[] = [];

    // Act
    for (let iteration = 0; iteration < iterations; iteration += 1) {
      const store = storeFor(iteration);
      for (const run of runs) await writeRun(store, run);
      const reduce = createReduceHandler({ storeFor: () => store, concurrency: 2, logger: silentLogger() });
      await Promise.all(orderFor(runs, iteration).map((run) => reduce({ plan: run.plan })));
      latest.push((await latestOf(store)).runId);
    }

    // Assess
    expect(latest).toEqual(Array(iterations).fill('run-2026-11-04'));
  });
});
