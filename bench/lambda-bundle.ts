/**
 * One module bundled the way infra's NodeFunction construct bundles a function (esbuild, ESM,
 * minified, with the banner that gives an ESM bundle `require`), for the tests and benchmarks that
 * run a function's code as Lambda does without synthesizing the CDK app. The target is Node 20
 * rather than the runtime's 24, so that the bundle runs on every Node the tests run on.
 */
import { build } from 'esbuild';

/** `nodePaths`: where packages resolve from when the entry's tree has no node_modules of its own. */
export async function bundleAsLambda(
  entry: string,
  outfile: string,
  nodePaths: string[] = [],
): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    mainFields: ['module', 'main'],
    nodePaths,
    banner: { js: "import { createRequire } from 'module';const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
}
