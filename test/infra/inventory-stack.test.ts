import type { CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NodeFunction } from '../../infra/constructs/node-function.ts';
import type { InventoryStack } from '../../infra/inventory-stack.ts';
import { athenaObjectKey } from '../../shared/athena.ts';
import { PlanSettings } from '../../shared/contracts.ts';
import { ENV } from '../../shared/env.ts';
import { keys } from '../../shared/keys.ts';
import { synthesize } from './support/app.ts';
import { evaluate, type Template as TemplateJson } from './support/cloudformation.ts';

const ORGANIZATIONS_ACTIONS = [
  'organizations:ListAccounts',
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
];

type Statement = {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
};

const logicalId = (stack: InventoryStack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnElement);

/** The statements of the default policy attached to a role. */
function policyOf(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleLogicalId }]) },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

const actionsOf = (statements: Statement[]) => statements.flatMap((statement) => [statement.Action].flat());

/** `<bucket ARN>/<suffix>` as CloudFormation renders it. */
const objectsArn = (bucketLogicalId: string, suffix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketLogicalId, 'Arn'] }, `/${suffix}`]],
});

describe('InventoryStack with organization discovery (defaults)', () => {
  let stack: InventoryStack;
  let template: Template;
  let bucket: string;
  const roleOf = (fn: NodeFunction) => logicalId(stack, fn.executionRole);

  beforeAll(() => {
    const synthesized = synthesize({});
    stack = synthesized.inventory;
    template = synthesized.inventoryTemplate;
    bucket = logicalId(stack, stack.bucket);
  });

  describe('report bucket', () => {
    it('is encrypted, versioned, private, logged and retained', () => {
      template.hasResource('AWS::S3::Bucket', {
        Properties: Match.objectLike({
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          VersioningConfiguration: { Status: 'Enabled' },
          LoggingConfiguration: {
            DestinationBucketName: { Ref: logicalId(stack, stack.accessLogsBucket) },
            LogFilePrefix: Match.anyValue(),
          },
        }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    it('expires runs/ after the configured days and old versions later', () => {
      const properties = template.toJSON().Resources[bucket].Properties;

      expect(properties.LifecycleConfiguration.Rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Prefix: 'runs/', ExpirationInDays: 14, Status: 'Enabled' }),
          expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
        ]),
      );
      // reports are never expired as current objects
      const expiringEverything = properties.LifecycleConfiguration.Rules.filter(
        (rule: { Prefix?: string; ExpirationInDays?: number }) =>
          rule.Prefix === undefined && rule.ExpirationInDays,
      );
      expect(expiringEverything).toEqual([]);
    });

    it('denies every request that does not use TLS', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });
  });

  describe('functions', () => {
    it('run Node.js 24 on arm64 with active tracing, their own log group and source maps', () => {
      for (const fn of [stack.plan, stack.worker, stack.reduce, stack.recordFailure]) {
        template.hasResourceProperties('AWS::Lambda::Function', {
          Role: { 'Fn::GetAtt': [roleOf(fn), 'Arn'] },
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('Logs') } },
          Environment: {
            Variables: Match.objectLike({
              NODE_OPTIONS: '--enable-source-maps',
              POWERTOOLS_SERVICE_NAME: Match.stringLikeRegexp(
                '^lambda-inventory-(plan|worker|reduce|record-failure)$',
              ),
              POWERTOOLS_LOG_LEVEL: 'INFO',
            }),
          },
        });
      }
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });

    it('gives the plan the bucket and its settings as PlanSettings JSON', () => {
      const variables =
        template.toJSON().Resources[logicalId(stack, stack.plan)].Properties.Environment.Variables;

      expect(variables[ENV.bucketName]).toEqual({ Ref: bucket });
      expect(PlanSettings.parse(JSON.parse(variables[ENV.planSettings]))).toEqual({
        targets: { source: 'organization', includeOus: [], excludeOus: [], excludeAccounts: [] },
        regions: expect.arrayContaining(['us-east-1', 'eu-west-1']),
        batchSize: 20,
      });
    });

    it('gives the worker the member role name under a fixed role name of its own', () => {
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: 'lambda-inventory-worker',
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
        },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [roleOf(stack.worker), 'Arn'] },
        Environment: {
          Variables: Match.objectLike({ [ENV.memberRoleName]: 'CrossAccountListFunctionsRole' }),
        },
      });
    });
  });

  describe('permissions', () => {
    it('lets the worker assume only the member role name, in any account', () => {
      const assume = policyOf(template, roleOf(stack.worker)).filter((statement) =>
        [statement.Action].flat().includes('sts:AssumeRole'),
      );

      expect(assume).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':iam::*:role/CrossAccountListFunctionsRole'],
            ],
          },
        },
      ]);
    });

    it('gives the plan read access to Organizations', () => {
      const statements = policyOf(template, roleOf(stack.plan));

      expect(statements).toContainEqual({ Effect: 'Allow', Action: ORGANIZATIONS_ACTIONS, Resource: '*' });
    });

    it('grants the functions S3 actions on exactly the keys they read and write', () => {
      const s3 = (fn: NodeFunction) =>
        policyOf(template, roleOf(fn)).filter((statement) =>
          actionsOf([statement]).some((a) => a.startsWith('s3:')),
        );

      expect(s3(stack.plan)).toEqual([
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: [objectsArn(bucket, 'runs/*/targets.json'), objectsArn(bucket, 'runs/*/skipped.json')],
        },
      ]);
      expect(s3(stack.worker)).toEqual([
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: objectsArn(bucket, 'runs/*/partials/*/*.ndjson.gz'),
        },
      ]);
      expect(s3(stack.reduce)).toEqual([
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: [
            objectsArn(bucket, 'runs/*/targets.json'),
            objectsArn(bucket, 'runs/*/skipped.json'),
            objectsArn(bucket, 'runs/*/partials/*/*.ndjson.gz'),
            objectsArn(bucket, 'runs/map-results/*'),
            objectsArn(bucket, 'reports/latest.json'),
          ],
        },
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: [
            objectsArn(bucket, 'reports/????-??-??/*/inventory.json'),
            objectsArn(bucket, 'reports/????-??-??/*/inventory.json.gz'),
          ],
        },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [bucket, 'Arn'] } },
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
          Resource: [
            objectsArn(bucket, 'reports/????-??-??/*/inventory.json.gz'),
            objectsArn(bucket, 'reports/????-??-??/*/inventory.csv.gz'),
            objectsArn(bucket, 'reports/????-??-??/*/summary.json'),
            objectsArn(bucket, 'reports/????-??-??/*/coverage.csv'),
            objectsArn(bucket, 'reports/????-??-??/*/report.html'),
            objectsArn(bucket, 'reports/????-??-??/*/diff.json'),
            objectsArn(bucket, 'reports/????-??-??/*/gaps.csv'),
          ],
        },
        { Effect: 'Allow', Action: 's3:PutObject', Resource: objectsArn(bucket, 'reports/latest.json') },
        {
          Effect: 'Allow',
          Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
          Resource: [
            objectsArn(bucket, 'athena/functions/dt=????-??-??/run=*/functions.json.gz'),
            objectsArn(bucket, 'athena/coverage/dt=????-??-??/run=*/coverage.json.gz'),
          ],
        },
      ]);
      expect(s3(stack.recordFailure)).toEqual([
        { Effect: 'Allow', Action: 's3:PutObject', Resource: objectsArn(bucket, 'reports/failures/*.json') },
      ]);
    });

    it('lets the functions write only their own log group', () => {
      for (const fn of [stack.plan, stack.worker, stack.reduce, stack.recordFailure]) {
        const logs = policyOf(template, roleOf(fn)).filter((statement) =>
          actionsOf([statement]).some((action) => action.startsWith('logs:')),
        );
        expect(logs).toEqual([
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [logicalId(stack, fn.logGroup as never), 'Arn'] },
          },
        ]);
      }
      template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
    });
  });

  describe('state machine', () => {
    it('is a Standard state machine that logs every event without execution data, with tracing', () => {
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
        },
      });
    });

    it('may start, describe and stop its own child executions', () => {
      const statements = policyOf(template, logicalId(stack, stack.stateMachine.role));
      const stateMachine = logicalId(stack, stack.stateMachine);

      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: { Ref: stateMachine },
      });
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: ['states:DescribeExecution', 'states:StopExecution'] }),
      );
    });

    it('may invoke the three functions', () => {
      const statements = policyOf(template, logicalId(stack, stack.stateMachine.role));

      for (const fn of [stack.plan, stack.worker, stack.reduce]) {
        expect(statements).toContainEqual({
          Effect: 'Allow',
          Action: 'lambda:InvokeFunction',
          Resource: [
            { 'Fn::GetAtt': [logicalId(stack, fn), 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stack, fn), 'Arn'] }, ':*']] },
          ],
        });
      }
    });

    it('reads the targets files, writes map results and failure records, and no other objects', () => {
      const statements = policyOf(template, logicalId(stack, stack.stateMachine.role));
      const s3 = statements.filter((statement) => actionsOf([statement]).some((a) => a.startsWith('s3:')));

      // in any order: CDK adds the map's statements when the graph is bound
      expect(s3).toHaveLength(3);
      expect(s3).toEqual(
        expect.arrayContaining([
          {
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: objectsArn(bucket, 'reports/failures/*.json'),
          },
          { Effect: 'Allow', Action: 's3:GetObject', Resource: objectsArn(bucket, 'runs/*/targets.json') },
          {
            Effect: 'Allow',
            Action: [
              's3:PutObject',
              's3:GetObject',
              's3:ListMultipartUploadParts',
              's3:AbortMultipartUpload',
            ],
            Resource: objectsArn(bucket, 'runs/map-results/*'),
          },
        ]),
      );
    });
  });

  it('outputs what the CLI needs to find the deployment', () => {
    const outputs = template.toJSON().Outputs;

    expect(outputs.StateMachineArn.Value).toEqual({ Ref: logicalId(stack, stack.stateMachine) });
    expect(outputs.BucketName.Value).toEqual({ Ref: bucket });
    expect(outputs.WorkerRoleArn.Value).toEqual({ 'Fn::GetAtt': [roleOf(stack.worker), 'Arn'] });
    expect(outputs.Region.Value).toEqual({ Ref: 'AWS::Region' });
    expect(outputs.RunEventsTopicArn.Value).toEqual({ Ref: logicalId(stack, stack.topic) });
    expect(outputs.AthenaDatabase.Value).toBe('lambda_inventory');
    expect(outputs.AthenaWorkGroup.Value).toBe('lambda-inventory');
  });
});

