/**
 * The object store of a local run, and the settings it is built from: plain data, so that a worker
 * thread running the Map's child executions can open the same store (distributed-map/child-threads.ts).
 */
import { s3Client } from '../functions/shared/clients.ts';
import { FolderObjectStore, type ObjectStore, S3ObjectStore } from '../functions/shared/object-store.ts';

/** A local folder, or an S3 bucket reached with the SDK's own settings (credentials, endpoint). */
export type StoreSettings = { folder: string } | { bucket: string; region?: string };

/** A store that says how to open it again elsewhere; any other store is used in the engine's thread only. */
export type LocalStore = ObjectStore & { readonly settings?: StoreSettings };

export function localStore(settings: StoreSettings): LocalStore & { readonly settings: StoreSettings } {
  if ('folder' in settings) {
    const store = new FolderObjectStore(settings.folder);
    // the absolute path: a thread resolves a relative one against the same working directory, but this says so
    return Object.assign(store, { settings: { folder: store.location } });
  }
  const store = new S3ObjectStore(s3Client(settings.region), settings.bucket);
  return Object.assign(store, { settings: { ...settings } });
}
