/**
 * The central account's SDK clients for a local run: AWS through the SDK's own credential chain and
 * endpoint settings, or the fleet simulator at its endpoint with its central credentials. Passed to
 * the engine, with the settings they are built from (so that its worker threads build the same); the
 * process environment is never changed, so S3 (`--bucket`) keeps the user's own endpoint and credentials.
 */
import { type LocalClients, localClients } from '../local/clients.ts';
import type { Simulator } from '../simulator/index.ts';

export function awsClients(): LocalClients {
  return localClients();
}

export function simulatorClients(simulator: Pick<Simulator, 'endpoint' | 'env'>): LocalClients {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = simulator.env;
  if (!accessKeyId || !secretAccessKey) throw new Error('the simulator gave no central credentials');
  return localClients({ endpoint: simulator.endpoint, credentials: { accessKeyId, secretAccessKey } });
}
