/**
 * The worker runs in Lambda as one ESM bundle, which resolves the SDK's ES modules (`module` field)
 * where the tests run its CommonJS build, with the SDK's schemas rewritten and the Lambda credential
 * chain in place of the SDK's default one (infra/bundling/bundle-function.mjs). The ListFunctions page
 * decoding (functions/shared/list-functions-decoding.ts) reads the SDK's schema, so this bundles the
 * worker's listing code as infra does and lists a heavy region of the fleet simulator with it, in a
 * plain Node process without any TypeScript loader: the bundle takes the one-pass decoding and yields
 * what the SDK's own decoding yields from the sources. Then the whole handler, bundled, scans a batch
 * with credentials from its environment only and writes its partial to s3rver.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_LIMIT_BYTES } from '../../bench/goals.ts';
import { bundleAsLambda } from '../../bench/lambda-bundle.ts';
import { NO_LAMBDA_CREDENTIALS } from '../../functions/shared/lambda-credentials.ts';
import { S3ObjectStore } from '../../functions/shared/object-store.ts';
import { toScannedFunction } from '../../functions/worker/function-record.ts';
import { forEachFunctionPage } from '../../functions/worker/list-functions.ts';
import { bundleFunction } from '../../infra/bundling/bundle-function.mjs';
import { PartialLine, type ScannedFunction, WorkerOutput } from '../../shared/contracts.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { assumeMemberRole, heavyRegion } from '../simulator/sdk-clients.ts';
import { type RunningS3rver, startS3rver } from './object-store-s3rver.ts';

const run = promisify(execFile);
let dir: string;
let sim: Simulator;
let s3rver: RunningS3rver;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'worker-bundle-'));
  [sim, s3rver] = await Promise.all([startSimulator(), startS3rver()]);
});

afterAll(async () => {
  await Promise.all([sim.close(), s3rver.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** The SDK's reference decoding of a target's functions, from the sources. */
async function referenceRecords(target: { accountId: string; region: string }): Promise<ScannedFunction[]> {
  const credentials = await assumeMemberRole(sim, target.accountId);
  const client = new LambdaClient({ region: target.region, credentials, endpoint: sim.endpoint });
  const records: ScannedFunction[] = [];
  await forEachFunctionPage(client, (functions) => {
    for (const configuration of functions) records.push(toScannedFunction(configuration, target));
  });
  client.destroy();
  return records;
}

