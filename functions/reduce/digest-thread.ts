/**
 * A digest thread of the reduce (digest-pool.ts starts it): digests each partial it is sent, with one
 * digester (and its caches) for the run, and sends the digest back. Its own module, so that a thread
 * loads the digest code alone: in Lambda its bundle (digest-thread.mjs) carries neither the HTML
 * page's charts nor the SDK.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { AthenaRun } from '../../shared/athena.ts';
import { inflatePartialSync, type PartialDigest, PartialDigester } from './partial-digest.ts';

export interface WorkerSetup {
  /** The run's start (ISO), the day runtime lifecycles are taken at. */
  run: AthenaRun;
}

export interface DigestRequest {
  id: number;
  key: string;
  compressed: Uint8Array;
}

export type DigestResponse =
  | { id: number; ok: true; digest: PartialDigest }
  | { id: number; ok: false; name: string; message: string };

/** What a thread sends once it has loaded the code and can digest. */
export interface ReadyMessage {
  ready: true;
}

function serve(setup: WorkerSetup): void {
  const port = parentPort;
  if (!port) return;
  const digester = new PartialDigester(setup.run);
  port.postMessage({ ready: true } satisfies ReadyMessage);
  port.on('message', ({ id, key, compressed }: DigestRequest) => {
    let digest: PartialDigest;
    try {
      digest = digester.digest(key, inflatePartialSync(key, compressed));
    } catch (error) {
      const { name, message } = error as Error;
      port.postMessage({
        id,
        ok: false,
        name: String(name),
        message: String(message),
      } satisfies DigestResponse);
      return;
    }
    // the digest's own buffers (see partial-digest.ts) move to the main thread without a copy
    port.postMessage({ id, ok: true, digest } satisfies DigestResponse, [
      digest.json.buffer as ArrayBuffer,
      digest.csv.buffer as ArrayBuffer,
      digest.athena.buffer as ArrayBuffer,
    ]);
  });
}

if (!isMainThread) serve(workerData as WorkerSetup);
