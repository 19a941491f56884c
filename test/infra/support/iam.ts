/**
 * The IAM policies of a synthesized template as AWS would receive them (every intrinsic function
 * evaluated to concrete ARNs), and iam-simulate to decide requests against them.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { evaluate, type Template } from './cloudformation.ts';

/** The account and region support/cloudformation.ts gives AWS::AccountId and AWS::Region. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

export type PolicyDocument = { Version: string; Statement: Statement[] };
export type Statement = {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

export interface SynthesizedRole {
  readonly logicalId: string;
  /** The role's name: its RoleName, or its logical id where CloudFormation generates one. */
  readonly name: string;
  readonly arn: string;
  readonly trustPolicy: PolicyDocument;
  /** Inline policies and the AWS::IAM::Policy resources attached to it. */
  readonly policies: { name: string; policy: PolicyDocument }[];
}

/** A bucket's name: its logical id in lower case. */
export const bucketName = (logicalId: string) => logicalId.toLowerCase();

/**
 * Concrete values for the references of a template: buckets get names and ARNs, state machines and
 * topics ARNs, functions, log groups, roles, keys, alarms and rules ARNs of the test account.
 */
function valuesOf(template: Template) {
  const typeOf = (logicalId: string) => template.Resources[logicalId]?.Type;
  const refs: Record<string, string> = {};
  for (const logicalId of Object.keys(template.Resources)) {
    const type = typeOf(logicalId);
    refs[logicalId] =
      type === 'AWS::S3::Bucket'
        ? bucketName(logicalId)
        : type === 'AWS::StepFunctions::StateMachine'
          ? `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${logicalId}`
          : type === 'AWS::SNS::Topic'
            ? `arn:aws:sns:${REGION}:${ACCOUNT}:${logicalId}`
            : logicalId;
  }
  const attributes = (logicalId: string, attribute: string): string => {
    const type = typeOf(logicalId);
    if (attribute !== 'Arn') throw new Error(`unexpected attribute ${logicalId}.${attribute}`);
    switch (type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${bucketName(logicalId)}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalId}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logicalId}:*`;
      case 'AWS::IAM::Role':
        return roleArn(template, logicalId);
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${logicalId}`;
      case 'AWS::CloudWatch::Alarm':
        return `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${logicalId}`;
      case 'AWS::Events::Rule':
        return `arn:aws:events:${REGION}:${ACCOUNT}:rule/${logicalId}`;
      default:
        throw new Error(`unexpected attribute ${logicalId}.${attribute} of a ${type}`);
    }
  };
  return { refs, attributes };
}

function roleArn(template: Template, logicalId: string): string {
  const name = template.Resources[logicalId]?.Properties?.RoleName;
  return `arn:aws:iam::${ACCOUNT}:role/${typeof name === 'string' ? name : logicalId}`;
}

/** Evaluates one fragment of the template (a policy document, a resource's properties). */
export function evaluateIn(template: Template, value: unknown, parameters: Record<string, string> = {}) {
  return evaluate(template, value, { ...valuesOf(template), parameters });
}

/** Every role of the template with its trust policy and every policy attached to it. */
export function rolesOf(template: Template, parameters: Record<string, string> = {}): SynthesizedRole[] {
  const entries = Object.entries(template.Resources);
  return entries
    .filter(([, resource]) => resource.Type === 'AWS::IAM::Role')
    .map(([logicalId, resource]) => {
      const properties = evaluateIn(template, resource.Properties ?? {}, parameters) as {
        RoleName?: string;
        AssumeRolePolicyDocument: PolicyDocument;
        Policies?: { PolicyName: string; PolicyDocument: PolicyDocument }[];
        ManagedPolicyArns?: unknown;
      };
      if (properties.ManagedPolicyArns !== undefined)
        throw new Error(`role ${logicalId} has managed policies, which these tests cannot see`);
      const attached = entries
        .filter(
          ([, policy]) =>
            policy.Type === 'AWS::IAM::Policy' &&
            JSON.stringify(policy.Properties?.Roles).includes(JSON.stringify({ Ref: logicalId })),
        )
        .map(([policyId, policy]) => ({
          name: policyId,
          policy: evaluateIn(template, policy.Properties?.PolicyDocument, parameters) as PolicyDocument,
        }));
      return {
        logicalId,
        name: properties.RoleName ?? logicalId,
        arn: properties.RoleName
          ? `arn:aws:iam::${ACCOUNT}:role/${properties.RoleName}`
          : roleArn(template, logicalId),
        trustPolicy: properties.AssumeRolePolicyDocument,
        policies: [
          ...(properties.Policies ?? []).map((policy) => ({
            name: policy.PolicyName,
            policy: policy.PolicyDocument,
          })),
          ...attached,
        ],
      };
    });
}

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource (default: the test account). */
  readonly resourceAccount?: string;
  readonly context?: Record<string, string | string[]>;
  /** The resource's own policy (a bucket policy, a role's trust policy). */
  readonly resourcePolicy?: PolicyDocument;
}

/** Whether a session of `role` may make the request, as IAM would decide it. */
export async function roleMay(role: SynthesizedRole, request: Request): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${role.name}/session`,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? ACCOUNT },
        contextVariables: request.context ?? {},
      },
      identityPolicies: role.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
    },
    {},
  );
  if (result.resultType === 'error')
    throw new Error(
      `simulation of ${request.action} on ${request.resource} rejected: ${JSON.stringify(result.errors)}`,
    );
  return result.overallResult === 'Allowed';
}

/** Whether `principal` (an ARN or a service) may assume `role`, by the role's trust policy alone. */
export async function mayAssume(
  role: SynthesizedRole,
  principal: string,
  context: Record<string, string | string[]> = {},
  roleAccount = ACCOUNT,
): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal,
        action: 'sts:AssumeRole',
        resource: {
          resource: role.arn.replace(`::${ACCOUNT}:`, `::${roleAccount}:`),
          accountId: roleAccount,
        },
        contextVariables: context,
      },
      // the caller's own policies allow it: only the trust policy decides
      identityPolicies: principal.includes('.amazonaws.com')
        ? []
        : [
            {
              name: 'assume-any-role',
              policy: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
              },
            },
          ],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: role.trustPolicy,
    },
    {},
  );
  if (result.resultType === 'error')
    throw new Error(`simulation of assuming ${role.arn} rejected: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed';
}

/**
 * Whether an AWS service (`cloudwatch.amazonaws.com`) may make the request, by the resource's own
 * policy alone (a topic policy, a key policy): services have no identity policies in the account.
 */
export async function serviceMay(service: string, request: Request): Promise<boolean> {
  const result = await runSimulation(
    {
      request: {
        principal: service,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount ?? ACCOUNT },
        contextVariables: request.context ?? {},
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: request.resourcePolicy,
    },
    {},
  );
  if (result.resultType === 'error')
    throw new Error(
      `simulation of ${service} ${request.action} on ${request.resource} rejected: ${JSON.stringify(result.errors)}`,
    );
  return result.overallResult === 'Allowed';
}
