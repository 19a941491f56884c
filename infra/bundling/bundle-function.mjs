/**
 * How every Lambda function of the project is bundled, in one place for the NodeFunction construct,
 * the benchmarks and the tests: esbuild, one ES module, minified, with the banner that gives an ES
 * module bundle `require`, and the pinned AWS SDK inside (the code runs on the SDK version the tests
 * ran against, not on whichever one the runtime ships). Two changes keep the SDK to what a function
 * uses (the worker: about 603 KB without them, 399 KB with them; README "What the worker bundle
 * holds"):
 *
 * - The SDK's default credential chain gives way to the Lambda one
 *   (functions/shared/lambda-credentials.ts): about 100 KB of profile, SSO and web-identity
 *   providers with their nested STS and SSO clients.
 * - A client's schemas (`schemas/schemas_0.js`: every operation, structure and error of the
 *   service, 137 KB of source for S3) name their traits with computed keys such as `{ [_hE]: 403 }`,
 *   where `const _hE = "httpError"`. esbuild cannot prove such a key free of side effects, so it
 *   keeps every schema, used or not. The plugin writes the keys out (`{ "httpError": 403 }`, the
 *   same object) and esbuild drops the schemas of the operations a function never calls.
 *   The clients also import their whole package.json for its version (the user agent): they get
 *   the name and the version.
 *
 * A function that starts worker threads names their modules (`threadEntries`): each is bundled on
 * its own beside the handler, `<module name>.mjs`, where `new URL('./<module name>.mjs',
 * import.meta.url)` finds it, and carries only what the thread imports.
 *
 * Plain JavaScript, so that the construct can run it as a child process under any Node.js: CDK's
 * local bundling is synchronous, and esbuild runs plugins only in its asynchronous API.
 *   node infra/bundling/bundle-function.mjs '{"entry":"<handler module>","outdir":"<folder>","threadEntries":[]}'
 * writes `<folder>/index.mjs`, a bundle per thread module, and their source maps.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The bundle Lambda loads the handler from (`index.handler`): index.mjs. */
const HANDLER_BUNDLE = 'index';

const LAMBDA_CREDENTIALS = fileURLToPath(
  new URL('../../functions/shared/lambda-credentials.ts', import.meta.url),
);

/** Bundled CommonJS dependencies call `require`, which an ES module does not have. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module';const require = createRequire(import.meta.url);";

const SDK_SCHEMAS =
  /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;
const SDK_PACKAGE_JSON = /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/;
const STRING_CONSTANT = /^const (\w+) = ("[^"\\\n]*");$/gm;
const COMPUTED_KEY = /\[(\w+)\]:/g;

/** A schema module with its computed keys written out, where the key is a string constant of the module. */
export function literalSchemaKeys(source) {
  const constants = new Map();
  for (const [, name, value] of source.matchAll(STRING_CONSTANT)) constants.set(name, value);
  return source.replace(COMPUTED_KEY, (key, name) => {
    const value = constants.get(name);
    return value === undefined ? key : `${value}:`;
  });
}

/** @type {import('esbuild').Plugin} */
const trimSdk = {
  name: 'lambda-inventory-trim-sdk',
  setup(bundle) {
    bundle.onLoad({ filter: SDK_SCHEMAS }, async ({ path }) => ({
      contents: literalSchemaKeys(await readFile(path, 'utf8')),
      loader: 'js',
    }));
    bundle.onLoad({ filter: SDK_PACKAGE_JSON }, async ({ path }) => {
      const { name, version } = JSON.parse(await readFile(path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

/**
 * Bundles one handler module, and the modules it starts as threads.
 * @param {import('./bundle-function.d.mts').BundleRequest} request
 * @returns {Promise<import('esbuild').Metafile>}
 */
export async function bundleFunction({
  entry,
  outdir,
  threadEntries = [],
  target = 'node24',
  sourcemap = false,
  nodePaths = [],
}) {
  const entryPoints = { [HANDLER_BUNDLE]: entry };
  for (const thread of threadEntries) {
    const name = basename(thread, extname(thread));
    if (name in entryPoints) throw new Error(`two bundles would be named ${name}.mjs: ${thread}`);
    entryPoints[name] = thread;
  }
  const result = await build({
    entryPoints,
    outdir,
    entryNames: '[name]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target,
    minify: true,
    mainFields: ['module', 'main'],
    sourcemap,
    sourcesContent: false,
    nodePaths,
    banner: { js: ESM_REQUIRE_BANNER },
    alias: { '@aws-sdk/credential-provider-node': LAMBDA_CREDENTIALS },
    plugins: [trimSdk],
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { entry, outdir, threadEntries = [] } = JSON.parse(process.argv[2] ?? '{}');
  if (typeof entry !== 'string' || typeof outdir !== 'string' || !Array.isArray(threadEntries)) {
    console.error(
      'usage: node infra/bundling/bundle-function.mjs \'{"entry":"<module>","outdir":"<folder>","threadEntries":["<module>"]}\'',
    );
    process.exit(2);
  }
  try {
    await bundleFunction({ entry, outdir, threadEntries, sourcemap: true });
  } catch (error) {
    console.error(`bundling ${entry} failed: ${error.message}`);
    process.exit(1);
  }
}
