import { fileURLToPath } from 'node:url';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Annotations, Template as CdkTemplate, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { MemberRoleStack, type MemberRoleStackProps } from '../../infra/member-role-stack.ts';
import { synthesize, TEST_CONTEXT } from './support/app.ts';
import { evaluate, loadYamlTemplate, onlyResource, type Template } from './support/cloudformation.ts';

const CENTRAL_ACCOUNT = '111111111111';
const MEMBER_ACCOUNT = '222222222222';
const OTHER_ACCOUNT = '333333333333';
const ORGANIZATION = 'o-abcdef1234';
const OTHER_ORGANIZATION = 'o-zzzzzzzzzz';
const WORKER_ROLE = 'lambda-inventory-worker';
const MEMBER_ROLE = 'CrossAccountListFunctionsRole';
const WORKER_ROLE_ARN = `arn:aws:iam::${CENTRAL_ACCOUNT}:role/${WORKER_ROLE}`;
const MEMBER_ROLE_ARN = `arn:aws:iam::${MEMBER_ACCOUNT}:role/${MEMBER_ROLE}`;

const YAML_TEMPLATE = fileURLToPath(new URL('../../infra/policy/template.yaml', import.meta.url));

type Policy = { Version: string; Statement: Record<string, unknown>[] };
type RoleProperties = {
  RoleName: string;
  AssumeRolePolicyDocument: Policy;
  Policies: { PolicyName: string; PolicyDocument: Policy }[];
};

function memberTemplate(props: MemberRoleStackProps = {}): Template {
  const app = new App({ context: TEST_CONTEXT });
  const stack = new MemberRoleStack(app, 'Member', props);
  return CdkTemplate.fromStack(stack).toJSON() as Template;
}

/** The member role as IAM would receive it, for the given parameter values. */
function roleOf(template: Template, parameters: Record<string, string> = {}): RoleProperties {
  const { properties } = onlyResource(template, 'AWS::IAM::Role');
  return evaluate(template, properties, { parameters }) as RoleProperties;
}

async function decision(simulation: Simulation): Promise<boolean> {
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error')
    throw new Error(`simulation input rejected: ${JSON.stringify(result.errors)}`);
  return result.overallResult === 'Allowed';
}

/** A caller whose own policies let it assume any role: only the member role's trust policy decides. */
const ASSUME_ANY_ROLE = {
  name: 'assume-any-role',
  policy: {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
  },
};

const ACTIONS: [action: string, resource: string][] = [
  ['lambda:ListFunctions', '*'],
  ['lambda:GetFunction', `arn:aws:lambda:eu-west-1:${MEMBER_ACCOUNT}:function:payments`],
  ['lambda:InvokeFunction', `arn:aws:lambda:eu-west-1:${MEMBER_ACCOUNT}:function:payments`],
  ['iam:PassRole', `arn:aws:iam::${MEMBER_ACCOUNT}:role/admin`],
];

interface Case {
  callerAccount: string;
  callerRole: string;
  callerOrganization: string;
  action: string;
}

const CASES: Case[] = [CENTRAL_ACCOUNT, OTHER_ACCOUNT].flatMap((callerAccount) =>
  [WORKER_ROLE, 'some-other-role'].flatMap((callerRole) =>
    [ORGANIZATION, OTHER_ORGANIZATION].flatMap((callerOrganization) =>
      ACTIONS.map(([action]) => ({ callerAccount, callerRole, callerOrganization, action })),
    ),
  ),
);

