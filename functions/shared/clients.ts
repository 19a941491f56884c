/**
 * The one place SDK clients are built, with the project's retry and timeout settings. Cores receive
 * clients as parameters; nothing else calls `new XClient()`.
 *
 * Endpoints come from the SDK's own settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), so the
 * same code runs against AWS or any AWS-compatible endpoint; a caller that knows the endpoint (the
 * CLI's simulated runs) passes it instead.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * ListFunctions shares 15 requests/s per account and region: throttles are expected under load,
 * so the Lambda client gets more attempts than the default 3 (still bounded, with the SDK's
 * exponential backoff and jitter).
 */
export const LAMBDA_MAX_ATTEMPTS = 8;
const DEFAULT_MAX_ATTEMPTS = 5;

const requestHandler = () => new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 30_000 });

export interface ClientOptions {
  /**
   * Where requests go, for callers that know it (the CLI's simulated runs), instead of a process-wide
   * endpoint variable.
   * @default - the SDK's endpoint settings, else AWS
   */
  endpoint?: string;
}

export function lambdaClient(
  region: string,
  credentials: AwsCredentialIdentity,
  options: ClientOptions = {},
): LambdaClient {
  return new LambdaClient({
    region,
    credentials,
    endpoint: options.endpoint,
    maxAttempts: LAMBDA_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: requestHandler(),
  });
}

/**
 * Credentials default to the SDK's provider chain; the CLI passes them explicitly only for the
 * central account's calls when it runs against the simulator, so S3 keeps the user's own.
 */
export function stsClient(
  region?: string,
  credentials?: AwsCredentialIdentity,
  options: ClientOptions = {},
): STSClient {
  return new STSClient({
    region: region ?? process.env.AWS_REGION ?? 'us-east-1',
    credentials,
    endpoint: options.endpoint,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    requestHandler: requestHandler(),
  });
}

export function organizationsClient(
  credentials?: AwsCredentialIdentity,
  options: ClientOptions = {},
): OrganizationsClient {
  // Organizations is a global service served from us-east-1
  return new OrganizationsClient({
    region: 'us-east-1',
    credentials,
    endpoint: options.endpoint,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    requestHandler: requestHandler(),
  });
}

export function s3Client(region?: string): S3Client {
  return new S3Client({
    region: region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    // a report bucket (`--bucket`) may live in another region than the one the caller is configured for
    followRegionRedirects: true,
    requestHandler: requestHandler(),
  });
}
