/** An in-memory ObjectStore for unit tests: the contract of the real stores, without I/O. */
import { PassThrough, Readable, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import {
  conditionHolds,
  contentTag,
  ObjectNotFoundError,
  type ObjectStore,
  type TaggedObject,
  type WriteCondition,
} from '../../functions/shared/object-store.ts';

const bytesOf = (body: string | Uint8Array) =>
  typeof body === 'string' ? new TextEncoder().encode(body) : body;

export class MemoryObjectStore implements ObjectStore {
  readonly location = 'memory://test';
  readonly objects = new Map<string, Uint8Array>();

  async put(key: string, body: string | Uint8Array): Promise<void> {
    this.objects.set(key, bytesOf(body));
  }

  async putIfUnchanged(key: string, body: string | Uint8Array, expected: WriteCondition): Promise<boolean> {
    // compare and set with no await between: atomic, as S3's conditional write is
    if (!conditionHolds(this.objects.get(key), expected)) return false;
    this.objects.set(key, bytesOf(body));
    return true;
  }

  async get(key: string): Promise<Uint8Array> {
    const body = this.objects.get(key);
    if (!body) throw new ObjectNotFoundError(`${this.location}/${key}`);
    return body;
  }

  async getWithTag(key: string): Promise<TaggedObject> {
    const body = await this.get(key);
    return { body, tag: contentTag(body) };
  }

  async getStream(key: string): Promise<Readable> {
    return Readable.from([Buffer.from(await this.get(key))]);
  }

  putStream(key: string): { stream: Writable; done: Promise<void> } {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = finished(stream).then(() => {
      this.objects.set(key, Buffer.concat(chunks));
    });
    return { stream, done };
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  text(key: string): string {
    const body = this.objects.get(key);
    if (!body) throw new Error(`no object ${key}`);
    return new TextDecoder().decode(body);
  }
}
