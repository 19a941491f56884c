/**
 * The central stack: the report bucket, the plan / worker / reduce functions, the state machine that
 * runs the one workflow definition (statemachine/inventory-workflow.ts), and the nightly schedule.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Aws,
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
} from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct, IConstruct } from 'constructs';
import { type InventoryConfig, planSettingsVariable } from '../shared/config.ts';
import { DEFAULTS, ENV } from '../shared/env.ts';
import { keys } from '../shared/keys.ts';
import { InventoryWorkflow } from '../statemachine/inventory-workflow.ts';
import { NodeFunction } from './constructs/node-function.ts';
import { acknowledgeNag } from './nag.ts';

export interface InventoryStackProps extends StackProps {
  readonly config: InventoryConfig;
}

/** Overwritten or deleted reports stay recoverable this long. */
const NONCURRENT_VERSION_DAYS = 30;

// the handler in this module's own language: .ts in the repository, .js in the built package (dist/)
const handlerEntry = (name: string) =>
  fileURLToPath(new URL(`../functions/${name}/handler${extname(import.meta.url)}`, import.meta.url));

export class InventoryStack extends Stack {
  readonly bucket: Bucket;
  readonly accessLogsBucket: Bucket;
  readonly plan: NodeFunction;
  readonly worker: NodeFunction;
  readonly reduce: NodeFunction;
  readonly stateMachine: StateMachine;
  /** Absent when `schedule.enabled` is false. */
  readonly schedule?: Schedule;

  constructor(scope: Construct, id: string, props: InventoryStackProps) {
    super(scope, id, props);
    const { config } = props;
    // config.ts admits only the values CloudWatch Logs accepts
    const logRetention = config.logRetentionDays as RetentionDays;

    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(config.logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });

