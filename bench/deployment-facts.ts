/**
 * Child-process entry: builds the CDK app as a deploy does, with the central stack's functions
 * bundled by the house construct (infra/constructs/node-function.ts: esbuild, ESM, minified, the
 * require banner), and prints one JSON line: the size of the worker's index.mjs and the memory
 * size of each function. A child process, because it loads aws-cdk-lib and runs esbuild.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { buildApp, INVENTORY_STACK_NAME } from '../infra/app.ts';

export interface DeploymentFacts {
  workerBundleBytes: number;
  memoryMB: { plan: number; worker: number; reduce: number };
}

const outdir = mkdtempSync(join(tmpdir(), 'lambda-inventory-bundle-'));
try {
  // bundling happens as the function's asset is staged, so no synth (and no template validation) is needed
  const { inventory } = buildApp({
    config: {},
    outdir,
    context: { 'aws:cdk:bundling-stacks': [INVENTORY_STACK_NAME], 'aws:cdk:enable-asset-metadata': true },
  });
  const cfn = (fn: { node: { defaultChild?: unknown } }) => fn.node.defaultChild as CfnFunction;
  const worker = cfn(inventory.worker);
  const assetPath = worker.getMetadata('aws:asset:path');
  if (typeof assetPath !== 'string') throw new Error('the worker function has no asset path');
  const memory = (fn: CfnFunction) => {
    if (typeof fn.memorySize !== 'number') throw new Error(`${fn.node.path} has no memory size`);
    return fn.memorySize;
  };
  const facts: DeploymentFacts = {
    workerBundleBytes: statSync(join(outdir, assetPath, 'index.mjs')).size,
    memoryMB: {
      plan: memory(cfn(inventory.plan)),
      worker: memory(worker),
      reduce: memory(cfn(inventory.reduce)),
    },
  };
  process.stdout.write(`${JSON.stringify(facts)}\n`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
