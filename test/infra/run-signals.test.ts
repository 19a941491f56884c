/**
 * The signals of a deployed run, on the synthesized template: the failed-run rule (pattern, targets,
 * the message EventBridge renders), the run events topic (key, policy, subscriptions), the alarms
 * (metric, threshold, missing data, actions) and what reduce is given to announce a report.
 */
import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../shared/env.ts';
import { keys } from '../../shared/keys.ts';
import { EXECUTION_STATUS_CHANGE, METRICS, RUN_EVENT_TYPES, RunFailedMessage } from '../../shared/signals.ts';
import { statusChangeEvent } from '../unit/record-failure-fixtures.ts';
import { synthesize } from './support/app.ts';
import type { Template } from './support/cloudformation.ts';
import { bucketName, evaluateIn, type PolicyDocument } from './support/iam.ts';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Json = Record<string, unknown>;

const EMAILS = ['ops@example.com', 'platform-team@example.com'];

function synthesized(config: unknown) {
  const { inventory, inventoryTemplate } = synthesize(config);
  const template = inventoryTemplate.toJSON() as Template;
  const id = (construct: { node: { defaultChild?: unknown } }) =>
    inventory.getLogicalId(construct.node.defaultChild as CfnElement);
  const resource = (construct: { node: { defaultChild?: unknown } }) =>
    template.Resources[id(construct)] as Resource;
  const ofType = (type: string) =>
    Object.entries(template.Resources).filter(([, candidate]) => candidate.Type === type) as [
      string,
      Resource,
    ][];
  const topicPolicy = () => {
    const [found, ...more] = ofType('AWS::SNS::TopicPolicy');
    if (!found || more.length > 0) throw new Error('expected one topic policy');
    return found[1].Properties.PolicyDocument as PolicyDocument;
  };
  return { inventory, template, id, resource, ofType, topicPolicy };
}

/** EventBridge's matching of exact values, the only kind the rule uses: every key's value is one of those listed. */
function matches(pattern: Json, event: Json): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = event[key];
    if (Array.isArray(expected)) return expected.includes(actual);
    return typeof actual === 'object' && actual !== null && matches(expected as Json, actual as Json);
  });
}

/**
 * An input transformer applied to an event as EventBridge does it: a placeholder inside a JSON string
 * gets the value's text, one outside gets the value as JSON (a path the event lacks gives null).
 */
function transform(
  transformer: { InputPathsMap: Record<string, string>; InputTemplate: string },
  event: Json,
) {
  const values = Object.fromEntries(
    Object.entries(transformer.InputPathsMap).map(([name, path]) => [
      name,
      path
        .replace(/^\$\./, '')
        .split('.')
        .reduce<unknown>((value, key) => (value as Json | undefined)?.[key], event) ?? null,
    ]),
  );
  let inString = false;
  let rendered = '';
  const text = transformer.InputTemplate;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (char === '"' && text[at - 1] !== '\\') inString = !inString;
    const name = char === '<' ? text.slice(at + 1, text.indexOf('>', at)) : undefined;
    if (name !== undefined && name in values) {
      rendered += inString ? String(values[name]) : JSON.stringify(values[name]);
      at += name.length + 1;
    } else rendered += char;
  }
  return rendered;
}

