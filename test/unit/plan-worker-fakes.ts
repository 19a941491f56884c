/** Test doubles shared by the plan and worker tests: an in-memory object store and quiet loggers. */
export { MemoryObjectStore } from '../support/memory-object-store.ts';

import { Logger } from '@aws-lambda-powertools/logger';

export function silentLogger(): Logger {
  return new Logger({ logLevel: 'SILENT' });
}

/** An Error shaped as the SDK shapes service errors: the error code is the name. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });
}

/** Credentials for the SDK clients tests build: never real, and the clients never reach a network. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' } as const;
