/**
 * The central account's SDK clients of a local run, and the settings they are built from. The
 * settings are plain data, so that a worker thread running the Map's child executions can build the
 * same clients again (distributed-map/child-threads.ts): clients themselves cannot cross a thread.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { lambdaClient, organizationsClient, stsClient } from '../functions/shared/clients.ts';

export interface LocalClients {
  sts: STSClient;
  organizations: OrganizationsClient;
  lambdaFor(region: string, credentials: AwsCredentialIdentity): LambdaClient;
  /**
   * What these clients were built from (`localClients`). Without it, worker threads cannot build the
   * same clients (mocked or wrapped ones, for instance), so the Map's child executions run in the
   * engine's thread.
   */
  readonly settings?: ClientSettings;
}

/** How to build the clients, as data. */
export interface ClientSettings {
  /**
   * One endpoint for STS, Lambda and Organizations (the fleet simulator's).
   * @default - the SDK's endpoint settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), else AWS
   */
  endpoint?: string;
  /**
   * The central account's credentials for STS and Organizations.
   * @default - the SDK's default credential chain (environment, profiles, SSO...)
   */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/** The product's clients (functions/shared/clients.ts) for these settings, carrying them. */
export function localClients(settings: ClientSettings = {}): LocalClients {
  const { endpoint, credentials } = settings;
  const at = { endpoint };
  return {
    sts: stsClient(undefined, credentials, at),
    organizations: organizationsClient(credentials, at),
    lambdaFor: (region, memberCredentials) => lambdaClient(region, memberCredentials, at),
    settings: structuredClone(settings),
  };
}
