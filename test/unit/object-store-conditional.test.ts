/**
 * Conditional writes (`getWithTag` + `putIfUnchanged`), which keep reports/latest.json from being
 * overwritten by an older run: S3ObjectStore against aws-sdk-client-mock (the S3 protocol of a
 * conditional write), the folder and memory stores against their files and maps.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FolderObjectStore,
  getText,
  ObjectNotFoundError,
  type ObjectStore,
  ObjectStoreError,
  S3ObjectStore,
} from '../../functions/shared/object-store.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

describe('S3ObjectStore conditional writes', () => {
  const s3 = mockClient(S3Client);
  const store = () =>
    new S3ObjectStore(
      new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
      'bucket',
    );
  const s3Error = (name: string, httpStatusCode: number) =>
    new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: name });

  /** A response body with the one method S3ObjectStore reads. */
  const responseBody = (text: string) =>
    ({
      transformToByteArray: async () => new TextEncoder().encode(text),
    }) as unknown as GetObjectCommandOutput['Body'];

  afterEach(() => s3.reset());

  it('reads the body with its ETag as the tag', async () => {
    // Prepare
    s3.on(GetObjectCommand, { Bucket: 'bucket', Key: 'reports/latest.json' }).resolves({
      Body: responseBody('{"runId":"r1"}'),
      ETag: '"9b2cf535f27731c974343645a3985328"',
    });

    // Act
    const read = await store().getWithTag('reports/latest.json');

    // Assess
    expect(new TextDecoder().decode(read.body)).toBe('{"runId":"r1"}');
    expect(read.tag).toBe('"9b2cf535f27731c974343645a3985328"');
  });

  it('reports a missing object as ObjectNotFoundError when reading with a tag', async () => {
    // Prepare
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );

    // Act
    const reading = store().getWithTag('reports/latest.json');

    // Assess
    await expect(reading).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('replaces an object it read with If-Match on its ETag', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});

    // Act
    const written = await store().putIfUnchanged(
      'reports/latest.json',
      '{}',
      { tag: '"abc"' },
      'application/json',
    );

    // Assess
    expect(written).toBe(true);
    const sent = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(sent).toEqual([
      {
        Bucket: 'bucket',
        Key: 'reports/latest.json',
        Body: '{}',
        ContentType: 'application/json',
        IfMatch: '"abc"',
      },
    ]);
  });

  it("creates an object expected to be absent with If-None-Match '*'", async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});

    // Act
    const written = await store().putIfUnchanged('reports/latest.json', '{}', { absent: true });

    // Assess
    expect(written).toBe(true);
    const [sent] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(sent).toMatchObject({ Key: 'reports/latest.json', IfNoneMatch: '*' });
    expect(sent).not.toHaveProperty('IfMatch');
  });

  it.each([
    ['412 PreconditionFailed', s3Error('PreconditionFailed', 412)],
    ['409 ConditionalRequestConflict', s3Error('ConditionalRequestConflict', 409)],
  ])('returns false when S3 answers %s', async (_case, error) => {
    // Prepare
    s3.on(PutObjectCommand).rejects(error);

    // Act
    const written = await store().putIfUnchanged('reports/latest.json', '{}', { tag: '"stale"' });

    // Assess
    expect(written).toBe(false);
  });

  it.each([
    ['a server error', s3Error('InternalError', 500)],
    ['another conflict', s3Error('OperationAborted', 409)],
    ['access denied', s3Error('AccessDenied', 403)],
  ])('turns %s into an ObjectStoreError naming the key', async (_case, error) => {
    // Prepare
    s3.on(PutObjectCommand).rejects(error);

    // Act
    const writing = store().putIfUnchanged('reports/latest.json', '{}', { absent: true });

    // Assess
    await expect(writing).rejects.toBeInstanceOf(ObjectStoreError);
    await expect(writing).rejects.toThrow(`writing s3://bucket/reports/latest.json failed: ${error.name}`);
  });
});

const folders: string[] = [];
afterEach(async () => {
  await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function newFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'conditional-'));
  folders.push(dir);
  return dir;
}

const storeKinds: [string, () => Promise<ObjectStore>][] = [
  ['FolderObjectStore', async () => new FolderObjectStore(await newFolder())],
  ['MemoryObjectStore', async () => new MemoryObjectStore()],
];

