/**
 * The workflow definition the local engine runs: synthesized from the CDK app (the same
 * `buildApp` and InventoryStack a deploy uses, with the user's map settings in the configuration),
 * never a copy. The tokens in it (function ARNs, the bucket name, the partition) become local
 * placeholders (definition-from-template.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../infra/app.ts';
import type { InventoryConfig } from '../shared/config.ts';
import type { AslDefinition } from './asl.ts';
import { type CfnTemplate, definitionFromTemplate } from './definition-from-template.ts';
import type { LocalIdentity } from './types.ts';

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
}

/** What a synth yields for one configuration; the bucket label is filled in per run. */
interface SynthesizedWorkflow {
  template: CfnTemplate;
  bucketLogicalId: string;
  functionLogicalIds: { plan: string; worker: string; reduce: string };
}

const synthesized = new Map<string, SynthesizedWorkflow>();

/**
 * Renders the workflow for `config` with `bucket` as the bucket name. A synth takes a second or two,
 * so its result is kept per configuration for the life of the process.
 */
export function renderWorkflow(config: InventoryConfig, bucket: string): RenderedWorkflow {
  const cacheKey = JSON.stringify(config);
  let workflow = synthesized.get(cacheKey);
  if (!workflow) {
    workflow = synthesize(config);
    synthesized.set(cacheKey, workflow);
  }
  const identity = LOCAL_IDENTITY;
  const lambdaArn = (logicalId: string) =>
    `arn:${identity.partition}:lambda:${identity.region}:${identity.accountId}:function:${logicalId}`;
  const definition = definitionFromTemplate(workflow.template, {
    ...identity,
    refs: { [workflow.bucketLogicalId]: bucket },
    functionArn: lambdaArn,
  });
  const ids = workflow.functionLogicalIds;
  return {
    definition,
    identity,
    functionArns: { plan: lambdaArn(ids.plan), worker: lambdaArn(ids.worker), reduce: lambdaArn(ids.reduce) },
  };
}

function synthesize(config: InventoryConfig): SynthesizedWorkflow {
  const outdir = mkdtempSync(join(tmpdir(), 'lambda-inventory-synth-'));
  try {
    const { app, inventory } = buildApp({
      config,
      // the local engine runs the handlers in-process: no bundle needed
      context: { 'aws:cdk:bundling-stacks': [] },
      outdir,
    });
    const template = app.synth().getStackArtifact(inventory.artifactId).template as CfnTemplate;
    const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
      inventory.getLogicalId(construct.node.defaultChild as Parameters<typeof inventory.getLogicalId>[0]);
    return {
      template,
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
