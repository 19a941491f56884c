/**
 * The state machine's definition from a synthesized CloudFormation template: its DefinitionString
 * holds tokens (function ARNs, the bucket name, the partition), replaced here by local values before
 * the JSON is parsed. Pure: no CDK, no I/O.
 */
import type { AslDefinition } from './asl.ts';
import { UnsupportedDefinitionError } from './errors.ts';

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
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
