/**
 * What StopExecution cuts off. The engine runs an execution to its end, so a stopped execution is
 * fenced instead: from the stop on, its object store refuses every operation and its SDK clients
 * abort their requests (those in flight too). The rest of the run then fails fast and leaves nothing
 * behind: no partial past the stop, no report, no `reports/latest.json` pointing at a stopped run.
 */
import type { Writable } from 'node:stream';
import type { ObjectStore } from '../../functions/shared/object-store.ts';
import type { LocalClients } from '../engine.ts';

/** The reason a fenced store or client gives for refusing work. */
export class ExecutionStoppedError extends Error {
  override name = 'ExecutionStoppedError';
}

/** A store that fails every operation once `signal` is aborted, and tells `onPut` of each write that took. */
export function fencedStore(
  store: ObjectStore,
  signal: AbortSignal,
  onPut?: (key: string) => void,
): ObjectStore {
  const guard = async <T>(operation: () => Promise<T>): Promise<T> => {
    signal.throwIfAborted();
    const result = await operation();
    // the operation may have been slower than the stop: its result is not used
    signal.throwIfAborted();
    return result;
  };
  const written = (key: string) => onPut?.(key);
  return {
    location: store.location,
    put: (key, body, contentType) => guard(() => store.put(key, body, contentType)).then(() => written(key)),
    get: (key) => guard(() => store.get(key)),
    getWithTag: (key) => guard(() => store.getWithTag(key)),
    putIfUnchanged: (key, body, expected, contentType) =>
      guard(() => store.putIfUnchanged(key, body, expected, contentType)).then((done) => {
        if (done) written(key);
        return done;
      }),
    getStream: (key) => guard(() => store.getStream(key)),
    putStream: (key, contentType) => {
      signal.throwIfAborted();
      const upload = store.putStream(key, contentType);
      // a stream cut off by the stop never becomes an object
      const cutOff = () => upload.stream.destroy(signal.reason as Error);
      signal.addEventListener('abort', cutOff, { once: true });
      const done = upload.done.finally(() => signal.removeEventListener('abort', cutOff));
      return { stream: upload.stream as Writable, done: guard(() => done).then(() => written(key)) };
    },
    list: (prefix) => guard(() => store.list(prefix)),
  };
}

interface SdkClient {
  send(command: unknown, options?: { abortSignal?: unknown }): Promise<unknown>;
}

/** The same clients, whose requests are aborted once `signal` is. */
export function fencedClients(clients: LocalClients, signal: AbortSignal): LocalClients {
  return {
    sts: fencedClient(clients.sts, signal),
    organizations: fencedClient(clients.organizations, signal),
    lambdaFor: (region, credentials) => fencedClient(clients.lambdaFor(region, credentials), signal),
  };
}

/** Every `send` gets the signal (the SDK aborts the HTTP request with it); everything else is the client's own. */
function fencedClient<C extends object>(client: C, signal: AbortSignal): C {
  const target = client as C & SdkClient;
  const send: SdkClient['send'] = (command, options) => {
    signal.throwIfAborted();
    return target.send(command, { ...options, abortSignal: signal });
  };
  return new Proxy(target, {
    get: (object, property) => (property === 'send' ? send : Reflect.get(object, property, object)),
  });
}
