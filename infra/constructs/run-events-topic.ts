/**
 * The run events topic: completion messages (reduce), failure messages (the failed-run rule) and alarm
 * notifications, with an email subscription per configured address.
 *
 * Encrypted with a customer managed key, not the AWS managed `alias/aws/sns`: CloudWatch alarms and
 * EventBridge publish as services, and the AWS managed key's policy (which nobody can edit) lets
 * neither use it, so their messages would be dropped. The topic policy refuses publishing without
 * TLS, and lets each service publish only for the alarms and rules of this stack (`aws:SourceArn`).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IRule, IRuleTarget, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { Grant, type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/**
 * What SNS asks KMS for on behalf of a publisher: a data key to encrypt the message with, and the
 * decryption of that key (SNS reuses a data key for a few minutes).
 */
export const PUBLISHER_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

export interface RunEventsTopicProps {
  /** Addresses that get an email subscription (each confirms it once). */
  readonly emails: readonly string[];
}

export class RunEventsTopic extends Topic {
  readonly key: Key;
  private readonly keyUsers = new Set<string>();

  /** `id` names the topic; its key is a sibling, `<id>Key`. */
  constructor(scope: Construct, id: string, props: RunEventsTopicProps) {
    const key = new Key(scope, `${id}Key`, {
      description: 'Encrypts the lambda-inventory run events topic',
      enableKeyRotation: true,
      // it encrypts messages in transit through the topic, nothing kept: it goes with the stack
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    super(scope, id, { displayName: 'lambda-inventory', masterKey: key, enforceSSL: true });
    this.key = key;
    for (const email of props.emails) this.addSubscription(new EmailSubscription(email));
  }

  /**
   * sns:Publish on this topic, and the key actions SNS then takes in the publisher's name: exactly
   * those two, where Topic's own grant allows every `kms:GenerateDataKey*` variant.
   */
  override grantPublish(grantee: IGrantable): Grant {
    const grant = Grant.addToPrincipalOrResource({
      grantee,
      actions: ['sns:Publish'],
      resourceArns: [this.topicArn],
      resource: this,
    });
    this.key.grant(grantee, ...PUBLISHER_KEY_ACTIONS);
    return grant;
  }

  /** Sends the state changes of `alarms` here (OK too, when `ok`), and lets CloudWatch publish for exactly those alarms. */
  notifyFromAlarms(alarms: { alarm: Alarm; ok: boolean }[]): void {
    for (const { alarm, ok } of alarms) {
      alarm.addAlarmAction(new SnsAction(this));
      if (ok) alarm.addOkAction(new SnsAction(this));
    }
    this.allowService(
      'AlarmsOfThisStack',
      'cloudwatch.amazonaws.com',
      alarms.map(({ alarm }) => alarm.alarmArn),
    );
  }

  /** Makes this topic a target of `rule`, publishing `message`, and lets EventBridge publish for that rule only. */
  notifyFromRule(rule: IRule & { addTarget(target: IRuleTarget): void }, message: RuleTargetInput): void {
    rule.addTarget({ bind: () => ({ arn: this.topicArn, input: message }) });
    this.allowService(`Rule${rule.node.id}`, 'events.amazonaws.com', [rule.ruleArn]);
  }

  private allowService(sid: string, service: string, sourceArns: string[]): void {
    const principal = new ServicePrincipal(service);
    this.addToResourcePolicy(
      new PolicyStatement({
        sid: `Publish${sid}`,
        principals: [principal],
        actions: ['sns:Publish'],
        resources: [this.topicArn],
        conditions: { ArnEquals: { 'aws:SourceArn': sourceArns } },
      }),
    );
    if (this.keyUsers.has(service)) return;
    this.keyUsers.add(service);
    // SNS asks KMS with the publishing service's identity; the topic policy above decides who may publish
    this.key.addToResourcePolicy(
      new PolicyStatement({ principals: [principal], actions: PUBLISHER_KEY_ACTIONS, resources: ['*'] }),
    );
  }
}
