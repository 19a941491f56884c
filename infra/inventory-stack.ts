/**
 * The central stack, as a list of parts: the report bucket, the run events topic, the plan / worker /
 * reduce functions (each with its environment and grants), the state machine that runs the one
 * workflow definition (statemachine/inventory-workflow.ts), the nightly schedule, the signals of a
 * run (failed-run rule and its record-failure function, alarms), the report's Athena tables, the
 * outputs the CLI reads, and the cdk-nag findings this design accepts (nag.ts).
 */
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { InventoryConfig } from '../shared/config.ts';
import { ATHENA_DATABASE, ATHENA_WORKGROUP, AthenaCatalog } from './constructs/athena-catalog.ts';
import { FailedRunRule } from './constructs/failed-run-rule.ts';
import { InventoryStateMachine } from './constructs/inventory-state-machine.ts';
import { NightlySchedule } from './constructs/nightly-schedule.ts';
import { PlanFunction } from './constructs/plan-function.ts';
import { RecordFailureFunction } from './constructs/record-failure-function.ts';
import { ReduceFunction } from './constructs/reduce-function.ts';
import { ReportBucket } from './constructs/report-bucket.ts';
import { RunAlarms } from './constructs/run-alarms.ts';
import { RunEventsTopic } from './constructs/run-events-topic.ts';
import { WORKER_TASK_TIMEOUT, WorkerFunction } from './constructs/worker-function.ts';
import { acknowledgeInventoryFindings } from './nag.ts';

export interface InventoryStackProps extends StackProps {
  readonly config: InventoryConfig;
}

export class InventoryStack extends Stack {
  readonly bucket: ReportBucket;
  readonly accessLogsBucket: Bucket;
  readonly plan: PlanFunction;
  readonly worker: WorkerFunction;
  readonly reduce: ReduceFunction;
  readonly stateMachine: InventoryStateMachine;
  /** Absent when `schedule.enabled` is false. */
  readonly schedule?: NightlySchedule;
  readonly topic: RunEventsTopic;
  readonly recordFailure: RecordFailureFunction;
  readonly failedRunRule: FailedRunRule;
  readonly alarms: RunAlarms;
  readonly athena: AthenaCatalog;

  constructor(scope: Construct, id: string, props: InventoryStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.bucket = new ReportBucket(this, 'InventoryBucket', { config });
    this.accessLogsBucket = this.bucket.accessLogsBucket;
    this.topic = new RunEventsTopic(this, 'RunEvents', { emails: config.notifications.emails });

    this.plan = new PlanFunction(this, 'Plan', { bucket: this.bucket, config });
    this.worker = new WorkerFunction(this, 'Worker', { bucket: this.bucket, config });
    this.reduce = new ReduceFunction(this, 'Reduce', {
      bucket: this.bucket,
      config,
      eventBus: EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      topic: this.topic,
    });

    this.stateMachine = new InventoryStateMachine(this, 'StateMachine', {
      plan: this.plan,
      worker: this.worker,
      workerTimeout: WORKER_TASK_TIMEOUT,
      reduce: this.reduce,
      bucket: this.bucket,
      map: config.map,
      // config.ts admits only the values CloudWatch Logs accepts
      logRetention: config.logRetentionDays as RetentionDays,
    });

    if (config.schedule.enabled) {
      this.schedule = new NightlySchedule(this, 'NightlySchedule', {
        stateMachine: this.stateMachine,
        schedule: config.schedule,
      });
    }

    this.recordFailure = new RecordFailureFunction(this, 'RecordFailure', {
      bucket: this.bucket,
      stateMachine: this.stateMachine,
      config,
    });
    this.failedRunRule = new FailedRunRule(this, 'FailedRunRule', {
      stateMachine: this.stateMachine,
      recordFailure: this.recordFailure,
      topic: this.topic,
      bucket: this.bucket,
    });
    this.alarms = new RunAlarms(this, 'RunAlarms', {
      stateMachine: this.stateMachine,
      topic: this.topic,
      alarms: config.alarms,
      expectNightlyRuns: config.schedule.enabled,
    });

    this.athena = new AthenaCatalog(this, 'Athena', { bucket: this.bucket });

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'WorkerRoleArn', { value: this.worker.executionRole.roleArn });
    new CfnOutput(this, 'MemberRoleName', { value: config.memberRoleName });
    new CfnOutput(this, 'Region', { value: Aws.REGION });
    new CfnOutput(this, 'RunEventsTopicArn', { value: this.topic.topicArn });
    new CfnOutput(this, 'AthenaDatabase', { value: ATHENA_DATABASE });
    new CfnOutput(this, 'AthenaWorkGroup', { value: ATHENA_WORKGROUP });

    // last: the findings are about the policies every part above has added to
    acknowledgeInventoryFindings(this, config);
  }
}