describe('InventoryStack with a static account list', () => {
  it('gives the plan no Organizations permission', () => {
    const { inventory, inventoryTemplate } = synthesize({
      targets: { source: 'accounts', accounts: ['111111111111', '222222222222'] },
      runsExpirationDays: 3,
    });
    const statements = policyOf(inventoryTemplate, logicalId(inventory, inventory.plan.executionRole));

    expect(actionsOf(statements).filter((action) => action.startsWith('organizations:'))).toEqual([]);
    inventoryTemplate.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ Prefix: 'runs/', ExpirationInDays: 3 })]),
      },
    });
  });
});

describe('InventoryStack report storage', () => {
  type Rule = {
    Id: string;
    Prefix?: string;
    Status: string;
    ExpirationInDays?: number;
    Transitions?: { StorageClass: string; TransitionInDays: number }[];
  };
  const rulesOf = (config: unknown): Rule[] => {
    const { inventory, inventoryTemplate } = synthesize(config);
    const bucket = logicalId(inventory, inventory.bucket);
    return inventoryTemplate.toJSON().Resources[bucket].Properties.LifecycleConfiguration.Rules;
  };
  /** The rules that would expire or move the current version of the object at `key`. */
  const agingRulesFor = (rules: Rule[], key: string) =>
    rules
      .filter((rule) => rule.ExpirationInDays !== undefined || rule.Transitions !== undefined)
      .filter((rule) => key.startsWith(rule.Prefix ?? ''))
      .map((rule) => rule.Id);
  const reportFile = keys.reportFile('2026-12-03', 'run-1', 'inventoryJson', true);
  const athenaFile = athenaObjectKey('functions', { runId: 'run-1', startedAt: '2026-12-03T03:00:00Z' });

  it('moves reports to Glacier Instant Retrieval after 30 days and keeps them, by default', () => {
    // Act
    const rules = rulesOf({});

    // Assess
    const aging = rules.filter((rule) => agingRulesFor([rule], reportFile).length > 0);
    expect(aging).toEqual([
      {
        Id: 'age-reports',
        Prefix: 'reports/2',
        Status: 'Enabled',
        Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 30 }],
      },
    ]);
  });

  it('expires reports and failure records after the configured days, moving reports first', () => {
    // Act
    const rules = rulesOf({
      reports: { storageClass: 'STANDARD_IA', transitionAfterDays: 60, expireAfterDays: 400 },
    });

    // Assess
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Id: 'age-reports',
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 60 }],
          ExpirationInDays: 400,
        }),
        expect.objectContaining({ Id: 'expire-failure-records', ExpirationInDays: 400 }),
        expect.objectContaining({ Id: 'expire-athena-data', ExpirationInDays: 400 }),
      ]),
    );
    expect(agingRulesFor(rules, keys.failure('exec-1'))).toEqual(['expire-failure-records']);
    expect(agingRulesFor(rules, athenaFile)).toEqual(['expire-athena-data']);
  });

  it('keeps the rows for Athena as long as reports are kept, and never moves them', () => {
    // Act
    const rules = rulesOf({});

    // Assess
    expect(agingRulesFor(rules, athenaFile)).toEqual([]);
  });

  it('expires Athena query results after a week, whatever the report settings', () => {
    // Act
    const rules = rulesOf({ reports: { transitionAfterDays: null, expireAfterDays: null } });

    // Assess
    expect(agingRulesFor(rules, `${keys.athenaResultsPrefix}0f1e2d3c.csv`)).toEqual([
      'expire-athena-results',
    ]);
    expect(rules).toContainEqual({
      Id: 'expire-athena-results',
      Prefix: 'athena-results/',
      Status: 'Enabled',
      ExpirationInDays: 7,
    });
  });

  it.each([
    ['the defaults', {}],
    ['expiring reports', { reports: { expireAfterDays: 400 } }],
    [
      'reports moved after a day',
      { reports: { storageClass: 'INTELLIGENT_TIERING', transitionAfterDays: 1 } },
    ],
  ])('never expires or moves the latest pointer, with %s', (_, config) => {
    // Act
    const rules = rulesOf(config);

    // Assess
    expect(agingRulesFor(rules, keys.latest)).toEqual([]);
    expect(agingRulesFor(rules, reportFile)).toEqual(['age-reports']);
  });

  it('leaves reports alone when they are neither moved nor expired', () => {
    // Act
    const rules = rulesOf({ reports: { transitionAfterDays: null, expireAfterDays: null } });

    // Assess
    expect(agingRulesFor(rules, reportFile)).toEqual([]);
    expect(rules.map((rule) => rule.Id)).toEqual([
      'expire-runs',
      'expire-noncurrent-versions',
      'expire-athena-results',
    ]);
  });

  it.each([
    [true, 'inventory.json.gz'],
    [false, 'inventory.json'],
  ])('tells reduce to compress (%s) and lets it write exactly %s', (compress, inventoryName) => {
    // Act
    const { inventory, inventoryTemplate } = synthesize({ reports: { compress } });
    const json = inventoryTemplate.toJSON();
    const reduce = json.Resources[logicalId(inventory, inventory.reduce)].Properties;
    const writes = policyOf(inventoryTemplate, logicalId(inventory, inventory.reduce.executionRole)).filter(
      (statement) => [statement.Action].flat().includes('s3:AbortMultipartUpload'),
    );

    // Assess
    expect(reduce.Environment.Variables[ENV.reportCompression]).toBe(String(compress));
    const written = JSON.stringify(writes);
    expect(written).toContain(`/${inventoryName}"`);
    expect(written).not.toContain(`/${compress ? 'inventory.json' : 'inventory.json.gz'}"`);
  });
});

describe('InventoryStack state machine logs', () => {
  it('go to a log group named after this stack instance, so a stack deployed again never collides', () => {
    // Act
    const { inventory, inventoryTemplate } = synthesize({});
    const json = inventoryTemplate.toJSON() as TemplateJson;
    const logGroup = json.Resources[logicalId(inventory, inventory.stateMachine.logGroup)];
    const name = evaluate(json, logGroup?.Properties?.LogGroupName);

    // Assess
    // the uuid of the AWS::StackId the evaluator uses: a new stack gets a new one
    expect(name).toBe('/aws/vendedlogs/states/LambdaInventory-51af3dc0-da77-11e4-872e-1234567db123');
    expect(logGroup).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 90 } });
  });
});