    // SSE-S3 rather than KMS: the data is function metadata without secret values (environment
    // variables are kept by name only), and a KMS key would have to be granted to every reader
    // (the functions, the Distributed Map's reader and writer, Athena and CLI users) and would add
    // a KMS request to each of the thousands of partial objects a run writes.
    this.bucket = new Bucket(this, 'InventoryBucket', {
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'inventory-bucket/',
      lifecycleRules: [
        {
          id: 'expire-runs',
          prefix: 'runs/',
          expiration: Duration.days(config.runsExpirationDays),
          // a retried batch overwrites its partial: the older version is garbage at once
          noncurrentVersionExpiration: Duration.days(1),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });

    this.plan = new NodeFunction(this, 'Plan', {
      entry: handlerEntry('plan'),
      serviceName: 'plan',
      description: 'Resolves the accounts x regions to scan and writes the targets file',
      // Organizations pages 20 accounts at a time and throttles: thousands of accounts take minutes
      memorySize: 512,
      timeout: Duration.minutes(5),
      logRetention,
      environment: {
        [ENV.bucketName]: this.bucket.bucketName,
        [ENV.planSettings]: planSettingsVariable(config),
      },
    });
    this.plan.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('runs/*')] }),
    );
    if (config.targets.source === 'organization') {
      this.plan.addToRolePolicy(
        new PolicyStatement({
          actions: [
            'organizations:ListAccounts',
            'organizations:ListAccountsForParent',
            'organizations:ListOrganizationalUnitsForParent',
            'organizations:ListRoots',
          ],
          resources: ['*'],
        }),
      );
    }

    this.worker = new NodeFunction(this, 'Worker', {
      entry: handlerEntry('worker'),
      serviceName: 'worker',
      description: 'Lists the Lambda functions of one batch of targets and writes a partial',
      roleName: config.workerRoleName,
      memorySize: 512,
      // a map child is an Express execution, which ends after 5 minutes: leave room for a retry
      timeout: Duration.minutes(2),
      logRetention,
      environment: {
        [ENV.memberRoleName]: config.memberRoleName,
        [ENV.regionConcurrency]: String(DEFAULTS.regionConcurrency),
      },
    });
    this.worker.addToRolePolicy(
      new PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::*:role/${config.memberRoleName}`],
      }),
    );
    this.worker.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('runs/*/partials/*')],
      }),
    );

    this.reduce = new NodeFunction(this, 'Reduce', {
      entry: handlerEntry('reduce'),
      serviceName: 'reduce',
      description: 'Merges the partials of a run into the inventory report',
      // the report of a large organization is built in memory
      memorySize: 2048,
      timeout: Duration.minutes(15),
      logRetention,
      environment: { [ENV.reduceConcurrency]: String(DEFAULTS.reduceConcurrency) },
    });
    // reduce reads the run (targets, partials, map results) and the current latest pointer
    this.reduce.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects('runs/*'), this.bucket.arnForObjects(keys.latest)],
      }),
    );
    // lists the partials; and S3 answers a GET of a missing key (the first run's latest.json, a
    // map result file) with 404 only to a caller that may list the bucket, with 403 to others
    this.reduce.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }),
    );
    // the inventory is streamed as a multipart upload, which lib-storage aborts when it fails
    this.reduce.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
        resources: [this.bucket.arnForObjects('reports/*')],
      }),
    );

    const workflow = new InventoryWorkflow(this, 'Workflow', {
      plan: this.plan,
      worker: this.worker,
      reduce: this.reduce,
      bucket: this.bucket,
      ...config.map,
    });
    // the /aws/vendedlogs/ prefix keeps Step Functions from growing the account's size-limited
    // CloudWatch Logs resource policy
    const stateMachineLogs = new LogGroup(this, 'StateMachineLogs', {
      logGroupName: `/aws/vendedlogs/states/${this.stackName}`,
      retention: logRetention,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'lambda-inventory: plan, scan every account x region with a Distributed Map, reduce',
      definitionBody: DefinitionBody.fromChainable(workflow.definition),
      stateMachineType: StateMachineType.STANDARD,
      logs: { destination: stateMachineLogs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      // a hung run ends before the next nightly run starts
      timeout: Duration.hours(23),
    });
    this.grantDistributedMapData();

    if (config.schedule.enabled) {
      this.schedule = new Schedule(this, 'NightlySchedule', {
        description: 'Starts the nightly lambda-inventory run',
        schedule: ScheduleExpression.expression(
          config.schedule.expression,
          TimeZone.of(config.schedule.timezone),
        ),
        target: new StepFunctionsStartExecution(this.stateMachine, {
          input: ScheduleTargetInput.fromObject({}),
        }),
      });
    }

    this.acknowledgeFindings(config);

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'WorkerRoleArn', { value: this.worker.executionRole.roleArn });
    new CfnOutput(this, 'MemberRoleName', { value: config.memberRoleName });
    new CfnOutput(this, 'Region', { value: Aws.REGION });
  }

  /**
   * CDK grants the Distributed Map's child executions (states:StartExecution etc.), the Lambda
   * invokes and the failure record. Because the workflow names its bucket by path ($.plan.bucket,
   * so the same definition runs locally), CDK grants nothing for the ItemReader and grants the
   * ResultWriter's S3 actions on "*": add the reader's one object, and confine those actions to the
   * keys the workflow uses.
   */
  private grantDistributedMapData(): void {
    const targetsFiles = this.bucket.arnForObjects('runs/*/targets.json');
    const mapResults = this.bucket.arnForObjects(`${keys.mapResultsPrefix}/*`);
    const failureRecords = this.bucket.arnForObjects(`${keys.failuresPrefix}*`);
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: [targetsFiles] }),
    );
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        notResources: [targetsFiles, mapResults, failureRecords],
      }),
    );
  }

  /**
   * The findings of the AWS Solutions rules this design accepts, each with the reason it is right
   * here. Wildcards left: run ids and dates in S3 keys, member accounts known only at run time, and
   * actions that support no resource-level permissions.
   */
  private acknowledgeFindings(config: InventoryConfig): void {
    const arnOf = (construct: IConstruct) =>
      `<${this.getLogicalId(construct.node.defaultChild as CfnElement)}.Arn>`;
    const bucketArn = arnOf(this.bucket);
    const xray =
      'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions.';

    const plan = this.plan.executionRole;
    acknowledgeNag(
      plan,
      'IAM5[Resource::*]',
      config.targets.source === 'organization'
        ? `Organizations ListAccounts and ListRoots support no resource-level permissions, and the OU walk reaches OUs known only at run time. ${xray}`
        : xray,
    );
    acknowledgeNag(
      plan,
      `IAM5[Resource::${bucketArn}/runs/*]`,
      'The plan writes runs/<runId>/targets.json and skipped.json; the run id is chosen per execution.',
    );

    const worker = this.worker.executionRole;
    acknowledgeNag(worker, 'IAM5[Resource::*]', xray);
    acknowledgeNag(
      worker,
      `IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${config.memberRoleName}]`,
      'Member accounts are known only at run time (Organizations discovery or execution input): the account is the wildcard, the role name is fixed, and each member role trusts only this worker role.',
    );
    acknowledgeNag(
      worker,
      `IAM5[Resource::${bucketArn}/runs/*/partials/*]`,
      'The worker writes one partial per batch under runs/<runId>/partials/; the run id is chosen per execution.',
    );

    const reduce = this.reduce.executionRole;
    acknowledgeNag(reduce, 'IAM5[Resource::*]', xray);
    acknowledgeNag(
      reduce,
      `IAM5[Resource::${bucketArn}/runs/*]`,
      'Reduce reads the targets file, the partials and the map results of the run it reduces; the run id is chosen per execution.',
    );
    acknowledgeNag(
      reduce,
      `IAM5[Resource::${bucketArn}/reports/*]`,
      'Reduce writes reports/<date>/<runId>/ and then reports/latest.json; date and run id are known only at run time.',
    );

    const stateMachine = this.stateMachine.role;
    for (const fn of [this.plan, this.worker, this.reduce]) {
      acknowledgeNag(
        stateMachine,
        `IAM5[Resource::${arnOf(fn)}:*]`,
        "CDK's LambdaInvoke grant also covers the versions and aliases (ARN:*) of the three functions the workflow invokes, and nothing else.",
      );
    }
    acknowledgeNag(
      stateMachine,
      'IAM5[Resource::*]',
      'CloudWatch Logs delivery and X-Ray actions support no resource-level permissions; CDK grants the Distributed Map ResultWriter on * because the workflow names its bucket at run time ($.plan.bucket), and a Deny statement in the same policy confines those S3 actions to the targets files, map results and failure records of this bucket.',
    );
    acknowledgeNag(
      stateMachine,
      `IAM5[Resource::${bucketArn}/runs/*/targets.json]`,
      'The Distributed Map ItemReader reads runs/<runId>/targets.json; the run id is chosen per execution.',
    );
    acknowledgeNag(
      stateMachine,
      `IAM5[Resource::${bucketArn}/${keys.failuresPrefix}*]`,
      'The Catch path writes reports/failures/<execution name>.json; the execution name is known only at run time.',
    );
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${this.getLogicalId(this.stateMachine.node.defaultChild as CfnElement)}"}]}]}`;
    for (const pattern of [`${executions}:*`, `${executions}/*:*`]) {
      acknowledgeNag(
        this.stateMachine,
        `IAM5[Resource::${pattern}]`,
        "CDK's Distributed Map grant: the map starts, describes, stops and redrives child executions of this state machine, whose names are generated at run time.",
      );
    }
  }
}
