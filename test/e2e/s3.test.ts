/**
 * The same run with its data in S3: S3ObjectStore on s3rver (a real S3 protocol server), reached
 * through the SDK's `AWS_ENDPOINT_URL_S3` while STS, Lambda and Organizations go to the simulator.
 */
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../functions/shared/clients.ts';
import { getJson, S3ObjectStore } from '../../functions/shared/object-store.ts';
import { warmUpWorkflow } from '../../local/render-definition.ts';
import { PartialLine } from '../../shared/contracts.ts';
import { DEFAULT_SPEC, generateFleet } from '../../simulator/index.ts';
import { type RunningS3rver, startS3rver } from '../unit/object-store-s3rver.ts';
import {
  csvFunctions,
  expectedCoverage,
  expectedFunctions,
  GENERATED_SPEC,
  inventoryConfig,
  QUIET_SDK,
  readLatest,
  readReport,
  reportedCoverage,
  reportedFunctions,
  runCli,
  runInventory,
  setEnv,
  startFleet,
  succeeded,
} from './support.ts';

const CONFIG = inventoryConfig({ maxConcurrency: 4, batchSize: 8, toleratedFailurePercentage: 0 });

/** s3rver knows one key pair; the simulator takes any access key that is not one of its own sessions as the central account. */
const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

let s3rver: RunningS3rver;
let s3: S3Client;
let restoreEnv: () => void;
let buckets = 0;

beforeAll(async () => {
  s3rver = await startS3rver();
  restoreEnv = setEnv({
    AWS_ENDPOINT_URL_S3: s3rver.endpoint,
    AWS_REGION: 'us-east-1',
    ...S3RVER_CREDENTIALS,
    ...QUIET_SDK,
  });
  s3 = s3Client();
  await warmUpWorkflow(CONFIG);
});

afterAll(async () => {
  s3?.destroy();
  restoreEnv?.();
  await s3rver?.stop();
});

async function newBucket(): Promise<string> {
  buckets += 1;
  const bucket = `e2e-bucket-${buckets}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

describe('a run with its data in S3 (s3rver)', () => {
  it('writes the report and latest.json to the bucket, matching the ground truth', async () => {
    // Prepare
    const bucket = await newBucket();
    const running = await startFleet(GENERATED_SPEC, S3RVER_CREDENTIALS);
    const store = new S3ObjectStore(s3Client(), bucket);
    const expected = expectedFunctions(running.fleet);

    // Act
    let output: ReturnType<typeof succeeded>;
    try {
      output = succeeded(await runInventory({ config: CONFIG, store, bucket }));
    } finally {
      await running.stop();
    }

    // Assess
    const latest = await readLatest(store);
    expect(latest).toMatchObject({ runId: output.runId, keys: output.keys, functionCount: expected.length });
    expect(await store.list(latest.keys.prefix)).toEqual(
      [
        latest.keys.coverageCsv,
        latest.keys.inventoryCsv,
        latest.keys.inventoryJson,
        latest.keys.summaryJson,
        latest.keys.reportHtml,
        latest.keys.gapsCsv,
      ].sort(),
    );
    const report = await readReport(store, latest.keys);
    expect(reportedFunctions(report.inventory.functions)).toEqual(expected);
    expect(csvFunctions(report.inventoryCsv)).toEqual(expected);
    expect(reportedCoverage(report.inventory.coverage)).toEqual(expectedCoverage(running.fleet));
    expect(report.summary.functionCount).toBe(expected.length);
  });

  it('keeps the working data in the bucket: the targets and one readable gzip partial per batch', async () => {
    // Prepare
    const bucket = await newBucket();
    const running = await startFleet(GENERATED_SPEC, S3RVER_CREDENTIALS);
    const store = new S3ObjectStore(s3Client(), bucket);

    // Act
    let output: ReturnType<typeof succeeded>;
    try {
      output = succeeded(await runInventory({ config: CONFIG, store, bucket }));
    } finally {
      await running.stop();
    }

    // Assess
    const targets = (await getJson(store, `runs/${output.runId}/targets.json`)) as unknown[];
    expect(targets).toHaveLength(output.coverage.targets);
    const partials = await store.list(`runs/${output.runId}/partials/`);
    expect(partials.length).toBeGreaterThan(1);
    const lines = (
      await Promise.all(partials.map(async (key) => gunzipSync(await store.get(key)).toString('utf8')))
    )
      .flatMap((text) => text.split('\n').filter(Boolean))
      .map((line) => PartialLine.parse(JSON.parse(line)));
    expect(lines.filter((line) => line.kind === 'function')).toHaveLength(
      expectedFunctions(running.fleet).length,
    );
    expect(lines.filter((line) => line.kind === 'target')).toHaveLength(output.coverage.targets);
  });
});

describe('lambda-inventory run --local --simulate --bucket', () => {
  it('writes the report to the bucket with the credentials the user gave for S3', async () => {
    // Prepare
    const bucket = await newBucket();
    // without a spec, --simulate serves the default fleet of `npm start`
    const functionCount = expectedFunctions(generateFleet(DEFAULT_SPEC)).length;

    // Act
    const cli = await runCli(['run', '--local', '--simulate', '--bucket', bucket, '--min-coverage', '0']);

    // Assess
    expect(cli.stderr).not.toContain('InvalidAccessKeyId');
    expect(cli.exitCode).toBe(0);
    const latest = await readLatest(new S3ObjectStore(s3, bucket));
    expect(latest.functionCount).toBe(functionCount);
  });
});
