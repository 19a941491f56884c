/**
 * Writing whole objects to S3, all a worker does with S3. A module of its own so that the worker's
 * bundle, which imports only this, carries none of the object store's reading, listing and multipart
 * code, nor their schemas (object-store.ts builds the full store on this class).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ObjectNotFoundError, ObjectStoreError } from '../../shared/errors.ts';

export interface ObjectWriter {
  /** Human-readable location, such as `s3://bucket` or a folder path. */
  readonly location: string;
  put(key: string, body: string | Uint8Array, contentType?: string): Promise<void>;
}

/** Runs one store operation, turning any failure but a missing object into an ObjectStoreError. */
export async function storeOperation<T>(what: string, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof ObjectNotFoundError || error instanceof ObjectStoreError) throw error;
    const { name, message } = error as Error;
    throw new ObjectStoreError(`${what} failed: ${name}: ${message}`, { cause: error });
  }
}

export class S3ObjectWriter implements ObjectWriter {
  readonly location: string;
  constructor(
    protected readonly s3: S3Client,
    readonly bucket: string,
  ) {
    this.location = `s3://${bucket}`;
  }

  async put(key: string, body: string | Uint8Array, contentType?: string): Promise<void> {
    await storeOperation(`writing ${this.location}/${key}`, () =>
      this.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
      ),
    );
  }
}
