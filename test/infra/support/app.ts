/** Builds the real app for the infra tests, without bundling the functions. */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/app.ts';
import { evaluate, onlyResource, type Template as TemplateJson } from './cloudformation.ts';

/** Every test app: the ResultWriterV2 flag (dropped silently without it) and no esbuild bundling. */
export const TEST_CONTEXT = {
  '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2': true,
  'aws:cdk:bundling-stacks': [],
};

export function synthesize(config: unknown = {}) {
  const built = buildApp({ config, context: TEST_CONTEXT });
  return {
    ...built,
    inventoryTemplate: Template.fromStack(built.inventory),
    memberTemplate: Template.fromStack(built.member),
  };
}

/** Placeholder a rendered definition holds for `Fn::GetAtt [<logicalId>, Arn]` of a function. */
export const functionArn = (logicalId: string) =>
  `arn:aws:lambda:eu-west-1:123456789012:function:${logicalId}`;

/**
 * The state machine's definition as Step Functions receives it, with resource references replaced:
 * `Ref` of a resource gives its logical id, a function's ARN is `functionArn(logicalId)`.
 */
export function renderDefinition(template: Template): Record<string, unknown> {
  const json = template.toJSON() as TemplateJson;
  const { properties } = onlyResource(json, 'AWS::StepFunctions::StateMachine');
  const rendered = evaluate(json, properties.DefinitionString, {
    refs: Object.fromEntries(Object.keys(json.Resources).map((logicalId) => [logicalId, logicalId])),
    attributes: (logicalId, attribute) => {
      if (attribute !== 'Arn') throw new Error(`unexpected attribute ${logicalId}.${attribute}`);
      return functionArn(logicalId);
    },
  });
  return JSON.parse(rendered as string) as Record<string, unknown>;
}