describe('the worker bundled as the Lambda function is', () => {
  it('decodes ListFunctions pages in one pass and yields what the SDK yields from the sources', async () => {
    // Prepare: the bundle, and a region of several pages
    const entry = join(dir, 'entry.ts');
    const source = (path: string) => JSON.stringify(resolve(path));
    await writeFile(
      entry,
      `export { lambdaClient, closeLambdaConnections } from ${source('functions/shared/clients.ts')};\n` +
        `export { decodesAsParsed } from ${source('functions/shared/list-functions-decoding.ts')};\n` +
        `export { forEachFunctionPage } from ${source('functions/worker/list-functions.ts')};\n` +
        `export { toScannedFunction } from ${source('functions/worker/function-record.ts')};\n` +
        "export { ListFunctionsResponse$ } from '@aws-sdk/client-lambda';\n",
    );
    const bundle = await bundleAsLambda({
      entry,
      outdir: join(dir, 'listing'),
      nodePaths: [resolve('node_modules')],
    });
    const heavy = heavyRegion(sim);
    const target = { accountId: heavy.account.id, region: heavy.region };
    const credentials = await assumeMemberRole(sim, heavy.account.id);
    const script = join(dir, 'list.mjs');
    await writeFile(
      script,
      `import * as worker from ${JSON.stringify(bundle)};
const target = ${JSON.stringify(target)};
const credentials = ${JSON.stringify(credentials)};
if (credentials.expiration) credentials.expiration = new Date(credentials.expiration);
const client = worker.lambdaClient(target.region, credentials, { endpoint: ${JSON.stringify(sim.endpoint)} });
const records = [];
let pages = 0;
await worker.forEachFunctionPage(client, (functions) => {
  pages += 1;
  for (const configuration of functions) records.push(worker.toScannedFunction(configuration, target));
});
worker.closeLambdaConnections();
process.stdout.write(JSON.stringify({ onePass: worker.decodesAsParsed(worker.ListFunctionsResponse$), pages, records }));`,
    );

    // Act
    const { stdout } = await run(process.execPath, [script], { cwd: dir, timeout: 60_000 });
    const bundled = JSON.parse(stdout) as { onePass: boolean; pages: number; records: ScannedFunction[] };

    // Assess: against the SDK's own client and decoding, from the sources
    const reference = await referenceRecords(target);
    expect(bundled.onePass).toBe(true);
    expect(bundled.pages).toBe(Math.ceil(heavy.list.length / 50));
    expect(bundled.records).toEqual(reference);
    expect(bundled.records.map((record) => record.functionArn)).toEqual(
      heavy.list.map((fn) => fn.FunctionArn),
    );
  });

  it('scans a batch with credentials from its environment alone and writes the partial to S3', async () => {
    // Prepare: the handler as infra bundles it, a bucket, and two regions of one account
    const outdir = join(dir, 'worker');
    const bundle = await bundleAsLambda({ entry: resolve('functions/worker/handler.ts'), outdir });
    const bucket = 'inventory-bundle-test';
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: s3rver.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const heavy = heavyRegion(sim);
    const other = Object.keys(heavy.account.functions).find((region) => region !== heavy.region);
    if (!other) throw new Error('the heavy account has one region only');
    const items = [heavy.region, other].map((region) => ({ accountId: heavy.account.id, region }));
    const event = {
      Items: items,
      BatchInput: { runId: 'nightly-2026-12-03', scanId: '5ca1ab1e0123', bucket },
    };
    const script = join(outdir, 'invoke.mjs');
    await writeFile(
      script,
      `import { handler } from ${JSON.stringify(bundle)};
process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)})));`,
    );
    // what Lambda gives a function: its role's credentials in the environment, nothing in a home folder
    const home = join(dir, 'home');
    await mkdir(home, { recursive: true });
    const lambdaEnv = {
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_STS: sim.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: sim.endpoint,
      AWS_ENDPOINT_URL_S3: s3rver.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };

    // Act
    const { stdout } = await run(process.execPath, [script], {
      cwd: outdir,
      timeout: 60_000,
      env: {
        ...lambdaEnv,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_SESSION_TOKEN: 'token',
      },
    });
    const withoutCredentials = run(process.execPath, [script], {
      cwd: outdir,
      timeout: 60_000,
      env: lambdaEnv,
    });

    // Assess: the statuses returned, and the partial holds each target's functions as the sources decode them
    const output = WorkerOutput.parse(JSON.parse(stdout));
    const expected = await Promise.all(items.map((target) => referenceRecords(target)));
    expect(
      output.results.map(({ region, status, functionCount }) => ({ region, status, functionCount })),
    ).toEqual(items.map(({ region }, i) => ({ region, status: 'ok', functionCount: expected[i]?.length })));
    const text = gunzipSync(await new S3ObjectStore(s3, bucket).get(output.partialKey)).toString('utf8');
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => PartialLine.parse(JSON.parse(line)));
    const records = lines.flatMap((line) => (line.kind === 'function' ? [line.function] : []));
    expect(records).toEqual(expected.flat());
    expect(records.length).toBeGreaterThan(100);
    // without credentials, the write fails and names what is missing
    await expect(withoutCredentials).rejects.toMatchObject({
      stderr: expect.stringContaining(NO_LAMBDA_CREDENTIALS),
    });
    s3.destroy();
  });

  it('carries only the operations and credential sources the worker uses, within the size goal', async () => {
    // Act: the worker as deployed (Node 24)
    const outdir = join(dir, 'deployed');
    const metafile = await bundleFunction({ entry: resolve('functions/worker/handler.ts'), outdir });
    const outfile = join(outdir, 'index.mjs');

    // Assess
    const text = await readFile(outfile, 'utf8');
    const inputs = Object.keys(metafile.inputs);
    expect(text).toContain('"PutObject"');
    expect(text).toContain('"ListFunctions"');
    expect(text).not.toContain('GetBucketPolicy');
    expect(text).not.toContain('ListLayerVersions');
    for (const dropped of [
      'nested-clients',
      'credential-provider-ini',
      'credential-provider-sso',
      'lib-storage',
    ])
      expect(inputs.filter((input) => input.includes(`@aws-sdk/${dropped}/`))).toEqual([]);
    expect(inputs).toContainEqual(expect.stringContaining('functions/shared/lambda-credentials.ts'));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(BUNDLE_LIMIT_BYTES);
  });
});
