/**
 * Just enough CloudFormation for the infra tests: load a YAML template with its short-form tags
 * (!Ref, !Sub, !If, ...), and evaluate the intrinsic functions of a template fragment for given
 * parameter values, so that the YAML template and a synthesized CDK template can be compared as
 * the policies AWS would actually see.
 */
import { readFileSync } from 'node:fs';
import { parse, type Tags, type YAMLMap, type YAMLSeq } from 'yaml';

export type Template = {
  Parameters?: Record<string, { Default?: string; AllowedPattern?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
};

const FUNCTION_TAGS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
];
const CONDITION_TAGS = ['And', 'Equals', 'If', 'Not', 'Or'];

/** CloudFormation's short forms, each in scalar and sequence form where CloudFormation allows both. */
const cloudFormationTags: Tags = [
  { tag: '!Ref', resolve: (value: string) => ({ Ref: value }) },
  { tag: '!Condition', resolve: (value: string) => ({ Condition: value }) },
  { tag: '!GetAtt', resolve: (value: string) => ({ 'Fn::GetAtt': value.split('.') }) },
  ...[...FUNCTION_TAGS, ...CONDITION_TAGS].flatMap((name) => [
    { tag: `!${name}`, resolve: (value: string) => ({ [`Fn::${name}`]: value }) },
    {
      tag: `!${name}`,
      collection: 'seq' as const,
      resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [`Fn::${name}`]: value.toJSON() }),
    },
  ]),
];

export function loadYamlTemplate(path: string): Template {
  return parse(readFileSync(path, 'utf8'), { customTags: cloudFormationTags }) as Template;
}

/** Marks a value removed by `AWS::NoValue`. */
const NO_VALUE = Symbol('AWS::NoValue');

export interface EvaluationContext {
  /** Parameter values; parameters not given take their template default. */
  readonly parameters?: Record<string, string>;
  /** Values of `Ref` to resources (for example a bucket name). */
  readonly refs?: Record<string, string>;
  /** Values of `Fn::GetAtt`, keyed `LogicalId.Attribute`. */
  readonly attributes?: (logicalId: string, attribute: string) => string;
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'test-stack',
  'AWS::StackId':
    'arn:aws:cloudformation:eu-west-1:123456789012:stack/test-stack/51af3dc0-da77-11e4-872e-1234567db123',
};

/**
 * Evaluates the intrinsic functions in `value`. Parameter values are checked against their
 * AllowedPattern, as CloudFormation would; anything this small evaluator does not know throws.
 */
export function evaluate(template: Template, value: unknown, context: EvaluationContext = {}): unknown {
  const parameters: Record<string, string> = {};
  for (const [name, declaration] of Object.entries(template.Parameters ?? {})) {
    const given = context.parameters?.[name] ?? declaration.Default;
    if (given === undefined) throw new Error(`parameter ${name} has no value and no default`);
    if (declaration.AllowedPattern !== undefined && !new RegExp(declaration.AllowedPattern).test(given)) {
      throw new Error(`parameter ${name}: "${given}" does not match ${declaration.AllowedPattern}`);
    }
    parameters[name] = given;
  }

  const ref = (name: string): unknown => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const found = parameters[name] ?? PSEUDO_PARAMETERS[name] ?? context.refs?.[name];
    if (found === undefined) throw new Error(`cannot resolve Ref ${name}`);
    return found;
  };
  const condition = (name: string): boolean => {
    const expression = template.Conditions?.[name];
    if (expression === undefined) throw new Error(`unknown condition ${name}`);
    return evaluateNode(expression) === true;
  };
  const substitute = (text: string, variables: Record<string, unknown>) =>
    text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
      if (name in variables) return String(variables[name]);
      if (name.includes('.')) {
        const [logicalId = '', attribute = ''] = name.split('.');
        return getAtt(logicalId, attribute);
      }
      return String(ref(name));
    });
  const getAtt = (logicalId: string, attribute: string): string => {
    if (!context.attributes) throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
    return context.attributes(logicalId, attribute);
  };

  const evaluateFunction = (name: string, argument: unknown): unknown => {
    switch (name) {
      case 'Ref':
        return ref(argument as string);
      case 'Condition':
        return condition(argument as string);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = argument as [string, string];
        return getAtt(logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, items] = argument as [string, unknown[]];
        return (evaluateNode(items) as unknown[]).join(separator);
      }
      case 'Fn::Sub': {
        if (typeof argument === 'string') return substitute(argument, {});
        const [text, variables] = argument as [string, Record<string, unknown>];
        return substitute(text, evaluateNode(variables) as Record<string, unknown>);
      }
      case 'Fn::Select': {
        const [index, items] = argument as [number, unknown];
        return (evaluateNode(items) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return String(evaluateNode(text)).split(separator);
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = argument as [string, unknown, unknown];
        return evaluateNode(condition(name) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [left, right] = evaluateNode(argument) as [unknown, unknown];
        return JSON.stringify(left) === JSON.stringify(right);
      }
      case 'Fn::Not':
        return !(evaluateNode(argument) as [boolean])[0];
      case 'Fn::And':
        return (evaluateNode(argument) as boolean[]).every(Boolean);
      case 'Fn::Or':
        return (evaluateNode(argument) as boolean[]).some(Boolean);
      default:
        throw new Error(`unsupported intrinsic function ${name}`);
    }
  };

  const evaluateNode = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(evaluateNode).filter((item) => item !== NO_VALUE);
    if (node === null || typeof node !== 'object') return node;
    const entries = Object.entries(node);
    const [first] = entries;
    if (
      entries.length === 1 &&
      first &&
      (first[0] === 'Ref' || first[0] === 'Condition' || first[0].startsWith('Fn::'))
    ) {
      return evaluateFunction(first[0], first[1]);
    }
    const result: Record<string, unknown> = {};
    for (const [key, child] of entries) {
      const evaluated = evaluateNode(child);
      if (evaluated !== NO_VALUE) result[key] = evaluated;
    }
    return result;
  };

  const result = evaluateNode(value);
  if (result === NO_VALUE) throw new Error('the value evaluates to AWS::NoValue');
  return result;
}

/** The one resource of `type` in the template (throws when there is none or more than one). */
export function onlyResource(
  template: Template,
  type: string,
): { logicalId: string; properties: Record<string, unknown> } {
  const found = Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
  const [only] = found;
  if (found.length !== 1 || !only) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  return { logicalId: only[0], properties: only[1].Properties ?? {} };
}
