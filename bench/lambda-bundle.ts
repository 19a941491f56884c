/**
 * One module bundled the way infra bundles the functions (infra/bundling/bundle-function.mjs), for
 * the tests and benchmarks that run a function's code as Lambda does without synthesizing the CDK
 * app. The target is Node 20 rather than the runtime's 24, so that the bundle runs on every Node the
 * tests run on.
 */
import { bundleFunction } from '../infra/bundling/bundle-function.mjs';

/** `nodePaths`: where packages resolve from when the entry's tree has no node_modules of its own. */
export async function bundleAsLambda(
  entry: string,
  outfile: string,
  nodePaths: string[] = [],
): Promise<void> {
  await bundleFunction({ entry, outfile, nodePaths, target: 'node20' });
}
