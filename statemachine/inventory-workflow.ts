/**
 * The one definition of the inventory workflow: Plan -> Scan targets (Distributed Map of workers)
 * -> Reduce, with a Catch path that records the failure in S3 before failing the execution.
 *
 * The deployed state machine and the local engine both render this construct; nothing else builds
 * the workflow. It is given the Lambda constructs and never imports handler code.
 */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  type Chain,
  DistributedMap,
  Errors,
  Fail,
  ItemBatcher,
  JitterType,
  JsonPath,
  type RetryProps,
  StateMachineType,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ERROR_NAMES } from '../shared/errors.ts';
import { keys, objectPattern } from '../shared/keys.ts';
import { STATE } from '../shared/states.ts';
import { MapResultsWriter, TargetsReader } from './map-data.ts';

export interface MapSettings {
  /** Child executions running at once. */
  readonly maxConcurrency: number;
  /** Percentage of failed targets the run tolerates before it fails. */
  readonly toleratedFailurePercentage: number;
}

export interface InventoryWorkflowProps extends MapSettings {
  readonly plan: IFunction;
  readonly worker: IFunction;
  /**
   * How long one worker attempt may last: at least the worker function's own timeout. It bounds an
   * Express child's run time, which must stay under Express's five minutes with every retry.
   */
  readonly workerTimeout: Duration;
  readonly reduce: IFunction;
  readonly bucket: IBucket;
}

/**
 * Lambda throttling and service errors are transient: retry with exponential backoff and full
 * jitter, so that hundreds of map children retrying together do not hit Lambda in lockstep.
 */
export const LAMBDA_RETRY: RetryProps = {
  errors: [
    'Lambda.TooManyRequestsException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.ClientExecutionTimeoutException',
  ],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 6,
  maxDelay: Duration.seconds(60),
  jitterStrategy: JitterType.FULL,
};

/**
 * The worker's one retrier: Lambda's transient errors, and the failures the worker throws (an S3
 * write, a function timeout or crash, which Lambda reports as Sandbox.Timedout or Lambda.Unknown).
 * One retrier with few attempts, because an Express child ends after five minutes: its worst case,
 * every attempt running to the task timeout plus the longest retry pauses, must fit (a test computes
 * it from the synthesized definition). A batch that still fails leaves its targets `not-scanned`.
 */
export const WORKER_RETRY: RetryProps = {
  errors: [
    ...(LAMBDA_RETRY.errors ?? []),
    ERROR_NAMES.objectStore,
    'Sandbox.Timedout',
    'Lambda.Unknown',
    Errors.TIMEOUT,
  ],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 2,
  jitterStrategy: JitterType.FULL,
};

export class InventoryWorkflow extends Construct {
  readonly definition: Chain;

  constructor(scope: Construct, id: string, props: InventoryWorkflowProps) {
    super(scope, id);

    const plan = new LambdaInvoke(this, STATE.plan, {
      lambdaFunction: props.plan,
      payload: TaskInput.fromObject({
        input: JsonPath.entirePayload,
        execution: { name: JsonPath.executionName, startTime: JsonPath.executionStartTime },
      }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.plan',
    }).addRetry(LAMBDA_RETRY);

    const worker = new LambdaInvoke(this, STATE.worker, {
      lambdaFunction: props.worker,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      taskTimeout: Timeout.duration(props.workerTimeout),
    }).addRetry(WORKER_RETRY);

    const scan = new DistributedMap(this, STATE.scan, {
      mapExecutionType: StateMachineType.EXPRESS,
      itemReader: new TargetsReader(
        {
          bucketNamePath: JsonPath.stringAt('$.plan.bucket'),
          key: JsonPath.stringAt('$.plan.targetsKey'),
        },
        props.bucket,
      ),
      itemBatcher: new ItemBatcher({
        // the plan rounds the configured batch size to whole accounts (PlanOutput.batchSize)
        maxItemsPerBatchPath: '$.plan.batchSize',
        // BatchInput is passed through as written: the `.$` suffix makes Step Functions resolve the paths
        batchInput: { 'runId.$': '$.plan.runId', 'scanId.$': '$.plan.scanId', 'bucket.$': '$.plan.bucket' },
      }),
      maxConcurrency: props.maxConcurrency,
      toleratedFailurePercentage: props.toleratedFailurePercentage,
      resultWriterV2: new MapResultsWriter(
        { bucketNamePath: JsonPath.stringAt('$.plan.bucket'), prefix: keys.mapResultsPrefix },
        props.bucket,
      ),
      resultPath: '$.map',
    });
    scan.itemProcessor(worker);

    const reduce = new LambdaInvoke(this, STATE.reduce, {
      lambdaFunction: props.reduce,
      payload: TaskInput.fromObject({ plan: JsonPath.objectAt('$.plan'), map: JsonPath.objectAt('$.map') }),
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      resultPath: '$.report',
    })
      .addRetry(LAMBDA_RETRY)
      // reduce rewrites the whole report from the partials, so it can simply run again after an S3 failure
      .addRetry({
        errors: [ERROR_NAMES.objectStore],
        interval: Duration.seconds(5),
        maxAttempts: 3,
        backoffRate: 2,
        jitterStrategy: JitterType.FULL,
      });

    // a failed run still leaves a trace in the bucket, then fails the execution
    const recordFailure = new CallAwsService(this, STATE.recordFailure, {
      service: 's3',
      action: 'putObject',
      parameters: {
        Bucket: props.bucket.bucketName,
        Key: JsonPath.format(`${keys.failuresPrefix}{}.json`, JsonPath.executionName),
        ContentType: 'application/json',
        Body: {
          executionName: JsonPath.executionName,
          startedAt: JsonPath.executionStartTime,
          failedAt: JsonPath.stringAt('$$.State.EnteredTime'),
          error: JsonPath.stringAt('$.failure.Error'),
          cause: JsonPath.stringAt('$.failure.Cause'),
        },
      },
      iamResources: [props.bucket.arnForObjects(objectPattern('failure'))],
      iamAction: 's3:PutObject',
      resultPath: JsonPath.DISCARD,
    });
    const failed = new Fail(this, STATE.fail, {
      errorPath: JsonPath.stringAt('$.failure.Error'),
      causePath: JsonPath.stringAt('$.failure.Cause'),
    });
    // S3 errors are retried; if the record still cannot be written, the run fails with its own error
    // (the failure's error and cause stay in $.failure, untouched by this step's result)
    recordFailure
      .addRetry({
        errors: [Errors.ALL],
        interval: Duration.seconds(1),
        maxAttempts: 3,
        backoffRate: 2,
        jitterStrategy: JitterType.FULL,
      })
      .addCatch(failed, { errors: [Errors.ALL], resultPath: JsonPath.DISCARD });
    const onFailure = recordFailure.next(failed);

    for (const step of [plan, scan, reduce])
      step.addCatch(onFailure, { errors: [Errors.ALL], resultPath: '$.failure' });

    this.definition = plan.next(scan).next(reduce);
  }
}
