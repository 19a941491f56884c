/**
 * The awsJson1_0 protocol over HTTP, as Step Functions speaks it: `POST /` with the operation in
 * `X-Amz-Target: AWSStepFunctions.<Operation>` and its members as a JSON object
 * (`Content-Type: application/x-amz-json-1.0`); the answer is HTTP 200 with the response members, or
 * an error status with the error name in `x-amzn-ErrorType` and `{"__type", "message"}` in the body.
 * Requests are not authenticated: the server listens on loopback only, for this machine's clients.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Operation } from './operations.ts';
import { ServiceError } from './service-errors.ts';

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Far above any valid request: the largest member is a 256 KiB execution input. */
const MAX_BODY_BYTES = 1024 * 1024;

export function createJsonServer(
  operations: Record<string, Operation>,
  onInternalError: (error: unknown) => void,
): Server {
  return createServer((request, response) => {
    handle(request, operations).then(
      (members) => send(response, 200, members),
      (error: unknown) => {
        if (!(error instanceof ServiceError)) onInternalError(error);
        const failure =
          error instanceof ServiceError
            ? error
            : new ServiceError('InternalFailure', 'the local endpoint failed');
        send(response, failure.statusCode, failure.body(), failure.errorName);
      },
    );
  });
}

async function handle(request: IncomingMessage, operations: Record<string, Operation>): Promise<unknown> {
  const target = request.headers['x-amz-target'];
  const name =
    typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
  const operation = Object.hasOwn(operations, name) ? operations[name] : undefined;
  if (request.method !== 'POST' || !operation) {
    await drain(request);
    throw new ServiceError(
      'UnknownOperationException',
      `unknown operation: ${String(target ?? '(no X-Amz-Target)')}`,
    );
  }
  return operation(await readMembers(request));
}

async function readMembers(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new ServiceError('SerializationException', 'the request body is too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let members: unknown;
  try {
    members = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ServiceError('SerializationException', 'the request body is not valid JSON');
  }
  if (members === null || typeof members !== 'object' || Array.isArray(members)) {
    throw new ServiceError('SerializationException', 'the request body must be a JSON object');
  }
  return members as Record<string, unknown>;
}

async function drain(request: IncomingMessage): Promise<void> {
  for await (const _chunk of request) {
    // the body of a request no operation reads
  }
}

function send(response: ServerResponse, status: number, body: unknown, errorName?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...(errorName === undefined ? {} : { 'x-amzn-errortype': errorName }),
  });
  response.end(text);
}
