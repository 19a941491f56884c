/**
 * The record-failure handler over the real SDK clients, with S3 and Step Functions answered by
 * aws-sdk-client-mock: the conditional write as S3 receives it, and S3's answer when a record exists.
 */
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRecordFailureHandler,
  recordFailureDepsFromEnv,
} from '../../functions/record-failure/handler.ts';
import { ObjectStoreError, S3ObjectStore } from '../../functions/shared/object-store.ts';
import { FailureRecord, ValidationError } from '../../shared/contracts.ts';
import { ENV } from '../../shared/env.ts';
import { EXECUTION_ARN, EXECUTION_NAME, silentLogger, statusChangeEvent } from './record-failure-fixtures.ts';

const BUCKET = 'inventory-bucket';
const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };

describe('record-failure handler', () => {
  const s3 = mockClient(S3Client);
  const sfn = mockClient(SFNClient);
  afterEach(() => {
    s3.reset();
    sfn.reset();
  });

  const handler = () =>
    createRecordFailureHandler({
      store: new S3ObjectStore(new S3Client({ region: 'eu-west-1', credentials }), BUCKET),
      sfn: new SFNClient({ region: 'eu-west-1', credentials }),
      logger: silentLogger(),
    });

  it('puts the record only if no object has the key (If-None-Match: *)', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({ ETag: '"1"' });

    // Act
    const output = await handler()(statusChangeEvent());

    // Assess
    expect(output).toEqual({ key: `reports/failures/${EXECUTION_NAME}.json`, written: true });
    const [put] = s3.commandCalls(PutObjectCommand);
    expect(put?.args[0].input).toMatchObject({
      Bucket: BUCKET,
      Key: `reports/failures/${EXECUTION_NAME}.json`,
      IfNoneMatch: '*',
      ContentType: 'application/json',
    });
    expect(FailureRecord.parse(JSON.parse(String(put?.args[0].input.Body))).error).toBe('States.Runtime');
  });

  it("reports no write when S3 answers that the Catch path's record exists (412)", async () => {
    // Prepare
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'PreconditionFailed',
        $fault: 'client',
        $metadata: { httpStatusCode: 412 },
        message: 'At least one of the pre-conditions you specified did not hold',
      }),
    );

    // Act
    const output = await handler()(statusChangeEvent());

    // Assess
    expect(output.written).toBe(false);
  });

  it('fails with an ObjectStoreError when S3 refuses the write for another reason', async () => {
    // Prepare
    s3.on(PutObjectCommand).rejects(
      new S3ServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'Access Denied',
      }),
    );

    // Act
    const recording = handler()(statusChangeEvent());

    // Assess
    await expect(recording).rejects.toThrow(ObjectStoreError);
  });

  it('describes the execution when the event of an aborted run carries no error', async () => {
    // Prepare
    s3.on(PutObjectCommand).resolves({});
    sfn
      .on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN })
      .resolves({ status: 'ABORTED', error: 'Operator', cause: 'stopped during the migration' });

    // Act
    await handler()(statusChangeEvent({ status: 'ABORTED', error: null, cause: null }));

    // Assess
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
    const body = JSON.parse(String(s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Body));
    expect(body).toMatchObject({ error: 'Operator', cause: 'stopped during the migration' });
  });

  it.each([
    ['a succeeded run', statusChangeEvent({ status: 'SUCCEEDED' as never }), 'detail.status'],
    ['an event of another source', { ...statusChangeEvent(), source: 'aws.s3' }, 'source'],
    ['an event without an execution name', statusChangeEvent({ name: '' }), 'detail.name'],
  ])('refuses %s, naming the field, and writes nothing', async (_, event, field) => {
    // Act
    const recording = handler()(event);

    // Assess
    await expect(recording).rejects.toThrow(ValidationError);
    await expect(recording).rejects.toThrow(`execution status change event: ${field}:`);
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
  });

  it('names the missing bucket variable', () => {
    expect(() => recordFailureDepsFromEnv({})).toThrow(`environment variable ${ENV.bucketName} is not set`);
  });
});
