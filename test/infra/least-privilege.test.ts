/**
 * Least privilege, proven on the synthesized templates: every statement that allows actions on `*`
 * is pinned action by action, and every role's policies are evaluated by iam-simulate against the
 * requests the product makes (allowed) and their neighbours (denied).
 */
import { fileURLToPath } from 'node:url';
import type { CfnElement } from 'aws-cdk-lib';
import { Template as CdkTemplate } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import type { InventoryStack } from '../../infra/inventory-stack.ts';
import { athenaObjectKey } from '../../shared/athena.ts';
import { keys, REPORT_FILES, type ReportFile } from '../../shared/keys.ts';
import { EXECUTION_STATUS_CHANGE, RUN_COMPLETED_EVENT } from '../../shared/signals.ts';
import { synthesize, TEST_CONTEXT } from './support/app.ts';
import { loadYamlTemplate, type Template } from './support/cloudformation.ts';
import {
  ACCOUNT,
  bucketName,
  evaluateIn,
  mayAssume,
  type PolicyDocument,
  REGION,
  type Request,
  roleMay,
  rolesOf,
  type Statement,
  type SynthesizedRole,
  serviceMay,
} from './support/iam.ts';

const ORGANIZATION = 'o-abcdef1234';
const OTHER_ORGANIZATION = 'o-zzzzzzzzzz';
const MEMBER_ACCOUNT = '222222222222';
const OTHER_BUCKET = 'someone-elses-bucket';
const RUN = 'run-1';
const SCAN = '0123456789ab';
const DAY = '2026-12-03';

const XRAY_WRITE = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const ORGANIZATIONS_READ = [
  'organizations:ListAccounts',
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
];
/** What CDK grants a state machine for logging to CloudWatch Logs, and for X-Ray tracing. */
const LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
];
const XRAY_TRACING = [...XRAY_WRITE, 'xray:GetSamplingRules', 'xray:GetSamplingTargets'].sort();

const logicalIdOf = (stack: InventoryStack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

type Label = 'plan' | 'worker' | 'reduce' | 'record-failure' | 'state machine' | 'scheduler' | 'member role';

/** The logical ids of the central stack's roles, by what they are for. */
function centralRoles(stack: InventoryStack, template: Template): Record<string, Label> {
  const labels: Record<string, Label> = {
    [logicalIdOf(stack, stack.plan.executionRole)]: 'plan',
    [logicalIdOf(stack, stack.worker.executionRole)]: 'worker',
    [logicalIdOf(stack, stack.reduce.executionRole)]: 'reduce',
    [logicalIdOf(stack, stack.recordFailure.executionRole)]: 'record-failure',
    [logicalIdOf(stack, stack.stateMachine.role)]: 'state machine',
  };
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (
      resource.Type === 'AWS::IAM::Role' &&
      JSON.stringify(resource.Properties).includes('scheduler.amazonaws.com')
    )
      labels[logicalId] = 'scheduler';
  }
  return labels;
}

const list = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

/** Is this an Allow that reaches beyond named resources or actions? */
const isWildcard = (statement: Statement) =>
  statement.Effect === 'Allow' &&
  (list(statement.Resource).includes('*') ||
    statement.NotResource !== undefined ||
    statement.NotAction !== undefined ||
    list(statement.Action).some((action) => action === '*' || action.endsWith(':*')));

/**
 * Every wildcard Allow of the template, as `<owner>: <sorted actions>`: the statements of roles and
 * policies, and of resource policies (bucket policies), whatever resource holds them.
 */
function wildcardGrants(template: Template, labels: Record<string, string>): string[] {
  const found: string[] = [];
  const record = (owner: string, document: unknown) => {
    for (const statement of (document as PolicyDocument | undefined)?.Statement ?? []) {
      if (isWildcard(statement))
        found.push(
          `${labels[owner] ?? owner}: ${[...list(statement.Action), ...list(statement.NotAction)].sort().join(' ')}`,
        );
    }
  };
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        for (const policy of (properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? [])
          record(logicalId, policy.PolicyDocument);
        break;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy': {
        const owners = (properties.Roles as { Ref: string }[] | undefined) ?? [{ Ref: logicalId }];
        for (const owner of owners) record(owner.Ref, properties.PolicyDocument);
        break;
      }
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SQS::QueuePolicy':
      case 'AWS::SNS::TopicPolicy':
        record(logicalId, properties.PolicyDocument);
        break;
    }
  }
  return found.sort();
}

