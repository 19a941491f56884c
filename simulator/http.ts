/** The small HTTP vocabulary shared by the three protocol front-ends. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Caller } from './credentials.ts';

export interface SimRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: string;
  requestId: string;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A request whose caller and region are known. */
export interface Call {
  request: SimRequest;
  caller: Caller;
  region: string;
}

export type AuthFailure = 'missing' | 'malformed' | 'invalid-token' | 'expired-token';

/** One AWS protocol front-end (STS query, Lambda REST-JSON, Organizations JSON 1.1). */
export interface ServiceFrontEnd {
  /** the operation a request asks for, used in counters as `service:Operation` */
  operation(request: SimRequest): string;
  handle(call: Call): Reply;
  authError(failure: AuthFailure, message: string, request: SimRequest): Reply;
  /** the 5xx this service answers when the fault injector picks the request */
  internalError(request: SimRequest): Reply;
}

export function jsonReply(
  status: number,
  body: unknown,
  requestId: string,
  contentType = 'application/json',
  headers: Record<string, string> = {},
): Reply {
  return {
    status,
    headers: { 'content-type': contentType, 'x-amzn-requestid': requestId, ...headers },
    body: JSON.stringify(body),
  };
}

export function xmlReply(status: number, xml: string, requestId: string): Reply {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`,
  };
}

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

export function header(request: SimRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Opaque pagination tokens, as AWS hands them out: base64url of a small JSON state. */
export function encodeToken(state: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodeToken(token: string): Record<string, unknown> | undefined {
  try {
    const state: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return state !== null && typeof state === 'object' && !Array.isArray(state)
      ? (state as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