describe('the failed-run rule', () => {
  let stack: ReturnType<typeof synthesized>;
  let stateMachineArn: string;
  let rule: Resource;

  beforeAll(() => {
    stack = synthesized({});
    stateMachineArn = evaluateIn(stack.template, { Ref: stack.id(stack.inventory.stateMachine) }) as string;
    rule = stack.resource(stack.inventory.failedRunRule);
  });

  const eventOf = (detail: Json) =>
    statusChangeEvent({ stateMachineArn, ...detail } as never) as unknown as Json;

  it.each([
    ['a failed run', {}, true],
    ['a run that timed out', { status: 'TIMED_OUT' }, true],
    ['an aborted run', { status: 'ABORTED' }, true],
    ['a run that succeeded', { status: 'SUCCEEDED' }, false],
    ['a run that started', { status: 'RUNNING' }, false],
    [
      'a failed run of another state machine',
      { stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:other' },
      false,
    ],
  ])('matches %s: %s', (_, detail, expected) => {
    // Prepare
    const pattern = evaluateIn(stack.template, rule.Properties.EventPattern) as Json;

    // Act
    const matched = matches(pattern, eventOf(detail));

    // Assess
    expect(matched).toBe(expected);
    expect(pattern).toMatchObject({
      source: [EXECUTION_STATUS_CHANGE.source],
      'detail-type': [EXECUTION_STATUS_CHANGE.detailType],
    });
  });

  it('invokes the record-failure function, which only this rule may invoke', () => {
    // Act
    const targets = rule.Properties.Targets as Json[];
    const permissions = stack
      .ofType('AWS::Lambda::Permission')
      .filter(([, permission]) =>
        JSON.stringify(permission.Properties.FunctionName).includes(stack.id(stack.inventory.recordFailure)),
      );

    // Assess
    expect(targets).toContainEqual({
      Id: expect.any(String),
      Arn: { 'Fn::GetAtt': [stack.id(stack.inventory.recordFailure), 'Arn'] },
    });
    expect(permissions.map(([, permission]) => permission.Properties)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [stack.id(stack.inventory.recordFailure), 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [stack.id(stack.inventory.failedRunRule), 'Arn'] },
      },
    ]);
  });

  it.each([
    [
      'a failed run',
      { error: 'States.Runtime', cause: 'The JSONPath \'$.plan\' could not be found: "quoted"' },
      { error: 'States.Runtime', cause: 'The JSONPath \'$.plan\' could not be found: "quoted"' },
    ],
    [
      'an abort without a reason',
      { status: 'ABORTED', error: null, cause: null },
      { error: null, cause: null },
    ],
    ['an event without error fields', { error: undefined, cause: undefined }, { error: null, cause: null }],
  ])('publishes to the run events topic a run-failed message for %s', (_, detail, expected) => {
    // Prepare
    const target = (rule.Properties.Targets as Json[]).find(
      (candidate) =>
        JSON.stringify(candidate.Arn) === JSON.stringify({ Ref: stack.id(stack.inventory.topic) }),
    );
    const transformer = evaluateIn(stack.template, target?.InputTransformer) as {
      InputPathsMap: Record<string, string>;
      InputTemplate: string;
    };
    const event = eventOf(detail);
    const { name, executionArn, status } = event.detail as Json;

    // Act
    const message = RunFailedMessage.parse(JSON.parse(transform(transformer, event)));

    // Assess
    expect(message).toEqual({
      type: RUN_EVENT_TYPES.failed,
      executionName: name,
      executionArn,
      status,
      ...expected,
      bucket: bucketName(stack.id(stack.inventory.bucket)),
      failureRecordKey: keys.failure(String(name)),
    });
  });

  it('gives the record-failure function the report bucket', () => {
    // Act
    const variables = (stack.resource(stack.inventory.recordFailure).Properties.Environment as Json)
      .Variables;

    // Assess
    expect(variables).toMatchObject({ [ENV.bucketName]: { Ref: stack.id(stack.inventory.bucket) } });
  });
});

describe('the run events topic', () => {
  let stack: ReturnType<typeof synthesized>;
  let topicPolicy: PolicyDocument;

  beforeAll(() => {
    stack = synthesized({ notifications: { emails: EMAILS } });
    topicPolicy = stack.topicPolicy();
  });

  it('is encrypted with a customer managed key that rotates, not the AWS managed alias/aws/sns', () => {
    // Act
    const topic = stack.resource(stack.inventory.topic).Properties;
    const key = stack.resource(stack.inventory.topic.key).Properties;

    // Assess
    expect(topic.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [stack.id(stack.inventory.topic.key), 'Arn'] });
    expect(key.EnableKeyRotation).toBe(true);
  });

  it('lets CloudWatch and EventBridge make and decrypt data keys with it, and nothing else', () => {
    // Act
    const statements = (stack.resource(stack.inventory.topic.key).Properties.KeyPolicy as PolicyDocument)
      .Statement;

    // Assess
    const forServices = statements.filter((statement) =>
      JSON.stringify(statement.Principal).includes('Service'),
    );
    expect(forServices).toEqual(
      ['events.amazonaws.com', 'cloudwatch.amazonaws.com'].map((service) => ({
        Effect: 'Allow',
        Principal: { Service: service },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: '*',
      })),
    );
  });

  it('refuses publishing without TLS', () => {
    expect(topicPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 'sns:Publish',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it('lets CloudWatch publish for the three alarms and EventBridge for the failed-run rule only', () => {
    // Act
    const allows = topicPolicy.Statement.filter((statement) => statement.Effect === 'Allow');

    // Assess
    const { runFailed, coverageLow, noSuccess } = stack.inventory.alarms;
    const arnOf = (construct: { node: { defaultChild?: unknown } }) => ({
      'Fn::GetAtt': [stack.id(construct), 'Arn'],
    });
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: { ArnEquals: { 'aws:SourceArn': [arnOf(stack.inventory.failedRunRule)] } },
      }),
      expect.objectContaining({
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          ArnEquals: {
            'aws:SourceArn': [arnOf(runFailed), arnOf(coverageLow), arnOf(noSuccess ?? runFailed)],
          },
        },
      }),
    ]);
  });

  it('subscribes each configured email address', () => {
    // Act
    const subscriptions = stack
      .ofType('AWS::SNS::Subscription')
      .map(([, subscription]) => subscription.Properties);

    // Assess
    expect(subscriptions).toEqual(
      EMAILS.map((email) => ({
        Protocol: 'email',
        Endpoint: email,
        TopicArn: { Ref: stack.id(stack.inventory.topic) },
      })),
    );
  });

  it('gives reduce the bus, the topic and the metrics namespace, under the service the coverage alarm watches', () => {
    // Act
    const variables = (stack.resource(stack.inventory.reduce).Properties.Environment as Json)
      .Variables as Json;

    // Assess
    expect(variables).toMatchObject({
      [ENV.eventBusName]: 'default',
      [ENV.runEventsTopicArn]: { Ref: stack.id(stack.inventory.topic) },
      [ENV.metricsNamespace]: METRICS.namespace,
      POWERTOOLS_SERVICE_NAME: METRICS.service,
    });
  });
});

