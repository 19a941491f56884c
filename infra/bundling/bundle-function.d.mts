import type { Metafile } from 'esbuild';

export interface BundleRequest {
  /** The handler module (or any module) to bundle. */
  entry: string;
  outfile: string;
  /** esbuild's target. @default 'node24', the functions' runtime */
  target?: string;
  /** @default false */
  sourcemap?: boolean;
  /** Where packages resolve from when the entry's tree has no node_modules of its own. @default none */
  nodePaths?: string[];
}

export function literalSchemaKeys(source: string): string;

/** Bundles one module as the functions are bundled; the bundle's esbuild metafile. */
export function bundleFunction(request: BundleRequest): Promise<Metafile>;
