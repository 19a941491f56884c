/**
 * Where runs and reports live: S3 in the cloud, or a local folder in local mode. Every reader and
 * writer of runs/ and reports/ (handlers, the local engine's Distributed Map adapter, the CLI) goes
 * through this interface, so both places hold exactly the same layout.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ObjectNotFoundError, ObjectStoreError } from '../../shared/errors.ts';
import { type ObjectWriter, S3ObjectWriter, storeOperation } from './object-writer.ts';

/** An object's body with a tag that changes whenever the object does (S3: its ETag). */
export interface TaggedObject {
  body: Uint8Array;
  tag: string;
}

/** What a conditional write expects to replace: the object as read (by its tag), or no object at all. */
export type WriteCondition = { tag: string } | { absent: true };

export interface ObjectStore extends ObjectWriter {
  /** Throws `ObjectNotFoundError` when the key does not exist. */
  get(key: string): Promise<Uint8Array>;
  /** `get`, with the tag a later `putIfUnchanged` expects. Throws `ObjectNotFoundError` when the key does not exist. */
  getWithTag(key: string): Promise<TaggedObject>;
  /**
   * Writes the object only if it is still as `expected`; returns false, writing nothing, when another
   * writer changed (or created) it since. Any other failure throws, as `put` does.
   */
  putIfUnchanged(
    key: string,
    body: string | Uint8Array,
    expected: WriteCondition,
    contentType?: string,
  ): Promise<boolean>;
  getStream(key: string): Promise<Readable>;
  /** A writable for a large object; the object appears (whole) once `done` resolves. */
  putStream(key: string, contentType?: string): { stream: Writable; done: Promise<void> };
  /** Every key under the prefix, sorted. */
  list(prefix: string): Promise<string[]>;
}

export { ObjectNotFoundError, ObjectStoreError };

export async function getText(store: ObjectStore, key: string): Promise<string> {
  return new TextDecoder().decode(await store.get(key));
}

export async function getJson(store: ObjectStore, key: string): Promise<unknown> {
  return JSON.parse(await getText(store, key));
}

const jsonText = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function putJson(store: ObjectStore, key: string, value: unknown): Promise<void> {
  return store.put(key, jsonText(value), 'application/json');
}

export function putJsonIfUnchanged(
  store: ObjectStore,
  key: string,
  value: unknown,
  expected: WriteCondition,
): Promise<boolean> {
  return store.putIfUnchanged(key, jsonText(value), expected, 'application/json');
}

/** The tag of the folder and memory stores, which have no ETag: the content's SHA-256. */
export function contentTag(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Whether an object as it is now (`undefined`: absent) still meets a conditional write's expectation. */
export function conditionHolds(current: Uint8Array | undefined, expected: WriteCondition): boolean {
  if ('tag' in expected) return current !== undefined && contentTag(current) === expected.tag;
  return current === undefined;
}

/**
 * S3 answers a conditional write that lost with 412 PreconditionFailed (the object changed, or
 * exists when none was expected) or 409 ConditionalRequestConflict (another write to the key was in
 * flight): both mean "read again and decide again".
 */
function isConditionFailure(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    name === 'PreconditionFailed' ||
    name === 'ConditionalRequestConflict' ||
    $metadata?.httpStatusCode === 412
  );
}

export class S3ObjectStore extends S3ObjectWriter implements ObjectStore {
  async get(key: string): Promise<Uint8Array> {
    return (await this.getBodyAndTag(key)).body;
  }

  async getWithTag(key: string): Promise<TaggedObject> {
    const { body, tag } = await this.getBodyAndTag(key);
    if (!tag) throw new ObjectStoreError(`no ETag for s3://${this.bucket}/${key}`);
    return { body, tag };
  }

