/**
 * The role the worker assumes in every member account, as a CDK stack. It mirrors
 * infra/policy/template.yaml (the same role for CloudFormation StackSets): a value not given in the
 * props becomes a CloudFormation parameter of the same name and default, so one synthesized template
 * deploys into any member account.
 */
import { Aws, CfnCondition, CfnOutput, CfnParameter, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { DEFAULT_WORKER_ROLE_NAME } from '../shared/config.ts';
import { DEFAULT_MEMBER_ROLE_NAME } from '../shared/contracts.ts';
import { acknowledgeMemberRoleFindings } from './nag.ts';

export interface MemberRoleStackProps extends StackProps {
  /**
   * The account of the central (inventory) stack.
   * @default - the `CentralAccountId` parameter
   */
  readonly centralAccountId?: string;
  /**
   * The worker's role name in the central account.
   * @default - the `WorkerRoleName` parameter (default `lambda-inventory-worker`)
   */
  readonly workerRoleName?: string;
  /**
   * The name of the role this stack creates.
   * @default - the `MemberRoleName` parameter (default `CrossAccountListFunctionsRole`)
   */
  readonly memberRoleName?: string;
  /**
   * When set, the trust policy also requires `aws:PrincipalOrgID` to equal it.
   * @default - the `OrganizationId` parameter (default empty: no organization condition)
   */
  readonly organizationId?: string;
}

export class MemberRoleStack extends Stack {
  readonly role: CfnRole;

  constructor(scope: Construct, id: string, props: MemberRoleStackProps = {}) {
    super(scope, id, props);
    this.templateOptions.description =
      'lambda-inventory member role: lets the central inventory worker call lambda:ListFunctions, nothing else';

    const centralAccountId =
      props.centralAccountId ??
      new CfnParameter(this, 'CentralAccountId', {
        type: 'String',
        description: 'Account id of the central lambda-inventory stack',
        allowedPattern: '^\\d{12}$',
        constraintDescription: 'must be a 12-digit AWS account id',
      }).valueAsString;
    const workerRoleName =
      props.workerRoleName ??
      new CfnParameter(this, 'WorkerRoleName', {
        type: 'String',
        description: 'Name of the inventory worker role in the central account',
        default: DEFAULT_WORKER_ROLE_NAME,
        allowedPattern: '^[\\w+=,.@-]{1,64}$',
      }).valueAsString;
    const memberRoleName =
      props.memberRoleName ??
      new CfnParameter(this, 'MemberRoleName', {
        type: 'String',
        description: 'Name of the role this stack creates',
        default: DEFAULT_MEMBER_ROLE_NAME,
        allowedPattern: '^[\\w+=,.@-]{1,64}$',
      }).valueAsString;

    const trust: Record<string, unknown> = {
      Effect: 'Allow',
      Principal: { AWS: `arn:${Aws.PARTITION}:iam::${centralAccountId}:role/${workerRoleName}` },
      Action: 'sts:AssumeRole',
    };
    const organizationCondition = (organizationId: string) => ({
      StringEquals: { 'aws:PrincipalOrgID': organizationId },
    });
    if (props.organizationId !== undefined) {
      trust.Condition = organizationCondition(props.organizationId);
    } else {
      const organizationId = new CfnParameter(this, 'OrganizationId', {
        type: 'String',
        description: 'Organization id (o-...); when set, callers must belong to this organization',
        default: '',
        allowedPattern: '^(o-[a-z0-9]{10,32})?$',
      });
      const hasOrganizationId = new CfnCondition(this, 'HasOrganizationId', {
        expression: Fn.conditionNot(Fn.conditionEquals(organizationId.valueAsString, '')),
      });
      trust.Condition = Fn.conditionIf(
        hasOrganizationId.logicalId,
        organizationCondition(organizationId.valueAsString),
        Aws.NO_VALUE,
      );
    }

    // L1 on purpose: the conditional trust condition has no L2 form, and the resource stays a 1:1
    // mirror of template.yaml (a test evaluates both with the same requests)
    this.role = new CfnRole(this, 'MemberRole', {
      roleName: memberRoleName,
      description: 'Lets the central lambda-inventory worker list Lambda functions; nothing else',
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [trust] },
      policies: [
        {
          policyName: 'ListFunctionsOnly',
          policyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'lambda:ListFunctions', Resource: '*' }],
          },
        },
      ],
    });
    acknowledgeMemberRoleFindings(this.role);

    new CfnOutput(this, 'MemberRoleArn', { value: this.role.attrArn });
  }
}
