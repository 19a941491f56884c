/**
 * The workflow definition the local engine runs: synthesized from the CDK app (the same
 * `buildApp` and InventoryStack a deploy uses, with the user's map settings in the configuration),
 * never a copy. The tokens in it (function ARNs, the bucket name, the partition) become local
 * placeholders (definition-from-template.ts).
 *
 * A synth costs seconds of CPU, so its result is kept: in memory for the life of the process and on
 * disk between runs (definition-cache.ts). Only a miss loads aws-cdk-lib (a dynamic import) and
 * validates the definition; a definition read back from the cache was validated when it was written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InventoryConfig } from '../shared/config.ts';
import type { AslDefinition } from './asl.ts';
import {
  defaultCacheDir,
  definitionCacheKey,
  readCachedWorkflow,
  type SynthesizedWorkflow,
  writeCachedWorkflow,
} from './definition-cache.ts';
import { type CfnTemplate, definitionFromTemplate } from './definition-from-template.ts';
import type { LocalIdentity } from './types.ts';
import { validateDefinition } from './validate-definition.ts';

/** Where the local state machine pretends to live: these only appear in ARNs. */
export const LOCAL_IDENTITY: LocalIdentity = {
  partition: 'aws',
  region: 'us-east-1',
  accountId: '000000000000',
  stateMachineName: 'lambda-inventory-local',
};

export interface RenderedWorkflow {
  definition: AslDefinition;
  identity: LocalIdentity;
  /** The placeholder ARNs of the three functions, to check which function each Task state invokes. */
  functionArns: { plan: string; worker: string; reduce: string };
  /** Where the definition came from: this process's memory, the disk cache, or a synth of the CDK app. */
  source: 'memory' | 'disk' | 'synth';
}

export interface RenderOptions {
  /**
   * The folder of the disk cache; null keeps rendered definitions in memory only.
   * @default node_modules/.cache/lambda-inventory beside the package, else the user's cache folder
   */
  cacheDir?: string | null;
}

const rendered = new Map<string, Promise<SynthesizedWorkflow>>();

/** Renders the workflow for `config` with `bucket` as the bucket name. */
export async function renderWorkflow(
  config: InventoryConfig,
  bucket: string,
  options: RenderOptions = {},
): Promise<RenderedWorkflow> {
  const { workflow, source } = await synthesizedWorkflow(config, options);
  const identity = LOCAL_IDENTITY;
  const ids = workflow.functionLogicalIds;
  return {
    definition: definitionOf(workflow, bucket),
    identity,
    functionArns: { plan: lambdaArn(ids.plan), worker: lambdaArn(ids.worker), reduce: lambdaArn(ids.reduce) },
    source,
  };
}

/**
 * Renders the definition for `config` ahead of its first run (a server at startup, a test before
 * its timed cases): that run then finds it in memory.
 */
export async function warmUpWorkflow(config: InventoryConfig, options: RenderOptions = {}): Promise<void> {
  await synthesizedWorkflow(config, options);
}

async function synthesizedWorkflow(
  config: InventoryConfig,
  options: RenderOptions,
): Promise<{ workflow: SynthesizedWorkflow; source: RenderedWorkflow['source'] }> {
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const key = definitionCacheKey(config);
  // one entry per folder: a test's own cache folder never sees another folder's entries
  const memoryKey = `${cacheDir ?? ''}\n${key}`;
  const known = rendered.get(memoryKey);
  if (known) return { workflow: await known, source: 'memory' };

  let source: RenderedWorkflow['source'] = 'disk';
  const loading = (async () => {
    const cached = cacheDir === null ? undefined : await readCachedWorkflow(cacheDir, key);
    if (cached) return cached;
    source = 'synth';
    const workflow = await synthesizeWorkflow(config);
    // what the cache hands out is valid: checked once, here, with a placeholder bucket
    validateDefinition(definitionOf(workflow, 'validation-bucket'));
    if (cacheDir !== null) await writeCachedWorkflow(cacheDir, key, workflow);
    return workflow;
  })();
  rendered.set(memoryKey, loading);
  try {
    return { workflow: await loading, source };
  } catch (error) {
    // a failed render is not remembered: the next run tries again
    rendered.delete(memoryKey);
    throw error;
  }
}

function lambdaArn(logicalId: string): string {
  const { partition, region, accountId } = LOCAL_IDENTITY;
  return `arn:${partition}:lambda:${region}:${accountId}:function:${logicalId}`;
}

function definitionOf(workflow: SynthesizedWorkflow, bucket: string): AslDefinition {
  return definitionFromTemplate(workflow.template, {
    ...LOCAL_IDENTITY,
    refs: { [workflow.bucketLogicalId]: bucket },
    functionArn: lambdaArn,
  });
}

/** Synthesizes the CDK app for `config`: what a cache miss costs. */
export async function synthesizeWorkflow(config: InventoryConfig): Promise<SynthesizedWorkflow> {
  // loaded on a miss only: aws-cdk-lib takes a second or more to import
  const { buildApp } = await import('../infra/app.ts');
  const outdir = mkdtempSync(join(tmpdir(), 'lambda-inventory-synth-'));
  try {
    const { app, inventory } = buildApp({
      config,
      context: {
        // the local engine runs the handlers in-process: no bundle needed
        'aws:cdk:bundling-stacks': [],
        // policy findings (cdk-nag) are the deploy's to enforce (`cdk synth`, test/infra): the local
        // engine only needs the definition, so a finding is reported in the assembly, not thrown here
        '@aws-cdk/core:failSynthOnValidationErrors': false,
      },
      outdir,
    });
    const template = withoutCloudFormationValidation(
      () => app.synth().getStackArtifact(inventory.artifactId).template as CfnTemplate,
    );
    const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
      inventory.getLogicalId(construct.node.defaultChild as Parameters<typeof inventory.getLogicalId>[0]);
    return {
      template: definitionParts(template),
      bucketLogicalId: logicalId(inventory.bucket),
      functionLogicalIds: {
        plan: logicalId(inventory.plan),
        worker: logicalId(inventory.worker),
        reduce: logicalId(inventory.reduce),
      },
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * aws-cdk-lib checks every synthesized template against CloudFormation's schemas (WASM, most of a
 * synth's CPU). `CDK_VALIDATION=false` is its switch; the engine reads one definition from the
 * template, which the definition's own validation covers. The synth is synchronous: the variable is
 * set for exactly its duration.
 */
function withoutCloudFormationValidation<T>(synth: () => T): T {
  const before = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  try {
    return synth();
  } finally {
    if (before === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = before;
  }
}

/**
 * The state machines with their definition properties, and the functions (a definition's function
 * ARN token is resolved only for a resource of that Type): all rendering reads of the template.
 */
function definitionParts(template: CfnTemplate): CfnTemplate {
  const resources: CfnTemplate['Resources'] = {};
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Lambda::Function') resources[id] = { Type: resource.Type };
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const { DefinitionString, DefinitionSubstitutions } = resource.Properties ?? {};
    resources[id] = {
      Type: resource.Type,
      Properties: {
        DefinitionString,
        ...(DefinitionSubstitutions === undefined ? {} : { DefinitionSubstitutions }),
      },
    };
  }
  return { Resources: resources };
}
