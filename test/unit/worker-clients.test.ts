/**
 * The worker's SDK clients (functions/shared/clients.ts) over real HTTP to a loopback server that
 * counts connections and requests: one shared keep-alive pool across per-target Lambda clients, and
 * retries of transient failures only (throttles go back to the worker's pacing at once).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { RetryErrorInfo } from '@aws-sdk/types';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  closeLambdaConnections,
  lambdaClient,
  stsClient,
  TransientRetryStrategy,
} from '../../functions/shared/clients.ts';
import { awsError } from './plan-worker-fakes.ts';

const CREDENTIALS = { accessKeyId: 'ASIATEST', secretAccessKey: 'secret', sessionToken: 'token' };

/** What the server answers next: a status per request, in order; then 200 with an empty page. */
let script: number[] = [];
let connections = 0;
let requests = 0;
/** The user agents of the requests, as the SDK wrote them. */
let userAgents: string[] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  // read by the first client built, for every later one (see 'settings from the environment')
  process.env.AWS_SDK_UA_APP_ID = 'inventory-test';
  server = createServer((request, response) => {
    requests += 1;
    userAgents.push(`${request.headers['user-agent'] ?? ''} ${request.headers['x-amz-user-agent'] ?? ''}`);
    request.resume();
    request.on('end', () => {
      const status = script.shift() ?? 200;
      if (status === 200 && request.url?.startsWith('/2015-03-31/functions')) {
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"Functions":[]}');
      } else if (status === 200) {
        response
          .writeHead(200, { 'content-type': 'text/xml' })
          .end(
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::111111111111:user/x</Arn><UserId>X</UserId><Account>111111111111</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
          );
      } else if (status === 429) {
        response
          .writeHead(429, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'TooManyRequestsException',
            'retry-after': '1',
          })
          .end('{"message":"Rate exceeded","Reason":"CallerRateLimitExceeded"}');
      } else if (status === 400) {
        response
          .writeHead(400, { 'content-type': 'text/xml' })
          .end(
            '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>',
          );
      } else {
        response
          .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' })
          .end('{"message":"internal error"}');
      }
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  delete process.env.AWS_SDK_UA_APP_ID;
  closeLambdaConnections();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  closeLambdaConnections();
  script = [];
  connections = 0;
  requests = 0;
  userAgents = [];
});

const listOnce = (region: string) => {
  const client = lambdaClient(region, CREDENTIALS, { endpoint });
  return client.send(new ListFunctionsCommand({ MaxItems: 50 })).finally(() => client.destroy());
};

describe('lambdaClient: one keep-alive pool for every target', () => {
  it('reuses one connection across clients built and destroyed one after another', async () => {
    for (let target = 0; target < 20; target += 1) await listOnce(target % 2 ? 'eu-west-1' : 'us-east-1');

    expect(requests).toBe(20);
    expect(connections).toBe(1);
  });

  it('opens no more connections than requests in flight, and destroying one client cuts no other request', async () => {
    const clients = Array.from({ length: 8 }, () => lambdaClient('us-east-1', CREDENTIALS, { endpoint }));

    const inFlight = clients.map((client) => client.send(new ListFunctionsCommand({})));
    clients[0]?.destroy();
    const pages = await Promise.all(inFlight);
    await Promise.all(clients.slice(1).map((client) => client.send(new ListFunctionsCommand({}))));

    expect(pages).toHaveLength(8);
    // no request was cut and retried
    expect(requests).toBe(15);
    expect(connections).toBeLessThanOrEqual(8);
  });
});

describe('lambdaClient: settings from the environment', () => {
  it('applies them to every client, as read once for the process', async () => {
    await listOnce('us-east-1');
    // read once: a later change is not seen by the clients built after it
    process.env.AWS_SDK_UA_APP_ID = 'changed';
    await listOnce('eu-west-1');

    expect(userAgents).toHaveLength(2);
    for (const agent of userAgents) expect(agent).toContain('app/inventory-test');
    expect(await lambdaClient('us-east-1', CREDENTIALS).config.useFipsEndpoint()).toBe(false);
  });
});

