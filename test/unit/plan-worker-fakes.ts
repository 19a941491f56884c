/** Test doubles shared by the plan and worker tests: an in-memory object store and quiet loggers. */
import { PassThrough, Readable, type Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import { ObjectNotFoundError, type ObjectStore } from '../../functions/shared/object-store.ts';

export class MemoryObjectStore implements ObjectStore {
  readonly location = 'memory://test';
  readonly objects = new Map<string, Uint8Array>();

  async put(key: string, body: string | Uint8Array): Promise<void> {
    this.objects.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
  }

  async get(key: string): Promise<Uint8Array> {
    const body = this.objects.get(key);
    if (!body) throw new ObjectNotFoundError(`${this.location}/${key}`);
    return body;
  }

  async getStream(key: string): Promise<Readable> {
    return Readable.from([await this.get(key)]);
  }

  putStream(key: string): { stream: Writable; done: Promise<void> } {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('end', () => {
        this.objects.set(key, Buffer.concat(chunks));
        resolve();
      });
      stream.on('error', reject);
    });
    return { stream, done };
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}

export function silentLogger(): Logger {
  return new Logger({ logLevel: 'SILENT' });
}

/** An Error shaped as the SDK shapes service errors: the error code is the name. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });
}

/** Credentials for the SDK clients tests build: never real, and the clients never reach a network. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' } as const;
