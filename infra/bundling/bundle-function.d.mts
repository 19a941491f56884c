import type { Metafile } from 'esbuild';

export interface BundleRequest {
  /** The handler module (or any module) to bundle: `<outdir>/index.mjs`. */
  entry: string;
  outdir: string;
  /** Modules the function starts as worker threads, each bundled alone as `<outdir>/<module name>.mjs`. @default none */
  threadEntries?: string[];
  /** esbuild's target. @default 'node24', the functions' runtime */
  target?: string;
  /** @default false */
  sourcemap?: boolean;
  /** Where packages resolve from when the entry's tree has no node_modules of its own. @default none */
  nodePaths?: string[];
}

export function literalSchemaKeys(source: string): string;

/** Bundles one module (and its thread modules) as the functions are bundled; esbuild's metafile. */
export function bundleFunction(request: BundleRequest): Promise<Metafile>;
