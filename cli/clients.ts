/**
 * The central account's SDK clients for a local run: AWS through the SDK's own credential chain and
 * endpoint settings, or the fleet simulator at its endpoint with its central credentials. Passed to
 * the engine; the process environment is never changed, so S3 (`--bucket`) keeps the user's own
 * endpoint and credentials.
 */
import { lambdaClient, organizationsClient, stsClient } from '../functions/shared/clients.ts';
import type { LocalClients } from '../local/engine.ts';
import type { Simulator } from '../simulator/index.ts';

export function awsClients(): LocalClients {
  return { sts: stsClient(), organizations: organizationsClient(), lambdaFor: lambdaClient };
}

export function simulatorClients(simulator: Pick<Simulator, 'endpoint' | 'env'>): LocalClients {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = simulator.env;
  if (!accessKeyId || !secretAccessKey) throw new Error('the simulator gave no central credentials');
  const central = { accessKeyId, secretAccessKey };
  const at = { endpoint: simulator.endpoint };
  return {
    sts: stsClient(undefined, central, at),
    organizations: organizationsClient(central, at),
    lambdaFor: (region, credentials) => lambdaClient(region, credentials, at),
  };
}
