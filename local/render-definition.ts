/**
 * The workflow definition the local engine runs: synthesized from the CDK app (the same
 * `buildApp` and InventoryStack a deploy uses, with the user's map settings in the configuration),
 * never a copy. The state machine's DefinitionString holds CloudFormation tokens (function ARNs,
 * the bucket name, the partition); they become local placeholders before the JSON is parsed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../infra/app.ts';
import type { InventoryConfig } from '../shared/config.ts';
import type { AslDefinition } from './asl.ts';
import { type LocalIdentity, UnsupportedDefinitionError } from './distributed-map.ts';

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

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
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

export interface TokenValues {
  partition: string;
  region: string;
  accountId: string;
  /** Values of `{ Ref: <logicalId> }` (the bucket's name). */
  refs: Record<string, string>;
  /** The ARN `{ Fn::GetAtt: [<function logicalId>, Arn] }` stands for. */
  functionArn(logicalId: string): string;
}

/** Parses the DefinitionString of the template's one state machine, with its tokens replaced. */
export function definitionFromTemplate(template: CfnTemplate, values: TokenValues): AslDefinition {
  const machines = Object.entries(template.Resources).filter(
    ([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine',
  );
  const [machine, ...others] = machines;
  if (!machine || others.length > 0) {
    throw new UnsupportedDefinitionError(`expected one state machine in the stack, found ${machines.length}`);
  }
  const [machineId, { Properties: properties = {} }] = machine;
  if (properties.DefinitionSubstitutions !== undefined) {
    throw new UnsupportedDefinitionError(
      `state machine ${machineId}: DefinitionSubstitutions are not supported locally`,
    );
  }
  const definitionString = properties.DefinitionString;
  const parts =
    typeof definitionString === 'string' ? [definitionString] : joinParts(definitionString, machineId);
  const text = parts
    .map((part) =>
      typeof part === 'string' ? part : jsonStringContent(resolveToken(part, template, values)),
    )
    .join('');
  return JSON.parse(text) as AslDefinition;
}

function joinParts(value: unknown, machineId: string): unknown[] {
  const join = (value as { 'Fn::Join'?: unknown } | undefined)?.['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) {
    throw new UnsupportedDefinitionError(
      `state machine ${machineId}: DefinitionString is neither a string nor an Fn::Join`,
    );
  }
  return join[1];
}

const PSEUDO_PARAMETERS: Record<string, (values: TokenValues) => string> = {
  'AWS::Partition': (values) => values.partition,
  'AWS::Region': (values) => values.region,
  'AWS::AccountId': (values) => values.accountId,
  'AWS::URLSuffix': () => 'amazonaws.com',
};

function resolveToken(token: unknown, template: CfnTemplate, values: TokenValues): string {
  const ref = (token as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') {
    const pseudo = PSEUDO_PARAMETERS[ref];
    if (pseudo) return pseudo(values);
    const value = values.refs[ref];
    if (value !== undefined) return value;
  }
  const getAtt = (token as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn' && typeof getAtt[0] === 'string') {
    if (template.Resources[getAtt[0]]?.Type === 'AWS::Lambda::Function') return values.functionArn(getAtt[0]);
  }
  throw new UnsupportedDefinitionError(
    `the state machine definition refers to ${JSON.stringify(token)}, which has no local value`,
  );
}

/** The token sits inside a JSON string literal of the definition: escape it as such. */
function jsonStringContent(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}
