/**
 * Reads the SigV4 Authorization header. The credential scope says who calls (access key id), where
 * (region) and which service; the simulator routes on it, as AWS routes on the host name. Signatures
 * are not verified: the caller's secret is not what the simulator tests.
 */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
}

export type ScopeResult =
  | { ok: true; scope: CredentialScope }
  | { ok: false; reason: 'missing' | 'malformed'; message: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const CREDENTIAL = /^([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request$/;

export function readCredentialScope(headers: Record<string, string | string[] | undefined>): ScopeResult {
  const authorization = headers.authorization;
  if (authorization === undefined || authorization === '') {
    return { ok: false, reason: 'missing', message: 'Missing Authentication Token' };
  }
  const header = Array.isArray(authorization) ? authorization.join(',') : authorization;
  if (!header.startsWith(`${ALGORITHM} `)) {
    return {
      ok: false,
      reason: 'malformed',
      message: `Unsupported authorization type; expected ${ALGORITHM}`,
    };
  }
  const fields = new Map<string, string>();
  for (const part of header.slice(ALGORITHM.length + 1).split(',')) {
    const [name, ...value] = part.trim().split('=');
    if (name) fields.set(name, value.join('='));
  }
  const credential = CREDENTIAL.exec(fields.get('Credential') ?? '');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) {
    return {
      ok: false,
      reason: 'malformed',
      message: `Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters. Authorization=${header.slice(0, 40)}`,
    };
  }
  if (headers['x-amz-date'] === undefined && headers.date === undefined) {
    return {
      ok: false,
      reason: 'malformed',
      message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    };
  }
  const [, accessKeyId, date, region, service] = credential as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  return { ok: true, scope: { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';') } };
}