describe('wildcard grants', () => {
  it.each([
    [
      'organization discovery',
      {},
      [
        `plan: ${ORGANIZATIONS_READ.join(' ')}`,
        `plan: ${XRAY_WRITE.join(' ')}`,
        `record-failure: ${XRAY_WRITE.join(' ')}`,
        `reduce: ${XRAY_WRITE.join(' ')}`,
        `state machine: ${LOG_DELIVERY.join(' ')}`,
        `state machine: ${XRAY_TRACING.join(' ')}`,
        `worker: ${XRAY_WRITE.join(' ')}`,
      ],
    ],
    [
      'a static account list, an organization id and no schedule',
      {
        targets: { source: 'accounts', accounts: ['111111111111'] },
        organizationId: ORGANIZATION,
        schedule: { enabled: false },
      },
      [
        `plan: ${XRAY_WRITE.join(' ')}`,
        `record-failure: ${XRAY_WRITE.join(' ')}`,
        `reduce: ${XRAY_WRITE.join(' ')}`,
        `state machine: ${LOG_DELIVERY.join(' ')}`,
        `state machine: ${XRAY_TRACING.join(' ')}`,
        `worker: ${XRAY_WRITE.join(' ')}`,
      ],
    ],
  ])('the central stack allows on * only the allowlisted actions, with %s', (_, config, allowlist) => {
    // Act
    const { inventory, inventoryTemplate } = synthesize(config);
    const template = inventoryTemplate.toJSON() as Template;

    // Assess
    expect(wildcardGrants(template, centralRoles(inventory, template))).toEqual(allowlist);
  });

  it('the member role, in CDK and in the StackSets template, allows on * only lambda:ListFunctions', () => {
    // Prepare
    const yaml = loadYamlTemplate(
      fileURLToPath(new URL('../../infra/policy/template.yaml', import.meta.url)),
    );
    const cdk = synthesize({ organizationId: ORGANIZATION }).memberTemplate.toJSON() as Template;

    // Act
    const grants = [cdk, yaml].map((template) => wildcardGrants(template, { MemberRole: 'member role' }));

    // Assess
    expect(grants).toEqual([['member role: lambda:ListFunctions'], ['member role: lambda:ListFunctions']]);
  });

  it('finds a later grant on * in a policy whose Resource::* finding is already acknowledged', () => {
    // Prepare
    const { inventory } = buildApp({ config: {}, context: TEST_CONTEXT });
    inventory.reduce.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));
    const template = CdkTemplate.fromStack(inventory).toJSON() as Template;

    // Act
    const grants = wildcardGrants(template, centralRoles(inventory, template));

    // Assess
    expect(grants).toContain('reduce: s3:GetObject');
  });
});

type Case = [label: Label, description: string, request: Request, expected: boolean];

type LoggingFunction = 'plan' | 'worker' | 'reduce' | 'record-failure';

