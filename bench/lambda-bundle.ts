/**
 * A module bundled the way infra bundles the functions (infra/bundling/bundle-function.mjs), for
 * the tests and benchmarks that run a function's code as Lambda does without synthesizing the CDK
 * app. The target is Node 20 rather than the runtime's 24, so that the bundle runs on every Node the
 * tests run on.
 */
import { join } from 'node:path';
import { bundleFunction } from '../infra/bundling/bundle-function.mjs';

export interface LambdaBundleRequest {
  entry: string;
  outdir: string;
  /** Modules started as worker threads, bundled beside index.mjs. @default none */
  threadEntries?: string[];
  /** Where packages resolve from when the entry's tree has no node_modules of its own. @default none */
  nodePaths?: string[];
}

/** Bundles `entry` as `<outdir>/index.mjs` (and its thread modules beside it); the handler bundle's path. */
export async function bundleAsLambda(request: LambdaBundleRequest): Promise<string> {
  await bundleFunction({ ...request, target: 'node20' });
  return join(request.outdir, 'index.mjs');
}
