/**
 * One loopback endpoint for every service: the SigV4 credential scope of each request says which
 * service it is for (as the host name would at AWS), which region, and who calls.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Counters } from './counters.ts';
import type { CredentialStore } from './credentials.ts';
import type { FaultInjector } from './faults.ts';
import { header, jsonReply, type Reply, type ServiceFrontEnd, type SimRequest } from './http.ts';
import { readCredentialScope } from './sigv4.ts';

export type ServiceName = 'sts' | 'lambda' | 'organizations';

export interface ServerDependencies {
  frontEnds: Record<ServiceName, ServiceFrontEnd>;
  credentials: CredentialStore;
  faults: FaultInjector;
  counters: Counters;
  now: () => number;
}

const MAX_BODY_BYTES = 1024 * 1024;

class BodyTooLargeError extends Error {
  constructor() {
    super(`request body over ${MAX_BODY_BYTES} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body) });
  res.end(reply.body);
}

function isService(name: string): name is ServiceName {
  return name === 'sts' || name === 'lambda' || name === 'organizations';
}

/** Without a credential scope, the shape of the request tells which error format the client expects. */
function guessService(request: SimRequest): ServiceName | undefined {
  if ((header(request, 'x-amz-target') ?? '').startsWith('AWSOrganizations')) return 'organizations';
  if (request.url.pathname.startsWith('/2015-03-31/')) return 'lambda';
  if (request.url.searchParams.has('Action') || new URLSearchParams(request.body).has('Action')) return 'sts';
  return undefined;
}

export function createSimulatorServer(deps: ServerDependencies): Server {
  const { frontEnds, credentials, faults, counters, now } = deps;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const request: SimRequest = {
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', 'http://simulator.invalid'),
      headers: req.headers,
      body,
      requestId: randomUUID(),
    };

    const scope = readCredentialScope(req.headers);
    if (!scope.ok) {
      const guessed = guessService(request);
      send(
        res,
        guessed
          ? frontEnds[guessed].authError(scope.reason, scope.message, request)
          : jsonReply(403, { message: scope.message }, request.requestId),
      );
      return;
    }
    const { service, region, accessKeyId } = scope.scope;
    if (!isService(service)) {
      send(
        res,
        jsonReply(
          400,
          { message: `The fleet simulator serves sts, lambda and organizations, not ${service}.` },
          request.requestId,
          'application/json',
          { 'x-amzn-errortype': 'UnsupportedServiceException' },
        ),
      );
      return;
    }
    const frontEnd = frontEnds[service];
    const api = `${service}:${frontEnd.operation(request)}`;
    counters.call(api);

    const resolved = credentials.resolve(accessKeyId, header(request, 'x-amz-security-token'), now());
    if (resolved.ok && service === 'lambda') {
      res.on('close', counters.enterAccountRegion(`${resolved.caller.accountId}/${region}`));
    }

    const latency = faults.latencyMs();
    if (latency > 0) await sleep(latency);

    const disruption = faults.disruption();
    if (disruption === 'reset') {
      counters.resetInjected(api);
      req.socket.destroy();
      return;
    }
    if (disruption === 'error') {
      counters.errorInjected(api);
      send(res, frontEnd.internalError(request));
      return;
    }
    if (!resolved.ok) {
      send(res, frontEnd.authError(resolved.reason, '', request));
      return;
    }
    send(res, frontEnd.handle({ request, caller: resolved.caller, region }));
  }

  const server = createServer((req, res) => {
    res.on('close', counters.enter());
    serve(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // a simulator bug must be loud in the client, not a hang: answer with what went wrong
      const status = error instanceof BodyTooLargeError ? 413 : 500;
      send(
        res,
        jsonReply(
          status,
          { message: `fleet simulator: ${(error as Error).message}` },
          randomUUID(),
          'application/json',
          {
            'x-amzn-errortype':
              error instanceof BodyTooLargeError ? 'RequestEntityTooLargeException' : 'SimulatorError',
          },
        ),
      );
    });
  });
  // longer than any client's idle keep-alive, so the server never closes a socket a client is reusing
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  return server;
}