  async putIfUnchanged(
    key: string,
    body: string | Uint8Array,
    expected: WriteCondition,
    contentType?: string,
  ): Promise<boolean> {
    const condition = 'tag' in expected ? { IfMatch: expected.tag } : { IfNoneMatch: '*' };
    return storeOperation(`writing ${this.location}/${key}`, async () => {
      try {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: key,
            Body: body,
            ContentType: contentType,
            ...condition,
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    });
  }

  async getStream(key: string): Promise<Readable> {
    const response = await this.getObject(key);
    return response.Body as Readable;
  }

  putStream(key: string, contentType?: string): { stream: Writable; done: Promise<void> } {
    const stream = new PassThrough();
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: stream, ContentType: contentType },
    });
    const done = storeOperation(`writing ${this.location}/${key}`, () => upload.done());
    return { stream, done: done.then(() => undefined) };
  }

  async list(prefix: string): Promise<string[]> {
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await storeOperation(`listing ${this.location}/${prefix}`, () =>
        this.s3.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const object of page.Contents ?? []) if (object.Key) found.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found.sort();
  }

  private async getBodyAndTag(key: string): Promise<{ body: Uint8Array; tag: string | undefined }> {
    const response = await this.getObject(key);
    const body = response.Body;
    if (!body) throw new ObjectStoreError(`empty body for s3://${this.bucket}/${key}`);
    const bytes = await storeOperation(`reading ${this.location}/${key}`, () => body.transformToByteArray());
    return { body: bytes, tag: response.ETag };
  }

  private getObject(key: string) {
    return storeOperation(`reading ${this.location}/${key}`, async () => {
      try {
        return await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      } catch (error) {
        if (error instanceof NoSuchKey || (error as Error).name === 'NoSuchKey') {
          throw new ObjectNotFoundError(`s3://${this.bucket}/${key}`);
        }
        throw error;
      }
    });
  }
}

/**
 * The last write queued for each file of any FolderObjectStore in this process: `put` and
 * `putIfUnchanged` of one file run one after another, so a conditional write's compare and rename
 * happen with no other write of the file between them.
 */
const fileWrites = new Map<string, Promise<unknown>>();

async function serialisedWrite<T>(path: string, write: () => Promise<T>): Promise<T> {
  const result = (fileWrites.get(path) ?? Promise.resolve()).then(write);
  const settled = result.catch(() => undefined);
  fileWrites.set(path, settled);
  try {
    return await result;
  } finally {
    if (fileWrites.get(path) === settled) fileWrites.delete(path);
  }
}

/** A folder that mirrors the bucket layout, so a user can open the report files directly. */
export class FolderObjectStore implements ObjectStore {
  readonly location: string;
  constructor(root: string) {
    this.location = resolve(root);
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    await serialisedWrite(path, () => this.replace(path, body));
  }

  /**
   * Compare and rename under this process's per-file queue. Across processes it is best-effort: a
   * local folder has no conditional write, so another process can still replace the file between
   * the compare and the rename.
   */
  async putIfUnchanged(key: string, body: string | Uint8Array, expected: WriteCondition): Promise<boolean> {
    const path = this.pathOf(key);
    return serialisedWrite(path, async () => {
      if (!conditionHolds(await this.readIfPresent(path), expected)) return false;
      await this.replace(path, body);
      return true;
    });
  }

  async get(key: string): Promise<Uint8Array> {
    const body = await this.readIfPresent(this.pathOf(key));
    if (body === undefined) throw new ObjectNotFoundError(this.pathOf(key));
    return body;
  }

  async getWithTag(key: string): Promise<TaggedObject> {
    const body = await this.get(key);
    return { body, tag: contentTag(body) };
  }

  async getStream(key: string): Promise<Readable> {
    // open first, so a missing key fails here as ObjectNotFoundError; then stream without reading it all
    let file: FileHandle;
    try {
      file = await open(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ObjectNotFoundError(this.pathOf(key));
      throw error;
    }
    return file.createReadStream();
  }

  putStream(key: string): { stream: Writable; done: Promise<void> } {
    const path = this.pathOf(key);
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const stream = new PassThrough();
    const done = (async () => {
      await mkdir(dirname(path), { recursive: true });
      try {
        // pipeline, not pipe: a writer that destroys the stream (abandoning the object) settles `done`
        await pipeline(stream, createWriteStream(temporary));
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
    })();
    return { stream, done };
  }

  async list(prefix: string): Promise<string[]> {
    const found: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (!entry.name.endsWith('.tmp')) {
          const key = relative(this.location, path).split(sep).join('/');
          if (key.startsWith(prefix)) found.push(key);
        }
      }
    };
    const lastSlash = prefix.lastIndexOf('/');
    await walk(lastSlash >= 0 ? this.pathOf(prefix.slice(0, lastSlash)) : this.location);
    return found.sort();
  }

  private async readIfPresent(path: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Write then rename: a reader never sees a half-written object. */
  private async replace(path: string, body: string | Uint8Array): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, path);
  }

  private pathOf(key: string): string {
    const path = resolve(this.location, key);
    if (!path.startsWith(this.location + sep)) throw new ObjectStoreError(`key escapes the store: ${key}`);
    return path;
  }
}
