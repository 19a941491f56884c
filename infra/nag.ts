/**
 * cdk-nag (AWS Solutions rules) acknowledgements: every finding this design accepts, each on the exact
 * policy resource it is about, with the reason it is right there. They go through CDK's own
 * `Validations` API with the plugin's namespace, so each acknowledged finding is listed with its
 * reason under `suppressedViolations` in `cdk.out/validation-report.json`.
 *
 * An IAM5 finding names a wildcard resource, not the actions on it: one `Resource::*` acknowledgement
 * would pass any later grant on `*` in the same policy. test/infra/least-privilege.test.ts therefore
 * pins every statement that allows actions on `*`, action by action.
 */
import { type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import type { InventoryConfig } from '../shared/config.ts';
import { objectPattern, reportFileName, reportFileNames } from '../shared/keys.ts';
import { athenaFilePatterns, PREVIOUS_INVENTORY_FILES } from './constructs/reduce-function.ts';
import type { InventoryStack } from './inventory-stack.ts';

/** The policy-validation plugin name of cdk-nag's `AwsSolutionsChecks`. */
export const NAG_PLUGIN = 'AwsSolutions';

/**
 * Acknowledges one AWS Solutions finding on `scope` (and everything below it). `finding` is the
 * rule and, for IAM4/IAM5, the finding itself: `IAM5[Resource::*]`.
 */
export function acknowledgeNag(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${NAG_PLUGIN}::${NAG_PLUGIN}-${finding}`, reason });
}

const XRAY =
  'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions.';

/** The CloudFormation resource of a role's default policy, where CDK puts every grant to the role. */
function defaultPolicyOf(role: IRole): IConstruct {
  const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  if (!policy) throw new Error(`${role.node.path} has no default policy to acknowledge findings on`);
  return policy;
}

/** `<LogicalId.Arn>`, as cdk-nag writes a resource's ARN in a finding. */
function arnToken(construct: IConstruct): string {
  const element = construct.node.defaultChild as CfnElement;
  return `<${Stack.of(construct).getLogicalId(element)}.Arn>`;
}

/** Acknowledges the wildcard S3 object patterns of a grant (patterns from shared/keys.ts). */
function acknowledgeObjects(policy: IConstruct, bucket: IBucket, patterns: string[], reason: string): void {
  for (const pattern of patterns.filter((candidate) => /[*?]/.test(candidate)))
    acknowledgeNag(policy, `IAM5[Resource::${arnToken(bucket)}/${pattern}]`, reason);
}

/**
 * The execution ARNs of the stack's state machine, as cdk-nag writes CDK's `grantExecution` resource
 * (without the final `:*`): a pseudo parameter as <AWS::...>, a stack's fixed account or region as itself.
 */
function executionsOf(stack: InventoryStack): string {
  const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
  return `arn:<AWS::Partition>:states:${region}:${account}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(stack.stateMachine.node.defaultChild as CfnElement)}"}]}]}`;
}