describe('lambdaClient: the configured endpoint', () => {
  /** A second endpoint, answering empty pages and counting them. */
  async function otherServer(): Promise<{ endpoint: string; requests(): number; close(): Promise<void> }> {
    let count = 0;
    const other = createServer((request, response) => {
      count += 1;
      request.resume();
      request.on('end', () =>
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"Functions":[]}'),
      );
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    return {
      endpoint: `http://127.0.0.1:${(other.address() as AddressInfo).port}`,
      requests: () => count,
      close: async () => {
        other.closeAllConnections();
        await new Promise((resolve) => other.close(resolve));
      },
    };
  }
  const listAt = async (region: string, options: { endpoint?: string } = {}) => {
    const client = lambdaClient(region, CREDENTIALS, options);
    try {
      await client.send(new ListFunctionsCommand({}));
    } finally {
      client.destroy();
    }
  };

  it('sends every client to AWS_ENDPOINT_URL_LAMBDA, and to the new one once it changes', async () => {
    const other = await otherServer();
    try {
      vi.stubEnv('AWS_ENDPOINT_URL_LAMBDA', endpoint);
      for (let target = 0; target < 5; target += 1) await listAt('eu-west-1');
      vi.stubEnv('AWS_ENDPOINT_URL_LAMBDA', other.endpoint);
      for (let target = 0; target < 5; target += 1) await listAt('eu-west-1');

      expect(requests).toBe(5);
      expect(other.requests()).toBe(5);
    } finally {
      vi.unstubAllEnvs();
      await other.close();
    }
  });

  it('sends a client given an endpoint there, whatever is configured', async () => {
    const other = await otherServer();
    try {
      vi.stubEnv('AWS_ENDPOINT_URL', other.endpoint);
      for (let target = 0; target < 3; target += 1) await listAt('us-east-1', { endpoint });

      expect(requests).toBe(3);
      expect(other.requests()).toBe(0);
    } finally {
      vi.unstubAllEnvs();
      await other.close();
    }
  });
});

describe('lambdaClient and stsClient: retries', () => {
  it('retries server errors and connection failures', async () => {
    script = [500, 503];

    const page = await listOnce('us-east-1');

    expect(page.Functions).toEqual([]);
    expect(requests).toBe(3);
  });

  it('gives up on server errors after five attempts', async () => {
    script = [500, 500, 500, 500, 500, 500];

    await expect(listOnce('us-east-1')).rejects.toMatchObject({ name: 'ServiceException' });
    expect(requests).toBe(5);
  });

  it('keeps five attempts and no throttle retry whatever AWS_MAX_ATTEMPTS and AWS_RETRY_MODE say', async () => {
    process.env.AWS_MAX_ATTEMPTS = '2';
    process.env.AWS_RETRY_MODE = 'adaptive';
    try {
      script = [500, 500, 500, 500, 500, 500];
      await expect(listOnce('us-east-1')).rejects.toMatchObject({ name: 'ServiceException' });
      const serverErrorAttempts = requests;
      script = [429, 429];
      await expect(listOnce('us-east-1')).rejects.toMatchObject({ name: 'TooManyRequestsException' });

      expect(serverErrorAttempts).toBe(5);
      expect(requests).toBe(serverErrorAttempts + 1);
    } finally {
      delete process.env.AWS_MAX_ATTEMPTS;
      delete process.env.AWS_RETRY_MODE;
    }
  });

  it('returns a ListFunctions throttle at once, with its Retry-After, for the worker to pace', async () => {
    script = [429];

    const listing = listOnce('us-east-1');

    await expect(listing).rejects.toMatchObject({
      name: 'TooManyRequestsException',
      retryAfterSeconds: '1',
    });
    expect(requests).toBe(1);
  });

  it('returns an STS throttle at once', async () => {
    script = [400];
    const sts = stsClient('us-east-1', CREDENTIALS, { endpoint });

    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
    expect(requests).toBe(1);
    sts.destroy();
  });
});

describe('TransientRetryStrategy', () => {
  const strategy = new TransientRetryStrategy(3, () => 0.5);
  const error = awsError('InternalFailure', 'x') as RetryErrorInfo['error'];

  it('retries transient errors with growing jittered delays, up to its attempts', async () => {
    const first = await strategy.acquireInitialRetryToken();
    const second = await strategy.refreshRetryTokenForRetry(first, { errorType: 'TRANSIENT', error });
    const third = await strategy.refreshRetryTokenForRetry(second, { errorType: 'TRANSIENT', error });

    expect([second.getRetryDelay(), third.getRetryDelay()]).toEqual([50, 100]);
    await expect(
      strategy.refreshRetryTokenForRetry(third, { errorType: 'TRANSIENT', error }),
    ).rejects.toThrow();
  });

  it.each(['THROTTLING', 'CLIENT_ERROR', 'SERVER_ERROR'] as const)('does not retry %s', async (errorType) => {
    const token = await strategy.acquireInitialRetryToken();

    await expect(strategy.refreshRetryTokenForRetry(token, { errorType, error })).rejects.toThrow();
  });
});
