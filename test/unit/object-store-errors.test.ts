import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ObjectNotFoundError, ObjectStoreError, S3ObjectStore } from '../../functions/shared/object-store.ts';

const s3 = mockClient(S3Client);
const serviceError = () =>
  Object.assign(new Error('We encountered an internal error.'), { name: 'InternalError' });
const store = () =>
  new S3ObjectStore(
    new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
    'bucket',
  );

afterEach(() => s3.reset());

describe('S3ObjectStore errors', () => {
  it.each([
    [
      'put',
      PutObjectCommand,
      (target: S3ObjectStore) => target.put('runs/r/targets.json', '[]'),
      /writing s3:\/\/bucket\/runs\/r\/targets.json failed: InternalError/,
    ],
    [
      'get',
      GetObjectCommand,
      (target: S3ObjectStore) => target.get('reports/latest.json'),
      /reading s3:\/\/bucket\/reports\/latest.json failed: InternalError/,
    ],
    [
      'list',
      ListObjectsV2Command,
      (target: S3ObjectStore) => target.list('runs/r/'),
      /listing s3:\/\/bucket\/runs\/r\/ failed: InternalError/,
    ],
  ] as const)(
    'turns an S3 failure of %s into an ObjectStoreError the workflow retries',
    async (_, command, act, message) => {
      s3.on(command as never).rejects(serviceError());

      const attempt = act(store());

      await expect(attempt).rejects.toBeInstanceOf(ObjectStoreError);
      await expect(attempt).rejects.toThrow(message);
    },
  );

  it('reports a missing object as ObjectNotFoundError, not as a store failure', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );

    await expect(store().get('reports/latest.json')).rejects.toBeInstanceOf(ObjectNotFoundError);
  });
});