/** Whether the caller, through the member role, gets to perform the action. */
async function decide(role: RoleProperties, request: Case): Promise<boolean> {
  const assumed = await decision({
    request: {
      principal: `arn:aws:sts::${request.callerAccount}:assumed-role/${request.callerRole}/scan`,
      action: 'sts:AssumeRole',
      resource: {
        resource: `arn:aws:iam::${MEMBER_ACCOUNT}:role/${role.RoleName}`,
        accountId: MEMBER_ACCOUNT,
      },
      contextVariables: { 'aws:PrincipalOrgID': request.callerOrganization },
    },
    identityPolicies: [ASSUME_ANY_ROLE],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: role.AssumeRolePolicyDocument,
  });
  if (!assumed) return false;
  const resource = ACTIONS.find(([action]) => action === request.action)?.[1] ?? '*';
  return decision({
    request: {
      principal: `arn:aws:sts::${MEMBER_ACCOUNT}:assumed-role/${role.RoleName}/scan`,
      action: request.action,
      resource: { resource, accountId: MEMBER_ACCOUNT },
      contextVariables: {},
    },
    identityPolicies: role.Policies.map((policy) => ({
      name: policy.PolicyName,
      policy: policy.PolicyDocument,
    })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  });
}

const expected = (request: Case, organizationId: string) =>
  request.callerAccount === CENTRAL_ACCOUNT &&
  request.callerRole === WORKER_ROLE &&
  (organizationId === '' || request.callerOrganization === ORGANIZATION) &&
  request.action === 'lambda:ListFunctions';

const label = (request: Case, allowed: boolean) =>
  `${request.callerAccount}/${request.callerRole} in ${request.callerOrganization} ${request.action}: ${allowed ? 'allowed' : 'denied'}`;

describe('MemberRoleStack', () => {
  it('trusts exactly the worker role of the central account', () => {
    // Act
    const role = roleOf(memberTemplate({ centralAccountId: CENTRAL_ACCOUNT }));

    // Assess
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { AWS: WORKER_ROLE_ARN }, Action: 'sts:AssumeRole' },
    ]);
  });

  it('requires the organization when an organization id is given', () => {
    // Act
    const role = roleOf(memberTemplate({ centralAccountId: CENTRAL_ACCOUNT, organizationId: ORGANIZATION }));

    // Assess
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: WORKER_ROLE_ARN },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION } },
      },
    ]);
  });

  it.each([
    ['leaves out the organization condition when the OrganizationId parameter is empty', '', undefined],
    [
      'adds the organization condition when the OrganizationId parameter is set',
      ORGANIZATION,
      { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION } },
    ],
  ])('%s', (_, organizationId, condition) => {
    // Act
    const role = roleOf(memberTemplate(), {
      CentralAccountId: CENTRAL_ACCOUNT,
      OrganizationId: organizationId,
    });

    // Assess
    expect(role.AssumeRolePolicyDocument.Statement[0]?.Condition).toEqual(condition);
    expect(role.AssumeRolePolicyDocument.Statement[0]?.Principal).toEqual({ AWS: WORKER_ROLE_ARN });
  });

  it('allows lambda:ListFunctions and nothing else', () => {
    // Act
    const role = roleOf(memberTemplate({ centralAccountId: CENTRAL_ACCOUNT }));

    // Assess
    expect(role.Policies.map((policy) => policy.PolicyDocument.Statement)).toEqual([
      [{ Effect: 'Allow', Action: 'lambda:ListFunctions', Resource: '*' }],
    ]);
  });

  it('is built by the app with the role names and organization of the configuration', () => {
    // Act
    const { memberTemplate: template } = synthesize({
      memberRoleName: 'InventoryReader',
      workerRoleName: 'inventory-scanner',
      organizationId: ORGANIZATION,
    });
    const json = template.toJSON() as Template;

    // Assess
    expect(Object.keys(json.Parameters ?? {}).filter((name) => !name.startsWith('BootstrapVersion'))).toEqual(
      ['CentralAccountId'],
    );
    const role = roleOf(json, { CentralAccountId: CENTRAL_ACCOUNT });
    expect(role.RoleName).toBe('InventoryReader');
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${CENTRAL_ACCOUNT}:role/inventory-scanner` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION } },
      },
    ]);
  });

  it('rejects a central account id that is not 12 digits', () => {
    // Act
    const evaluateRole = () => roleOf(memberTemplate(), { CentralAccountId: '1234' });

    // Assess
    expect(evaluateRole).toThrow(/CentralAccountId/);
  });
});

describe('the member stack and the central stack, from one configuration', () => {
  const errorsOf = (stack: Parameters<typeof Annotations.fromStack>[0]) =>
    Annotations.fromStack(stack).findError('*', Match.anyValue());

  it('refuses the member stack when no configuration is given, and builds the central stack anyway', () => {
    // Act
    const { inventory, member } = buildApp({ context: TEST_CONTEXT });

    // Assess
    expect(errorsOf(member).map((error) => error.entry.data)).toEqual([
      expect.stringMatching(
        /needs the configuration the central stack was deployed with: pass it with -c inventory=/,
      ),
    ]);
    expect(errorsOf(inventory)).toEqual([]);
  });

  it.each([
    ['an object', {}],
    ['inline JSON on the command line', '{}'],
  ])('builds the member stack without complaint when the configuration is given as %s', (_, value) => {
    // Act
    const { member } = buildApp({ context: { ...TEST_CONTEXT, inventory: value } });

    // Assess
    expect(errorsOf(member)).toEqual([]);
  });

  it('trusts the configured central account, with no parameter, and pins the central stack to that account', () => {
    // Act
    const { inventory, memberTemplate: template } = synthesize({
      centralAccountId: CENTRAL_ACCOUNT,
      workerRoleName: 'inventory-scanner',
      organizationId: ORGANIZATION,
    });
    const json = template.toJSON() as Template;

    // Assess
    expect(Object.keys(json.Parameters ?? {}).filter((name) => !name.startsWith('BootstrapVersion'))).toEqual(
      [],
    );
    expect(roleOf(json).AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${CENTRAL_ACCOUNT}:role/inventory-scanner` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:PrincipalOrgID': ORGANIZATION } },
      },
    ]);
    expect(inventory.account).toBe(CENTRAL_ACCOUNT);
  });

  it('lets only the central worker role from inside the organization through the configured member role', async () => {
    // Prepare
    const { memberTemplate: template } = synthesize({
      centralAccountId: CENTRAL_ACCOUNT,
      organizationId: ORGANIZATION,
    });
    const role = roleOf(template.toJSON() as Template);

    // Act
    const decisions = await Promise.all(
      CASES.map(async (request) => label(request, await decide(role, request))),
    );

    // Assess
    expect(decisions).toEqual(CASES.map((request) => label(request, expected(request, ORGANIZATION))));
  });
});