describe('the alarms', () => {
  let stack: ReturnType<typeof synthesized>;
  const alarm = (construct: { node: { defaultChild?: unknown } } | undefined) => {
    if (!construct) throw new Error('no such alarm');
    return stack.resource(construct).Properties;
  };

  beforeAll(() => {
    stack = synthesized({});
  });

  it('raise "run failed" on one execution of this state machine that failed, timed out or was aborted', () => {
    // Act
    const properties = alarm(stack.inventory.alarms.runFailed);

    // Assess
    const stateMachine = { Ref: stack.id(stack.inventory.stateMachine) };
    const metric = (id: string, name: string) => ({
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/States',
          MetricName: name,
          Dimensions: [{ Name: 'StateMachineArn', Value: stateMachine }],
        },
        Period: 300,
        Stat: 'Sum',
      },
      ReturnData: false,
    });
    expect(properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: stack.id(stack.inventory.topic) }],
    });
    expect(properties.OKActions).toBeUndefined();
    expect(properties.Metrics).toEqual([
      expect.objectContaining({
        Expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        ReturnData: true,
      }),
      metric('failed', 'ExecutionsFailed'),
      metric('timedOut', 'ExecutionsTimedOut'),
      metric('aborted', 'ExecutionsAborted'),
    ]);
  });

  it('raise "coverage low" on reduce\'s coverage metric below 95%, and keep it until the next run reports', () => {
    // Act
    const properties = alarm(stack.inventory.alarms.coverageLow);

    // Assess
    expect(properties).toMatchObject({
      Namespace: METRICS.namespace,
      MetricName: METRICS.names.coveragePercent,
      Dimensions: [{ Name: METRICS.serviceDimension, Value: METRICS.service }],
      Statistic: 'Minimum',
      Threshold: 95,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'ignore',
      AlarmActions: [{ Ref: stack.id(stack.inventory.topic) }],
      OKActions: [{ Ref: stack.id(stack.inventory.topic) }],
    });
  });

  it('raise "no successful run" when no execution succeeded in any hour of the last 26, missing data included', () => {
    // Act
    const properties = alarm(stack.inventory.alarms.noSuccess);

    // Assess
    expect(properties).toMatchObject({
      Namespace: 'AWS/States',
      MetricName: 'ExecutionsSucceeded',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: stack.id(stack.inventory.stateMachine) } }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 26,
      DatapointsToAlarm: 26,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: stack.id(stack.inventory.topic) }],
      OKActions: [{ Ref: stack.id(stack.inventory.topic) }],
    });
  });

  it('follow the configured coverage threshold and hours without success', () => {
    // Act
    const custom = synthesized({ alarms: { minCoveragePercent: 80, maxHoursWithoutSuccess: 50 } });
    const { coverageLow, noSuccess } = custom.inventory.alarms;

    // Assess
    expect(custom.resource(coverageLow).Properties.Threshold).toBe(80);
    expect(noSuccess && custom.resource(noSuccess).Properties).toMatchObject({
      EvaluationPeriods: 50,
      DatapointsToAlarm: 50,
    });
  });

  it('leave out "no successful run" without a schedule, and CloudWatch publishes for the other two only', () => {
    // Act
    const unscheduled = synthesized({ schedule: { enabled: false } });

    // Assess
    expect(unscheduled.inventory.alarms.noSuccess).toBeUndefined();
    expect(
      unscheduled.ofType('AWS::CloudWatch::Alarm').map(([, found]) => found.Properties.AlarmName),
    ).toEqual(['LambdaInventory-run-failed', 'LambdaInventory-coverage-low']);
    const cloudwatch = unscheduled
      .topicPolicy()
      .Statement.find((statement) => JSON.stringify(statement.Principal).includes('cloudwatch'));
    expect(cloudwatch?.Condition?.ArnEquals?.['aws:SourceArn']).toHaveLength(2);
  });
});
