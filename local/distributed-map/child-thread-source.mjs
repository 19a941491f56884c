// The worker thread entry of child-threads.ts when the engine runs from TypeScript sources (tsx,
// vitest): a worker thread does not get its parent's loader hooks on Node 20, so the thread loads its
// TypeScript module through tsx's API. The compiled package loads child-thread.js directly.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const thread = await tsImport(workerData.source, import.meta.url);

export default thread.default;
