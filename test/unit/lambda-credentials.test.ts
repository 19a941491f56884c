/**
 * The credential chain the functions' bundles use in place of the SDK's default one
 * (functions/shared/lambda-credentials.ts): the environment first, then a container credentials
 * endpoint (a real HTTP server on loopback here), and a clear error when neither is there.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider, NO_LAMBDA_CREDENTIALS } from '../../functions/shared/lambda-credentials.ts';
import { literalSchemaKeys } from '../../infra/bundling/bundle-function.mjs';

const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
  'AWS_PROFILE',
];

let server: Server | undefined;

beforeEach(() => {
  for (const name of CREDENTIAL_VARIABLES) vi.stubEnv(name, undefined);
});

afterEach(async () => {
  vi.unstubAllEnvs();
  if (server) {
    server.closeAllConnections();
    server.close();
    server = undefined;
  }
});

/** A container credentials endpoint that hands out credentials expiring `lifetimeMs` after each request. */
async function containerEndpoint(lifetimeMs: number): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  server = createServer((_request, response) => {
    requests += 1;
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({
        AccessKeyId: `ASIACONTAINER${requests}`,
        SecretAccessKey: 'container-secret',
        Token: 'container-token',
        Expiration: new Date(Date.now() + lifetimeMs).toISOString(),
      }),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/credentials`, requests: () => requests };
}

describe('the Lambda credential chain', () => {
  it('takes the execution role credentials Lambda puts in the environment', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAENVIRONMENT0001');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'environment-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'environment-token');
    const endpoint = await containerEndpoint(3_600_000);
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', endpoint.url);

    const credentials = await defaultProvider()();

    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAENVIRONMENT0001',
      secretAccessKey: 'environment-secret',
      sessionToken: 'environment-token',
    });
    expect(endpoint.requests()).toBe(0);
  });

  it('falls back to the container endpoint, and asks it again only when the credentials near expiry', async () => {
    const lasting = await containerEndpoint(3_600_000);
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', lasting.url);
    const provider = defaultProvider();

    const first = await provider();
    const second = await provider();

    expect(first).toMatchObject({ accessKeyId: 'ASIACONTAINER1', sessionToken: 'container-token' });
    expect(second.accessKeyId).toBe('ASIACONTAINER1');
    expect(lasting.requests()).toBe(1);

    // credentials within five minutes of their expiry are fetched again
    server?.close();
    const expiring = await containerEndpoint(60_000);
    vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', expiring.url);
    const shortLived = defaultProvider();
    const before = await shortLived();
    const requestsBefore = expiring.requests();
    const renewed = await shortLived();
    expect(expiring.requests()).toBeGreaterThan(requestsBefore);
    expect(renewed.accessKeyId).toBe(`ASIACONTAINER${expiring.requests()}`);
    expect(renewed.accessKeyId).not.toBe(before.accessKeyId);
  });

  it('names what is missing when the environment has neither', async () => {
    await expect(defaultProvider()()).rejects.toThrow(NO_LAMBDA_CREDENTIALS);
  });
});

describe('literalSchemaKeys', () => {
  it("writes out computed keys that name one of the module's string constants, and nothing else", () => {
    const source = [
      'const _hE = "httpError";',
      'const _e = "error";',
      'const n0 = "com.amazonaws.s3";',
      'let notConstant = "x";',
      'export var NoSuchKey$ = [-3, n0, "NoSuchKey", { [_e]: "client", [_hE]: 404 }, [], []];',
      'export var Other$ = [3, n0, "Other", { [notConstant]: 1, [n0]: 2, [missing]: 3 }];',
    ].join('\n');

    const rewritten = literalSchemaKeys(source);

    expect(rewritten).toContain('{ "error": "client", "httpError": 404 }');
    expect(rewritten).toContain('{ [notConstant]: 1, "com.amazonaws.s3": 2, [missing]: 3 }');
    expect(rewritten.split('\n').slice(0, 4)).toEqual(source.split('\n').slice(0, 4));
  });
});
