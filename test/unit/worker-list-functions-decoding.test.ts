/**
 * The per-target Lambda clients decode ListFunctions pages in one pass (functions/shared/
 * list-functions-decoding.ts): through the real SDK over HTTP, to the fleet simulator and to a loopback
 * server that answers what the simulator never does, the records, pages and errors are the ones the
 * SDK's own decoding gives.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  LambdaClient,
  ListFunctionsCommand,
  type ListFunctionsCommandOutput,
  ListFunctionsResponse$,
} from '@aws-sdk/client-lambda';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeLambdaConnections, lambdaClient } from '../../functions/shared/clients.ts';
import { decodesAsParsed } from '../../functions/shared/list-functions-decoding.ts';
import { classifyError } from '../../functions/worker/classify-error.ts';
import { toScannedFunction } from '../../functions/worker/function-record.ts';
import { forEachFunctionPage } from '../../functions/worker/list-functions.ts';
import type { ScannedFunction, Target } from '../../shared/contracts.ts';
import { type Simulator, startSimulator } from '../../simulator/index.ts';
import { assumeMemberRole, heavyRegion } from '../simulator/sdk-clients.ts';

/** The SDK's own client and decoding, as a reference. */
function sdkClient(region: string, credentials: AwsCredentialIdentity, endpoint: string): LambdaClient {
  return new LambdaClient({ region, credentials, endpoint, maxAttempts: 1 });
}

async function scan(
  client: LambdaClient,
  target: Target,
): Promise<{ pages: number; records: ScannedFunction[] }> {
  const records: ScannedFunction[] = [];
  let pages = 0;
  try {
    await forEachFunctionPage(client, (functions) => {
      pages += 1;
      for (const configuration of functions) records.push(toScannedFunction(configuration, target));
    });
  } finally {
    client.destroy();
  }
  return { pages, records };
}

describe('decodesAsParsed', () => {
  const struct = (members: unknown[], traits: unknown = 0) => [
    3,
    'ns',
    'S',
    traits,
    members.map((_, i) => `m${i}`),
    members,
  ];

  it("holds for the SDK's ListFunctions output, every shape below it included", () => {
    expect(decodesAsParsed(ListFunctionsResponse$)).toBe(true);
  });

  it.each([
    ['strings, numbers and booleans', struct([0, 1, 2]), true],
    ['lists and maps of them', struct([64 | 0, 128 | 1, [1, 'ns', 'L', 0, () => struct([0])]]), true],
    [
      'a member with the sensitive trait',
      struct([
        [0, 8],
        [0, { sensitive: 1 }],
      ]),
      true,
    ],
    ['a timestamp', struct([0, 4]), false],
    ['an epoch-seconds timestamp deep in a list', struct([[1, 'ns', 'L', 0, () => struct([7])]]), false],
    ['a blob', struct([21]), false],
    ['a list of blobs', struct([64 | 21]), false],
    ['a document', struct([15]), false],
    ['a big integer', struct([17]), false],
    ['a member renamed by jsonName', struct([[0, { jsonName: 'other' }]]), false],
    ['a string with a JSON media type', struct([[0, { mediaType: 'application/json' }]]), false],
    ['a union', struct([[4, 'ns', 'U', 0, ['a'], [0]]]), false],
    ['something it does not know', struct(['unit']), false],
  ])('tells %s: %s', (_, schema, expected) => {
    expect(decodesAsParsed(schema)).toBe(expected);
  });

  it('ends on a structure that contains itself', () => {
    const tree: unknown[] = [3, 'ns', 'Tree', 0, ['name', 'children'], [0, 0]];
    (tree[5] as unknown[])[1] = [1, 'ns', 'Trees', 0, () => tree];

    expect(decodesAsParsed(tree)).toBe(true);
  });
});

describe('lambdaClient decoding, against the fleet simulator', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator();
  });

  afterAll(async () => {
    closeLambdaConnections();
    await sim.close();
  });

  it("gives the same pages and records as the SDK's decoding, for every function shape of the fleet", async () => {
    // one account's every region: the fleet's mix of runtimes, images, layers, env vars and empty regions
    const account = sim.fleet.accounts.find((candidate) => Object.keys(candidate.functions).length > 1);
    if (!account) throw new Error('the default fleet has an account with functions in several regions');
    const credentials = await assumeMemberRole(sim, account.id);
    let compared = 0;

    for (const region of Object.keys(account.functions)) {
      const target: Target = { accountId: account.id, region };
      const ours = await scan(lambdaClient(region, credentials, { endpoint: sim.endpoint }), target);
      const sdk = await scan(sdkClient(region, credentials, sim.endpoint), target);

      expect(ours).toEqual(sdk);
      compared += ours.records.length;
    }
    expect(compared).toBe(Object.values(account.functions).flat().length);
  });

  it('pages by NextMarker to the last function of a region of several pages', async () => {
    const { account, region, list: functions } = heavyRegion(sim);
    const credentials = await assumeMemberRole(sim, account.id);

    const { pages, records } = await scan(lambdaClient(region, credentials, { endpoint: sim.endpoint }), {
      accountId: account.id,
      region,
    });

    expect(pages).toBe(Math.ceil(functions.length / 50));
    expect(records.map((record) => record.functionArn)).toEqual(functions.map((fn) => fn.FunctionArn));
  });
});

