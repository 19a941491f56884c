/**
 * The product's modules as `lambda-inventory` runs them: compiled (dist/) when that build is current,
 * as `npm start` and the installed CLI run them and as the Lambda functions run bundled JavaScript;
 * else the TypeScript sources (scripts/current-build.mjs decides, the way `npm start` does). From
 * sources, every worker thread the product starts loads its code through tsx, which costs up to a
 * second per thread that no deployment pays.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
// @ts-expect-error: a plain JavaScript script of the repository, without types
import { buildIsCurrent } from '../scripts/current-build.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the product's modules are loaded from in this process. */
export const PRODUCT_BUILD: 'dist' | 'sources' = (buildIsCurrent as () => boolean)() ? 'dist' : 'sources';

/** The module at `path` (from the repository, without extension), from PRODUCT_BUILD. */
export function productModule<T>(path: string): Promise<T> {
  const file = PRODUCT_BUILD === 'dist' ? `${ROOT}dist/${path}.js` : `${ROOT}${path}.ts`;
  return import(pathToFileURL(file).href) as Promise<T>;
}