describe('infra/policy/template.yaml and MemberRoleStack', () => {
  let yaml: Template;
  let cdk: Template;

  beforeAll(() => {
    yaml = loadYamlTemplate(YAML_TEMPLATE);
    cdk = memberTemplate();
  });

  it('declare the same parameters with the same defaults and patterns', () => {
    // Prepare
    const declarations = (template: Template) =>
      Object.fromEntries(
        Object.entries(template.Parameters ?? {})
          .filter(([name]) => name !== 'BootstrapVersion')
          .map(([name, { Default, AllowedPattern }]) => [name, { Default, AllowedPattern }]),
      );

    // Assess
    expect(declarations(cdk)).toEqual(declarations(yaml));
    expect(Object.keys(declarations(yaml)).sort()).toEqual([
      'CentralAccountId',
      'MemberRoleName',
      'OrganizationId',
      'WorkerRoleName',
    ]);
  });

  it.each([
    ['without an organization id', ''],
    ['with an organization id', ORGANIZATION],
  ])('make the same decisions as IAM would, %s', async (_, organizationId) => {
    // Prepare
    const parameters = { CentralAccountId: CENTRAL_ACCOUNT, OrganizationId: organizationId };
    const roles = { yaml: roleOf(yaml, parameters), cdk: roleOf(cdk, parameters) };

    // Act
    const decisions = async (role: RoleProperties) =>
      Promise.all(CASES.map(async (request) => label(request, await decide(role, request))));
    const yamlDecisions = await decisions(roles.yaml);
    const cdkDecisions = await decisions(roles.cdk);

    // Assess
    expect(cdkDecisions).toEqual(yamlDecisions);
    expect(yamlDecisions).toEqual(CASES.map((request) => label(request, expected(request, organizationId))));
    expect(roles.yaml.RoleName).toBe(MEMBER_ROLE);
  });
});

describe('the worker role', () => {
  it('may assume the member role but no other role a member account would let it assume', async () => {
    // Prepare
    const { inventory, inventoryTemplate } = synthesize({});
    const json = inventoryTemplate.toJSON() as Template;
    const workerRole = inventory.getLogicalId(inventory.worker.executionRole.node.defaultChild as never);
    const [policyId] = Object.entries(json.Resources).find(
      ([, resource]) =>
        resource.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(resource.Properties?.Roles) === JSON.stringify([{ Ref: workerRole }]),
    ) ?? ['none'];
    const workerPolicy = evaluate(json, json.Resources[policyId]?.Properties?.PolicyDocument, {
      attributes: (logicalId, attribute) => {
        const type = json.Resources[logicalId]?.Type;
        if (type === 'AWS::S3::Bucket' && attribute === 'Arn')
          return `arn:aws:s3:::${logicalId.toLowerCase()}`;
        if (type === 'AWS::Logs::LogGroup' && attribute === 'Arn') {
          return `arn:aws:logs:eu-west-1:${CENTRAL_ACCOUNT}:log-group:${logicalId}:*`;
        }
        throw new Error(`unexpected attribute ${logicalId}.${attribute}`);
      },
    });
    // the most generous trust a member account could have: the whole central account
    const trustsCentralAccount = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${CENTRAL_ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
        },
      ],
    };
    const assume = (roleArn: string) =>
      decision({
        request: {
          principal: `arn:aws:sts::${CENTRAL_ACCOUNT}:assumed-role/${WORKER_ROLE}/worker`,
          action: 'sts:AssumeRole',
          resource: { resource: roleArn, accountId: MEMBER_ACCOUNT },
          contextVariables: {},
        },
        identityPolicies: [{ name: 'worker', policy: workerPolicy }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: trustsCentralAccount,
      });

    // Act
    const memberRole = await assume(MEMBER_ROLE_ARN);
    const adminRole = await assume(`arn:aws:iam::${MEMBER_ACCOUNT}:role/OrganizationAccountAccessRole`);

    // Assess
    expect({ memberRole, adminRole }).toEqual({ memberRole: true, adminRole: false });
  });
});
