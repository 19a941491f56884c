/**
 * The EventBridge rule on the state machine's runs that end FAILED, TIMED_OUT or ABORTED. Its targets:
 * the record-failure function, which writes the failure record where the workflow's Catch path could
 * not (a timeout or an abort stops every state; an uncaught error skips the Catch path), and the run
 * events topic, with a message naming the execution, its error and the record's key.
 */
import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { keys } from '../../shared/keys.ts';
import {
  EXECUTION_STATUS_CHANGE,
  FAILED_RUN_STATUSES,
  RUN_EVENT_TYPES,
  type RunFailedMessage,
} from '../../shared/signals.ts';
import type { RunEventsTopic } from './run-events-topic.ts';

export interface FailedRunRuleProps {
  readonly stateMachine: IStateMachine;
  readonly recordFailure: IFunction;
  readonly topic: RunEventsTopic;
  readonly bucket: IBucket;
}

/** The run-failed message (RunFailedMessage in shared/signals.ts), filled in by EventBridge from the event. */
function runFailedMessage(bucket: IBucket): RuleTargetInput {
  const name = EventField.fromPath('$.detail.name');
  const message: Record<keyof RunFailedMessage, string> = {
    type: RUN_EVENT_TYPES.failed,
    executionName: name,
    executionArn: EventField.fromPath('$.detail.executionArn'),
    status: EventField.fromPath('$.detail.status'),
    error: EventField.fromPath('$.detail.error'),
    cause: EventField.fromPath('$.detail.cause'),
    bucket: bucket.bucketName,
    failureRecordKey: keys.failure(name),
  };
  return RuleTargetInput.fromObject(message);
}

export class FailedRunRule extends Rule {
  constructor(scope: Construct, id: string, props: FailedRunRuleProps) {
    super(scope, id, {
      description: 'Runs of the lambda-inventory state machine that ended FAILED, TIMED_OUT or ABORTED',
      eventPattern: {
        source: [EXECUTION_STATUS_CHANGE.source],
        detailType: [EXECUTION_STATUS_CHANGE.detailType],
        detail: {
          stateMachineArn: [props.stateMachine.stateMachineArn],
          status: [...FAILED_RUN_STATUSES],
        },
      },
    });
    this.addTarget(new LambdaFunction(props.recordFailure));
    props.topic.notifyFromRule(this, runFailedMessage(props.bucket));
  }
}