export function acknowledgeInventoryFindings(stack: InventoryStack, config: InventoryConfig): void {
  const { bucket } = stack;

  const plan = defaultPolicyOf(stack.plan.executionRole);
  acknowledgeNag(
    plan,
    'IAM5[Resource::*]',
    config.targets.source === 'organization'
      ? `Organizations ListAccounts, ListAccountsForParent and ListOrganizationalUnitsForParent support no resource-level permissions. ${XRAY}`
      : XRAY,
  );
  acknowledgeObjects(
    plan,
    bucket,
    [objectPattern('targets'), objectPattern('skipped')],
    'The plan writes runs/<runId>/targets.json and skipped.json, exactly those two keys; the run id is chosen per execution.',
  );

  const worker = defaultPolicyOf(stack.worker.executionRole);
  acknowledgeNag(worker, 'IAM5[Resource::*]', XRAY);
  acknowledgeNag(
    worker,
    `IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${config.memberRoleName}]`,
    'Member accounts are known only at run time (Organizations discovery or execution input): the account is the wildcard, the role name is fixed, each member role trusts only this worker role, and with an organization id the role must belong to the organization (aws:ResourceOrgID).',
  );
  acknowledgeObjects(
    worker,
    bucket,
    [objectPattern('partial')],
    'The worker writes one gzip NDJSON partial per batch under runs/<runId>/partials/<scanId>/; run and scan ids are chosen per execution, the name per batch.',
  );

  const reduce = defaultPolicyOf(stack.reduce.executionRole);
  acknowledgeNag(reduce, 'IAM5[Resource::*]', XRAY);
  acknowledgeObjects(
    reduce,
    bucket,
    [
      objectPattern('targets'),
      objectPattern('skipped'),
      objectPattern('partial'),
      objectPattern('mapResult'),
    ],
    "Reduce reads the plan's files, the partials and the Distributed Map's result files of the run it reduces; run and scan ids are chosen per execution, and Step Functions names the map result files.",
  );
  acknowledgeObjects(
    reduce,
    bucket,
    [
      ...new Set([
        ...reportFileNames(config.reports.compress),
        ...PREVIOUS_INVENTORY_FILES.map(([file, gzip]) => reportFileName(file, gzip)),
      ]),
    ].map((file) => objectPattern('reportFile', { file })),
    "Reduce writes the named files of reports/<yyyy-mm-dd>/<runId>/, and reads the previous run's inventory.json (plain or .gz) to compare with; date and run id are known only at run time.",
  );
  acknowledgeObjects(
    reduce,
    bucket,
    athenaFilePatterns(),
    "Reduce writes one gzip NDJSON file per Athena table under athena/<table>/dt=<yyyy-mm-dd>/run=<runId>/, the layout the tables' partition projection reads; date and run id are known only at run time.",
  );

  const recordFailure = defaultPolicyOf(stack.recordFailure.executionRole);
  acknowledgeNag(recordFailure, 'IAM5[Resource::*]', XRAY);
  acknowledgeObjects(
    recordFailure,
    bucket,
    [objectPattern('failure')],
    'The record-failure function writes reports/failures/<execution name>.json (only if absent); the execution name is known only at run time.',
  );
  acknowledgeNag(
    recordFailure,
    `IAM5[Resource::${executionsOf(stack)}:*]`,
    'DescribeExecution of the executions of this state machine (names chosen at run time), for the error and cause of a failed run.',
  );

  const stateMachine = defaultPolicyOf(stack.stateMachine.role);
  for (const fn of [stack.plan, stack.worker, stack.reduce]) {
    acknowledgeNag(
      stateMachine,
      `IAM5[Resource::${arnToken(fn)}:*]`,
      "CDK's LambdaInvoke grant also covers the versions and aliases (ARN:*) of the three functions the workflow invokes, and nothing else.",
    );
  }
  acknowledgeNag(
    stateMachine,
    'IAM5[Resource::*]',
    'CloudWatch Logs vended delivery (CreateLogDelivery and the other actions CDK grants for logging) and X-Ray support no resource-level permissions.',
  );
  acknowledgeObjects(
    stateMachine,
    bucket,
    [objectPattern('targets')],
    'The Distributed Map ItemReader reads runs/<runId>/targets.json; the run id is chosen per execution.',
  );
  acknowledgeObjects(
    stateMachine,
    bucket,
    [objectPattern('mapResult')],
    'The Distributed Map ResultWriter writes under runs/map-results/; Step Functions names the map run folder and its files.',
  );
  acknowledgeObjects(
    stateMachine,
    bucket,
    [objectPattern('failure')],
    'The Catch path writes reports/failures/<execution name>.json; the execution name is known only at run time.',
  );

  const distributedMap = stack.stateMachine.node.tryFindChild('DistributedMapPolicy')?.node.defaultChild;
  if (!distributedMap) throw new Error('the state machine has no Distributed Map policy');
  const executions = executionsOf(stack);
  for (const pattern of [`${executions}:*`, `${executions}/*:*`]) {
    acknowledgeNag(
      distributedMap,
      `IAM5[Resource::${pattern}]`,
      "CDK's Distributed Map grant: the map starts, describes, stops and redrives child executions of this state machine, whose names are generated at run time.",
    );
  }
}

/** The member role (member-role-stack.ts): its inline policy allows one action, on `*`. */
export function acknowledgeMemberRoleFindings(role: IConstruct): void {
  acknowledgeNag(
    role,
    'IAM5[Resource::*]',
    'lambda:ListFunctions supports no resource-level permissions; it is the only action this role allows.',
  );
}