describe.each(storeKinds)('%s conditional writes', (_kind, makeStore) => {
  it('writes when the tag is the one read', async () => {
    // Prepare
    const store = await makeStore();
    await store.put('reports/latest.json', 'first');
    const { tag } = await store.getWithTag('reports/latest.json');

    // Act
    const written = await store.putIfUnchanged('reports/latest.json', 'second', { tag });

    // Assess
    expect(written).toBe(true);
    expect(await getText(store, 'reports/latest.json')).toBe('second');
  });

  it('refuses, writing nothing, when the object changed since it was read', async () => {
    // Prepare
    const store = await makeStore();
    await store.put('reports/latest.json', 'first');
    const { tag } = await store.getWithTag('reports/latest.json');
    await store.put('reports/latest.json', 'written by another reduce');

    // Act
    const written = await store.putIfUnchanged('reports/latest.json', 'second', { tag });

    // Assess
    expect(written).toBe(false);
    expect(await getText(store, 'reports/latest.json')).toBe('written by another reduce');
  });

  it('refuses, writing nothing, when an object expected to be absent exists', async () => {
    // Prepare
    const store = await makeStore();
    await store.put('reports/latest.json', 'written by another reduce');

    // Act
    const written = await store.putIfUnchanged('reports/latest.json', 'mine', { absent: true });

    // Assess
    expect(written).toBe(false);
    expect(await getText(store, 'reports/latest.json')).toBe('written by another reduce');
  });

  it('creates an object expected to be absent', async () => {
    // Prepare
    const store = await makeStore();

    // Act
    const written = await store.putIfUnchanged('reports/latest.json', 'mine', { absent: true });

    // Assess
    expect(written).toBe(true);
    expect(await getText(store, 'reports/latest.json')).toBe('mine');
  });

  it('refuses a tag for an object that does not exist', async () => {
    // Prepare
    const store = await makeStore();
    await store.put('other.json', 'x');
    const { tag } = await store.getWithTag('other.json');

    // Act
    const written = await store.putIfUnchanged('reports/latest.json', 'mine', { tag });

    // Assess
    expect(written).toBe(false);
    expect(await store.list('reports/')).toEqual([]);
  });

  it('gives a new tag when the object changes', async () => {
    // Prepare
    const store = await makeStore();
    await store.put('reports/latest.json', 'first');
    const before = await store.getWithTag('reports/latest.json');

    // Act
    await store.put('reports/latest.json', 'second');

    // Assess
    const after = await store.getWithTag('reports/latest.json');
    expect(after.tag).not.toBe(before.tag);
    expect(new TextDecoder().decode(after.body)).toBe('second');
  });

  it('throws ObjectNotFoundError when reading a missing object with a tag', async () => {
    // Prepare
    const store = await makeStore();

    // Act
    const reading = store.getWithTag('reports/latest.json');

    // Assess
    await expect(reading).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it('lets exactly one of many writers holding the same tag replace the object', async () => {
    // Prepare
    const store = await makeStore();
    await store.put('reports/latest.json', 'first');
    const { tag } = await store.getWithTag('reports/latest.json');
    const writers = Array.from({ length: 8 }, (_, i) => `writer-${i}`);

    // Act
    const results = await Promise.all(
      writers.map((writer) => store.putIfUnchanged('reports/latest.json', writer, { tag })),
    );

    // Assess
    const winners = writers.filter((_, i) => results[i]);
    expect(winners).toHaveLength(1);
    expect(await getText(store, 'reports/latest.json')).toBe(winners[0]);
  });
});

describe('FolderObjectStore conditional writes in one process', () => {
  it('lets exactly one writer win when two stores on the same folder hold the same tag', async () => {
    // Prepare
    const dir = await newFolder();
    const first = new FolderObjectStore(dir);
    const second = new FolderObjectStore(dir);
    await first.put('reports/latest.json', 'before');
    const { tag } = await first.getWithTag('reports/latest.json');

    // Act
    const results = await Promise.all([
      first.putIfUnchanged('reports/latest.json', 'first', { tag }),
      second.putIfUnchanged('reports/latest.json', 'second', { tag }),
    ]);

    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await getText(first, 'reports/latest.json')).toBe(results[0] ? 'first' : 'second');
  });

  it('fails a conditional write queued behind a plain write of the same file', async () => {
    // Prepare
    const store = new FolderObjectStore(await newFolder());
    await store.put('reports/latest.json', 'before');
    const { tag } = await store.getWithTag('reports/latest.json');

    // Act
    const [, written] = await Promise.all([
      store.put('reports/latest.json', 'plain'),
      store.putIfUnchanged('reports/latest.json', 'conditional', { tag }),
    ]);

    // Assess
    expect(written).toBe(false);
    expect(await getText(store, 'reports/latest.json')).toBe('plain');
  });
});
