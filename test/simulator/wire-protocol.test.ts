/**
 * The wire format itself, seen without an SDK in between: what the SDK tests cannot show (absent
 * fields, headers, the shape of requests that are not signed at all).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FleetAccount, type Simulator, startSimulator } from '../../simulator/index.ts';

interface RawRequest {
  service?: string;
  region?: string;
  accessKeyId?: string;
  authorization?: string | null;
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}

function signedLookingAuthorization(accessKeyId: string, region: string, service: string): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20261128/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
}

async function raw(sim: Simulator, request: RawRequest): Promise<Response> {
  const { service = 'lambda', region = 'us-east-1', accessKeyId = 'AKIARAWTESTCLIENT001' } = request;
  const authorization =
    request.authorization === undefined
      ? signedLookingAuthorization(accessKeyId, region, service)
      : request.authorization;
  return fetch(`${sim.endpoint}${request.path ?? '/'}`, {
    method: request.method ?? 'GET',
    headers: {
      'x-amz-date': '20261128T090000Z',
      ...(authorization === null ? {} : { authorization }),
      ...request.headers,
    },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
}

describe('wire protocol', () => {
  let sim: Simulator;
  // a still clock: rate buckets never refill between two calls of a test
  const now = Date.now();

  beforeAll(async () => {
    sim = await startSimulator({ clock: () => now });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('sends NextMarker on every ListFunctions page but the last, where the key is absent', async () => {
    const centralKey = 'AKIARAWTESTCLIENT001';
    const central = sim.fleet.account(sim.fleet.centralAccountId) as FleetAccount;
    const count = central.functions['us-east-1']?.length ?? 0;

    const first = await raw(sim, {
      path: `/2015-03-31/functions/?MaxItems=${count - 1}`,
      accessKeyId: centralKey,
    });
    const firstBody = (await first.json()) as Record<string, unknown>;
    const last = await raw(sim, {
      path: `/2015-03-31/functions/?Marker=${encodeURIComponent(firstBody.NextMarker as string)}`,
      accessKeyId: centralKey,
    });
    const lastBody = (await last.json()) as Record<string, unknown>;

    expect(first.headers.get('content-type')).toBe('application/json');
    expect(firstBody.NextMarker).toEqual(expect.any(String));
    expect(lastBody.Functions).toHaveLength(1);
    expect(Object.keys(lastBody)).toEqual(['Functions']);
  });

  it('rejects a request without Authorization with 403 in the service error format', async () => {
    const response = await raw(sim, { authorization: null, path: '/2015-03-31/functions/' });

    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await response.json()).toEqual({ Type: 'User', message: 'Missing Authentication Token' });
  });

  it('rejects a garbled Authorization with a 403 STS XML error', async () => {
    const response = await raw(sim, {
      authorization: 'AWS4-HMAC-SHA256 Credential=nonsense',
      method: 'POST',
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const xml = await response.text();

    expect(response.status).toBe(403);
    expect(xml).toContain('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(xml).toContain('<Type>Sender</Type><Code>IncompleteSignature</Code>');
    expect(xml).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);
  });

  it('answers STS in the 2011-06-15 XML namespace with a request id', async () => {
    const response = await raw(sim, {
      service: 'sts',
      method: 'POST',
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const xml = await response.text();

    expect(response.status).toBe(200);
    expect(xml).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(xml).toContain(`<Account>${sim.fleet.centralAccountId}</Account>`);
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown STS action with InvalidAction', async () => {
    const response = await raw(sim, {
      service: 'sts',
      method: 'POST',
      body: 'Action=GetSessionToken&Version=2011-06-15',
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('answers an unknown Organizations target with UnknownOperationException', async () => {
    const response = await raw(sim, {
      service: 'organizations',
      method: 'POST',
      body: '{}',
      headers: {
        'x-amz-target': 'AWSOrganizationsV20161128.DeleteOrganization',
        'content-type': 'application/x-amz-json-1.1',
      },
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('sends JoinedTimestamp as epoch seconds', async () => {
    const response = await raw(sim, {
      service: 'organizations',
      method: 'POST',
      body: '{"MaxResults":1}',
      headers: {
        'x-amz-target': 'AWSOrganizationsV20161128.ListAccounts',
        'content-type': 'application/x-amz-json-1.1',
      },
    });
    const body = (await response.json()) as { Accounts: { JoinedTimestamp: unknown }[]; NextToken: string };

    expect(body.Accounts[0]?.JoinedTimestamp).toBe(sim.fleet.accounts[0]?.joinedTimestamp);
    expect(body.NextToken).toEqual(expect.any(String));
  });

  it('rejects a temporary key it never issued with UnrecognizedClientException', async () => {
    const response = await raw(sim, { path: '/2015-03-31/functions/', accessKeyId: 'ASIANEVERISSUED00001' });

    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
  });

  it('says which services it serves when a request is signed for another', async () => {
    const response = await raw(sim, { service: 's3', path: '/bucket/key' });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      message: 'The fleet simulator serves sts, lambda and organizations, not s3.',
    });
  });

  it('sends the throttling reason in the body and the delay in Retry-After', async () => {
    sim.setFaults({ listFunctionsRatePerSecond: 1 });
    const key = 'AKIARAWTESTCLIENT001';
    await raw(sim, { path: '/2015-03-31/functions/', accessKeyId: key });

    const response = await raw(sim, { path: '/2015-03-31/functions/', accessKeyId: key });

    expect(response.status).toBe(429);
    expect(response.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toEqual({
      Reason: 'CallerRateLimitExceeded',
      Type: 'User',
      message: 'Rate exceeded',
    });
  });
});