describe('lambdaClient decoding, against answers the simulator does not give', () => {
  const CREDENTIALS = { accessKeyId: 'ASIATEST', secretAccessKey: 'secret', sessionToken: 'token' };
  const TARGET: Target = { accountId: '111111111111', region: 'us-east-1' };
  let answer: { status: number; headers?: Record<string, string>; body: string };
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response
          .writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
          .end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    closeLambdaConnections();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const both = () => ({
    ours: lambdaClient('us-east-1', CREDENTIALS, { endpoint }),
    sdk: sdkClient('us-east-1', CREDENTIALS, endpoint),
  });
  const page = (client: LambdaClient): Promise<ListFunctionsCommandOutput> =>
    client.send(new ListFunctionsCommand({})).finally(() => client.destroy());
  const failure = async (client: LambdaClient) => {
    const error = await page(client).then(
      () => undefined,
      (thrown: unknown) => thrown as Error & Record<string, unknown>,
    );
    if (!error) throw new Error('expected the page to fail');
    return error;
  };

  it('maps members sent as null, and members the SDK does not know, to the same records', async () => {
    const arn = 'arn:aws:lambda:us-east-1:111111111111:function:';
    answer = {
      status: 200,
      body: JSON.stringify({
        Functions: [
          {
            FunctionName: 'nulls',
            FunctionArn: `${arn}nulls`,
            Runtime: null,
            Layers: null,
            Architectures: null,
            Environment: null,
            EphemeralStorage: null,
            TracingConfig: { Mode: null },
            SnapStart: null,
            NewMember: { Nested: [1, 2] },
          },
          {
            FunctionName: 'env',
            FunctionArn: `${arn}env`,
            Environment: { Variables: { B: 'x', A: 'y' }, Error: null },
          },
        ],
        NextMarker: null,
        Unmodelled: true,
      }),
    };
    const { ours, sdk } = both();

    const [decoded, reference] = [await page(ours), await page(sdk)];

    const records = (output: ListFunctionsCommandOutput) =>
      (output.Functions ?? []).map((configuration) => toScannedFunction(configuration, TARGET));
    expect(records(decoded)).toEqual(records(reference));
    expect(decoded.NextMarker).toBeUndefined();
    expect(Object.keys(decoded).sort()).toEqual(Object.keys(reference).sort());
    // decoded in one pass: what JSON gives, the SDK's second pass would have dropped it
    expect(decoded.Functions?.[0]).toHaveProperty('NewMember');
  });

  it.each([
    ['Functions that is not a list', '{"Functions":"none"}'],
    ['a body that is not an object', '[]'],
    ['a body that is not JSON', '{"Functions":['],
  ])("leaves %s to the SDK's decoding", async (_, body) => {
    answer = { status: 200, body };
    const { ours, sdk } = both();

    const [decoded, reference] = await Promise.allSettled([page(ours), page(sdk)]);

    expect(decoded.status).toBe(reference.status);
    if (decoded.status === 'fulfilled' && reference.status === 'fulfilled') {
      expect(decoded.value.Functions).toEqual(reference.value.Functions);
    }
    if (decoded.status === 'rejected' && reference.status === 'rejected') {
      expect((decoded.reason as Error).name).toBe((reference.reason as Error).name);
    }
  });

  it.each([
    [
      'a throttle',
      429,
      'TooManyRequestsException',
      '{"message":"Rate exceeded","Reason":"CallerRateLimitExceeded","Type":"User"}',
    ],
    ['a denied access', 403, 'AccessDeniedException', '{"Message":"not authorized"}'],
    ['an unknown error', 400, 'SomethingNewException', '{"message":"new"}'],
  ])('classifies %s as the SDK decodes it', async (_, status, type, body) => {
    answer = { status, headers: { 'x-amzn-errortype': type, 'retry-after': '2' }, body };
    const { ours, sdk } = both();

    const [decoded, reference] = [await failure(ours), await failure(sdk)];

    expect(decoded.name).toBe(type);
    expect({ ...decoded, $metadata: undefined, $response: undefined }).toEqual({
      ...reference,
      $metadata: undefined,
      $response: undefined,
    });
    expect(classifyError(decoded, 'list-functions', 'us-east-1')).toEqual(
      classifyError(reference, 'list-functions', 'us-east-1'),
    );
  });
});
