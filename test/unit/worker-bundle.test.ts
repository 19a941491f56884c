/**
 * The worker runs in Lambda as one ESM bundle, which resolves the SDK's ES modules (`module` field)
 * where the tests run its CommonJS build. The ListFunctions page decoding (functions/shared/
 * list-functions-decoding.ts) reads the SDK's schema, so this bundles the worker's listing code as
 * infra does and lists a heavy region of the fleet simulator with it, in a plain Node process without
 * any TypeScript loader: the bundle takes the one-pass decoding and yields what the SDK's own
 * decoding yields from the sources.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAsLambda } from '../../bench/lambda-bundle.ts';
import { toScannedFunction } from '../../functions/worker/function-record.ts';
import { forEachFunctionPage } from '../../functions/worker/list-functions.ts';
import type { ScannedFunction } from '../../shared/contracts.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { assumeMemberRole, heavyRegion } from '../simulator/sdk-clients.ts';

const run = promisify(execFile);
let dir: string;
let sim: Simulator;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'worker-bundle-'));
  sim = await startSimulator();
});

afterAll(async () => {
  await sim.close();
  await rm(dir, { recursive: true, force: true });
});

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
    const bundle = join(dir, 'index.mjs');
    await bundleAsLambda(entry, bundle, [resolve('node_modules')]);
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
    const reference: ScannedFunction[] = [];
    const client = new LambdaClient({ region: target.region, credentials, endpoint: sim.endpoint });
    await forEachFunctionPage(client, (functions) => {
      for (const configuration of functions) reference.push(toScannedFunction(configuration, target));
    });
    client.destroy();
    expect(bundled.onePass).toBe(true);
    expect(bundled.pages).toBe(Math.ceil(heavy.list.length / 50));
    expect(bundled.records).toEqual(reference);
    expect(bundled.records.map((record) => record.functionArn)).toEqual(
      heavy.list.map((fn) => fn.FunctionArn),
    );
  });
});