describe('the central stack roles, simulated', () => {
  let roles: Record<Label, SynthesizedRole>;
  let bucket: string;
  let bucketPolicy: PolicyDocument;
  let functionArn: (fn: LoggingFunction) => string;
  let stateMachineArn: string;
  let logGroupArn: (fn: LoggingFunction) => string;
  let topicArn: string;
  let topicPolicy: PolicyDocument;
  let keyArn: string;
  let keyPolicy: PolicyDocument;
  let alarmArns: string[];
  let ruleArn: string;

  beforeAll(() => {
    const { inventory, inventoryTemplate } = synthesize({ organizationId: ORGANIZATION });
    const template = inventoryTemplate.toJSON() as Template;
    const labels = centralRoles(inventory, template);
    roles = Object.fromEntries(
      rolesOf(template).flatMap((role) => {
        const label = labels[role.logicalId];
        return label ? [[label, role]] : [];
      }),
    ) as Record<Label, SynthesizedRole>;
    const bucketId = logicalIdOf(inventory, inventory.bucket);
    bucket = bucketName(bucketId);
    const [policy] = Object.values(template.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::S3::BucketPolicy' &&
        JSON.stringify(resource.Properties?.Bucket) === JSON.stringify({ Ref: bucketId }),
    );
    bucketPolicy = evaluateIn(template, policy?.Properties?.PolicyDocument) as PolicyDocument;
    const fns = {
      plan: inventory.plan,
      worker: inventory.worker,
      reduce: inventory.reduce,
      'record-failure': inventory.recordFailure,
    };
    functionArn = (fn) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${logicalIdOf(inventory, fns[fn])}`;
    logGroupArn = (fn) =>
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${inventory.getLogicalId(fns[fn].logGroup.node.defaultChild as CfnElement)}:*`;
    stateMachineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${logicalIdOf(inventory, inventory.stateMachine)}`;
    const topicId = logicalIdOf(inventory, inventory.topic);
    topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:${topicId}`;
    const [topicPolicyResource] = Object.values(template.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::SNS::TopicPolicy' &&
        JSON.stringify(resource.Properties?.Topics) === JSON.stringify([{ Ref: topicId }]),
    );
    topicPolicy = evaluateIn(template, topicPolicyResource?.Properties?.PolicyDocument) as PolicyDocument;
    const keyId = logicalIdOf(inventory, inventory.topic.key);
    keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`;
    keyPolicy = evaluateIn(template, template.Resources[keyId]?.Properties?.KeyPolicy) as PolicyDocument;
    const { runFailed, coverageLow, noSuccess } = inventory.alarms;
    alarmArns = [runFailed, coverageLow, noSuccess].map(
      (alarm) =>
        `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${logicalIdOf(inventory, alarm ?? runFailed)}`,
    );
    ruleArn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${logicalIdOf(inventory, inventory.failedRunRule)}`;
  });

  /** A request on an object of the report bucket, over TLS, with the bucket's own policy. */
  const object = (action: string, key: string, name = bucket): Request => ({
    action,
    resource: `arn:aws:s3:::${name}/${key}`,
    context: { 'aws:SecureTransport': 'true' },
    resourcePolicy: name === bucket ? bucketPolicy : undefined,
  });
  const report = (file: string) => `${keys.reportPrefix(DAY, RUN)}${file}`;
  const partial = keys.partial(RUN, SCAN, '111111111111-eu-west-1-abc123');
  // Step Functions writes <prefix>/<map run id>/manifest.json and the result files beside it
  const mapResult = `${keys.mapResultsPrefix}/4c1d6f2e-0d1b-4b7c-9d3b-8f7a2b1e0c9d/manifest.json`;
  const any = (action: string): Request => ({ action, resource: '*' });
  const athenaFile = (table: 'functions' | 'coverage') =>
    athenaObjectKey(table, { runId: RUN, startedAt: `${DAY}T03:00:00.000Z` });
  // the keys are lists: one value per entry of the PutEvents call
  const completionEvent = (context: Record<string, string[]>): Request => ({
    action: 'events:PutEvents',
    resource: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`,
    context: {
      'events:source': [RUN_COMPLETED_EVENT.source],
      'events:detail-type': [RUN_COMPLETED_EVENT.detailType],
      ...context,
    },
  });
  const publish = (topic: string): Request => ({
    action: 'sns:Publish',
    resource: topic,
    context: { 'aws:SecureTransport': 'true' },
    resourcePolicy: topic === topicArn ? topicPolicy : undefined,
  });
  const onKey = (action: string): Request => ({ action, resource: keyArn, resourcePolicy: keyPolicy });
  const execution = (stateMachine: string) =>
    `${stateMachine.replace(':stateMachine:', ':execution:')}:nightly-2026-12-03`;

  // the functions' own log groups, resolved at test time
  const logCases = (): Case[] =>
    (['plan', 'worker', 'reduce', 'record-failure'] as const).flatMap((fn): Case[] => {
      const other = fn === 'plan' ? 'worker' : 'plan';
      return [
        [fn, 'writes to its own log group', { action: 'logs:PutLogEvents', resource: logGroupArn(fn) }, true],
        [fn, `not to the ${other}'s`, { action: 'logs:PutLogEvents', resource: logGroupArn(other) }, false],
      ];
    });

  const CASES = (): Case[] => [
    // plan
    ['plan', 'writes the targets file', object('s3:PutObject', keys.targets(RUN)), true],
    ['plan', 'writes the skipped-accounts file', object('s3:PutObject', keys.skipped(RUN)), true],
    ['plan', 'lists the accounts', any('organizations:ListAccounts'), true],
    ['plan', 'walks the OUs', any('organizations:ListOrganizationalUnitsForParent'), true],
    ['plan', 'writes a trace', any('xray:PutTraceSegments'), true],
    [
      'plan',
      'not over TLS-less connections',
      { ...object('s3:PutObject', keys.targets(RUN)), context: { 'aws:SecureTransport': 'false' } },
      false,
    ],
    ['plan', 'no other file of the run', object('s3:PutObject', `runs/${RUN}/notes.json`), false],
    ['plan', 'no partial', object('s3:PutObject', partial), false],
    ['plan', 'no report', object('s3:PutObject', report('inventory.json.gz')), false],
    ['plan', 'not the latest pointer', object('s3:PutObject', keys.latest), false],
    [
      'plan',
      'no targets file of another bucket',
      object('s3:PutObject', keys.targets(RUN), OTHER_BUCKET),
      false,
    ],
    ['plan', 'does not read the targets file', object('s3:GetObject', keys.targets(RUN)), false],
    ['plan', 'does not delete it', object('s3:DeleteObject', keys.targets(RUN)), false],
    ['plan', 'no ListRoots (it never calls it)', any('organizations:ListRoots'), false],
    [
      'plan',
      'no account details',
      {
        action: 'organizations:DescribeAccount',
        resource: `arn:aws:organizations::${ACCOUNT}:account/${ORGANIZATION}/111111111111`,
      },
      false,
    ],
    [
      'plan',
      'assumes no role',
      {
        action: 'sts:AssumeRole',
        resource: `arn:aws:iam::${MEMBER_ACCOUNT}:role/CrossAccountListFunctionsRole`,
        resourceAccount: MEMBER_ACCOUNT,
      },
      false,
    ],

    // worker
    ['worker', 'writes a partial', object('s3:PutObject', partial), true],
    ['worker', 'not a partial of another bucket', object('s3:PutObject', partial, OTHER_BUCKET), false],
    ['worker', 'no other object of the run', object('s3:PutObject', keys.targets(RUN)), false],
    ['worker', 'no report', object('s3:PutObject', report('inventory.json.gz')), false],
    ['worker', 'does not read partials', object('s3:GetObject', partial), false],
    ['worker', 'lists no functions itself', any('lambda:ListFunctions'), false],
    ['worker', 'no Organizations', any('organizations:ListAccounts'), false],

    // reduce
    ['reduce', 'reads the targets file', object('s3:GetObject', keys.targets(RUN)), true],
    ['reduce', 'reads the skipped-accounts file', object('s3:GetObject', keys.skipped(RUN)), true],
    ['reduce', 'reads a partial', object('s3:GetObject', partial), true],
    ['reduce', 'reads the map results', object('s3:GetObject', mapResult), true],
    ['reduce', 'reads the latest pointer', object('s3:GetObject', keys.latest), true],
    [
      'reduce',
      'lists the bucket',
      {
        action: 's3:ListBucket',
        resource: `arn:aws:s3:::${bucket}`,
        context: { 'aws:SecureTransport': 'true' },
        resourcePolicy: bucketPolicy,
      },
      true,
    ],
    ...(Object.keys(REPORT_FILES) as ReportFile[]).map(
      (file): Case => [
        'reduce',
        `writes ${file}`,
        object('s3:PutObject', keys.reportFile(DAY, RUN, file, true)),
        true,
      ],
    ),
    [
      'reduce',
      'aborts a failed multipart upload',
      object('s3:AbortMultipartUpload', report('inventory.json.gz')),
      true,
    ],
    ['reduce', 'replaces the latest pointer', object('s3:PutObject', keys.latest), true],
    [
      'reduce',
      'not the uncompressed inventory (reports are compressed)',
      object('s3:PutObject', report('inventory.json')),
      false,
    ],
    ['reduce', 'no file a report does not have', object('s3:PutObject', report('notes.txt')), false],
    [
      'reduce',
      'no report outside a dated folder',
      object('s3:PutObject', 'reports/failures/x/inventory.json.gz'),
      false,
    ],
    ['reduce', 'no failure record', object('s3:PutObject', keys.failure('exec-1')), false],
    ['reduce', 'no working data', object('s3:PutObject', keys.targets(RUN)), false],
    [
      'reduce',
      "reads the previous run's inventory, plain",
      object('s3:GetObject', report('inventory.json')),
      true,
    ],
    ['reduce', 'or gzip', object('s3:GetObject', report('inventory.json.gz')), true],
    ['reduce', 'no other file of a report', object('s3:GetObject', report('summary.json')), false],
    ['reduce', 'not the CSV inventory', object('s3:GetObject', report('inventory.csv.gz')), false],
    ['reduce', 'no failure record', object('s3:GetObject', keys.failure('exec-1')), false],
    [
      'reduce',
      "writes the run's functions rows for Athena",
      object('s3:PutObject', athenaFile('functions')),
      true,
    ],
    ['reduce', 'and its coverage rows', object('s3:PutObject', athenaFile('coverage')), true],
    [
      'reduce',
      'aborts a failed upload of them',
      object('s3:AbortMultipartUpload', athenaFile('functions')),
      true,
    ],
    [
      'reduce',
      'no other file under athena/',
      object('s3:PutObject', `athena/functions/dt=${DAY}/run=${RUN}/notes.json`),
      false,
    ],
    [
      'reduce',
      'no rows outside a date partition',
      object('s3:PutObject', `athena/functions/${RUN}/functions.json.gz`),
      false,
    ],
    ['reduce', 'no Athena query results', object('s3:PutObject', `${keys.athenaResultsPrefix}q.csv`), false],
    ['reduce', 'puts the completion event on the default bus', completionEvent({}), true],
    [
      'reduce',
      'no event of another source',
      completionEvent({ 'events:source': [EXECUTION_STATUS_CHANGE.source] }),
      false,
    ],
    [
      'reduce',
      'no event of another detail type',
      completionEvent({ 'events:detail-type': ['Other'] }),
      false,
    ],
    [
      'reduce',
      'no call that adds an event of another source to its own',
      completionEvent({ 'events:source': [RUN_COMPLETED_EVENT.source, 'aws.states'] }),
      false,
    ],
    [
      'reduce',
      'no call without a source',
      { ...completionEvent({}), context: { 'events:detail-type': [RUN_COMPLETED_EVENT.detailType] } },
      false,
    ],
    [
      'reduce',
      'no event on another bus',
      { ...completionEvent({}), resource: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/other` },
      false,
    ],
    ['reduce', 'publishes to the run events topic', publish(topicArn), true],
    [
      'reduce',
      'not without TLS',
      { ...publish(topicArn), context: { 'aws:SecureTransport': 'false' } },
      false,
    ],
    ['reduce', 'to no other topic', publish(`arn:aws:sns:${REGION}:${ACCOUNT}:other`), false],
    ['reduce', "has SNS make a data key with the topic's key", onKey('kms:GenerateDataKey'), true],
    ['reduce', 'and decrypt it', onKey('kms:Decrypt'), true],
    ['reduce', 'encrypts nothing itself', onKey('kms:Encrypt'), false],
    ['reduce', 'cannot disable the key', onKey('kms:DisableKey'), false],
    [
      'reduce',
      'uses no other key',
      { action: 'kms:Decrypt', resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/other` },
      false,
    ],

    // record-failure
    ['record-failure', 'writes a failure record', object('s3:PutObject', keys.failure('exec-1')), true],
    ['record-failure', 'does not read one', object('s3:GetObject', keys.failure('exec-1')), false],
    ['record-failure', 'does not delete one', object('s3:DeleteObject', keys.failure('exec-1')), false],
    ['record-failure', 'no report', object('s3:PutObject', report('summary.json')), false],
    ['record-failure', 'not the latest pointer', object('s3:PutObject', keys.latest), false],
    ['record-failure', 'no working data', object('s3:PutObject', keys.targets(RUN)), false],
    [
      'record-failure',
      'describes an execution of its state machine',
      { action: 'states:DescribeExecution', resource: execution(stateMachineArn) },
      true,
    ],
    [
      'record-failure',
      'not of another state machine',
      {
        action: 'states:DescribeExecution',
        resource: execution(`arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:other`),
      },
      false,
    ],
    [
      'record-failure',
      'stops no execution',
      { action: 'states:StopExecution', resource: execution(stateMachineArn) },
      false,
    ],
    [
      'record-failure',
      'starts no run',
      { action: 'states:StartExecution', resource: stateMachineArn },
      false,
    ],
    ['reduce', 'does not delete the latest pointer', object('s3:DeleteObject', keys.latest), false],
    ['reduce', 'reads no other bucket', object('s3:GetObject', keys.targets(RUN), OTHER_BUCKET), false],
    [
      'reduce',
      'lists no other bucket',
      { action: 's3:ListBucket', resource: `arn:aws:s3:::${OTHER_BUCKET}` },
      false,
    ],

    // state machine
    ...(['plan', 'worker', 'reduce'] as const).map(
      (fn): Case => [
        'state machine',
        `invokes ${fn}`,
        { action: 'lambda:InvokeFunction', resource: functionArn(fn) },
        true,
      ],
    ),
    [
      'state machine',
      'invokes no other function',
      { action: 'lambda:InvokeFunction', resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:admin` },
      false,
    ],
    ['state machine', 'reads the targets file (ItemReader)', object('s3:GetObject', keys.targets(RUN)), true],
    ['state machine', 'writes map results (ResultWriter)', object('s3:PutObject', mapResult), true],
    ['state machine', 'writes a failure record', object('s3:PutObject', keys.failure('exec-1')), true],
    [
      'state machine',
      'starts its own child executions',
      { action: 'states:StartExecution', resource: stateMachineArn },
      true,
    ],
    ['state machine', 'delivers its logs', any('logs:CreateLogDelivery'), true],
    [
      'state machine',
      'writes map results to no other bucket',
      object('s3:PutObject', mapResult, OTHER_BUCKET),
      false,
    ],
    [
      'state machine',
      'writes map results nowhere else in its bucket',
      object('s3:PutObject', report('inventory.json.gz')),
      false,
    ],
    ['state machine', 'does not read partials', object('s3:GetObject', partial), false],
    ['state machine', 'does not touch the latest pointer', object('s3:PutObject', keys.latest), false],
    [
      'state machine',
      'starts no other state machine',
      { action: 'states:StartExecution', resource: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:other` },
      false,
    ],

    // scheduler
    [
      'scheduler',
      'starts the state machine',
      { action: 'states:StartExecution', resource: stateMachineArn },
      true,
    ],
    [
      'scheduler',
      'starts no other state machine',
      { action: 'states:StartExecution', resource: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:other` },
      false,
    ],
    [
      'scheduler',
      'stops no execution',
      {
        action: 'states:StopExecution',
        resource: `arn:aws:states:${REGION}:${ACCOUNT}:execution:${stateMachineArn.split(':').at(-1)}:run`,
      },
      false,
    ],
    [
      'scheduler',
      'invokes no function',
      { action: 'lambda:InvokeFunction', resource: functionArn('plan') },
      false,
    ],

    ...logCases(),
  ];

  it('decide every request as designed', async () => {
    // Act
    const decisions = await Promise.all(
      CASES().map(
        async ([label, description, request]) =>
          `${label} ${description}: ${await roleMay(roles[label], request)}`,
      ),
    );

    // Assess
    expect(decisions).toEqual(
      CASES().map(([label, description, , expected]) => `${label} ${description}: ${expected}`),
    );
  });

  /** A member account's role that trusts the whole central account: only the worker's own policy decides. */
  const memberRole = (name: string, account = MEMBER_ACCOUNT) => ({
    action: 'sts:AssumeRole',
    resource: `arn:aws:iam::${account}:role/${name}`,
    resourceAccount: account,
    resourcePolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow' as const,
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'sts:AssumeRole',
        },
      ],
    },
  });

  it.each([
    [
      'the member role of an account in the organization',
      'CrossAccountListFunctionsRole',
      ORGANIZATION,
      true,
    ],
    [
      'the member role of an account outside the organization',
      'CrossAccountListFunctionsRole',
      OTHER_ORGANIZATION,
      false,
    ],
    ['a role of another name in the organization', 'OrganizationAccountAccessRole', ORGANIZATION, false],
  ])('lets the worker assume %s: $3', async (_, name, organization, expected) => {
    // Act
    const allowed = await roleMay(roles.worker, {
      ...memberRole(name),
      context: { 'aws:ResourceOrgID': organization },
    });

    // Assess
    expect(allowed).toBe(expected);
  });

  it('lets the worker assume the member role in any account when no organization id is configured', async () => {
    // Prepare
    const { inventory, inventoryTemplate } = synthesize({});
    const template = inventoryTemplate.toJSON() as Template;
    const worker = rolesOf(template).find(
      (role) => role.logicalId === logicalIdOf(inventory, inventory.worker.executionRole),
    );
    if (!worker) throw new Error('no worker role');

    // Act
    const decisions = await Promise.all([
      roleMay(worker, {
        ...memberRole('CrossAccountListFunctionsRole'),
        context: { 'aws:ResourceOrgID': OTHER_ORGANIZATION },
      }),
      roleMay(worker, memberRole('OrganizationAccountAccessRole')),
    ]);

    // Assess
    expect(decisions).toEqual([true, false]);
  });

  it.each([
    ['plan', 'lambda.amazonaws.com', true],
    ['plan', 'states.amazonaws.com', false],
    ['worker', 'lambda.amazonaws.com', true],
    ['worker', `arn:aws:iam::${MEMBER_ACCOUNT}:root`, false],
    ['reduce', 'lambda.amazonaws.com', true],
    ['record-failure', 'lambda.amazonaws.com', true],
    ['record-failure', 'events.amazonaws.com', false],
    ['state machine', 'lambda.amazonaws.com', false],
    ['scheduler', 'lambda.amazonaws.com', false],
  ] as const)('lets the %s role be assumed by %s: %s', async (label, principal, expected) => {
    // Act
    const allowed = await mayAssume(roles[label], principal);

    // Assess
    expect(allowed).toBe(expected);
  });

  /** A service publishing to the run events topic, or using its key, by the topic's and key's own policies. */
  const SERVICE_CASES = (): [service: string, description: string, request: Request, expected: boolean][] => {
    const fromSource = (request: Request, sourceArn: string, tls = 'true'): Request => ({
      ...request,
      context: { 'aws:SourceArn': sourceArn, 'aws:SecureTransport': tls },
    });
    const topic = { action: 'sns:Publish', resource: topicArn, resourcePolicy: topicPolicy };
    const otherAlarm = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:someone-elses-alarm`;
    return [
      ...alarmArns.map((alarm): [string, string, Request, boolean] => [
        'cloudwatch.amazonaws.com',
        `publishes for the alarm ${alarm.split(':').at(-1)}`,
        fromSource(topic, alarm),
        true,
      ]),
      ['cloudwatch.amazonaws.com', 'not for an alarm of another stack', fromSource(topic, otherAlarm), false],
      ['cloudwatch.amazonaws.com', 'not without TLS', fromSource(topic, alarmArns[0] ?? '', 'false'), false],
      ['events.amazonaws.com', 'publishes for the failed-run rule', fromSource(topic, ruleArn), true],
      [
        'events.amazonaws.com',
        'not for another rule',
        fromSource(topic, `arn:aws:events:${REGION}:${ACCOUNT}:rule/other`),
        false,
      ],
      ['s3.amazonaws.com', 'does not publish', fromSource(topic, `arn:aws:s3:::${bucket}`), false],
      [
        'cloudwatch.amazonaws.com',
        "has SNS make a data key with the topic's key",
        onKey('kms:GenerateDataKey'),
        true,
      ],
      ['cloudwatch.amazonaws.com', 'and decrypt it', onKey('kms:Decrypt'), true],
      ['events.amazonaws.com', 'makes a data key too', onKey('kms:GenerateDataKey'), true],
      ['events.amazonaws.com', 're-encrypts nothing', onKey('kms:ReEncryptFrom'), false],
      ['cloudwatch.amazonaws.com', 'manages no grant on the key', onKey('kms:CreateGrant'), false],
      ['s3.amazonaws.com', 'does not use the key', onKey('kms:Decrypt'), false],
    ];
  };

  it('lets only the alarms and rule of this stack publish to the run events topic, over TLS', async () => {
    // Act
    const decisions = await Promise.all(
      SERVICE_CASES().map(
        async ([service, description, request]) =>
          `${service} ${description}: ${await serviceMay(service, request)}`,
      ),
    );

    // Assess
    expect(decisions).toEqual(
      SERVICE_CASES().map(([service, description, , expected]) => `${service} ${description}: ${expected}`),
    );
  });

  it.each([
    ['its own state machine', () => stateMachineArn, ACCOUNT, true],
    [
      'a state machine of another account',
      () => `arn:aws:states:${REGION}:${MEMBER_ACCOUNT}:stateMachine:x`,
      MEMBER_ACCOUNT,
      false,
    ],
  ])(
    'lets Step Functions assume the state machine role for %s: %s',
    async (_, sourceArn, sourceAccount, expected) => {
      // Act
      const allowed = await mayAssume(roles['state machine'], 'states.amazonaws.com', {
        'aws:SourceArn': sourceArn(),
        'aws:SourceAccount': sourceAccount,
      });

      // Assess
      expect(allowed).toBe(expected);
    },
  );
});
