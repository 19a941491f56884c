/**
 * The reduce function, with its environment and its permissions set together: it reads one run's
 * working data and the latest pointer, writes the report's files, its rows for Athena and then the
 * pointer, and announces the report (completion event on the bus, message on the run events topic,
 * metrics in its logs).
 */
import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ATHENA_TABLES } from '../../shared/athena.ts';
import type { InventoryConfig } from '../../shared/config.ts';
import { DEFAULTS, ENV } from '../../shared/env.ts';
import { objectPattern, type ReportFile, reportFileName, reportFileNames } from '../../shared/keys.ts';
import { METRICS, RUN_COMPLETED_EVENT } from '../../shared/signals.ts';
import { functionModule, handlerEntry, NodeFunction } from './node-function.ts';
import type { ReportBucket } from './report-bucket.ts';
import type { RunEventsTopic } from './run-events-topic.ts';

/** The objects of a run's Athena rows: one file per table, each streamed as a multipart upload. */
export const athenaFilePatterns = () =>
  ATHENA_TABLES.map((table) => objectPattern('athenaFile', { table: table.name }));

/** The previous run's inventory, plain or gzip (its run may have been configured otherwise than this one). */
export const PREVIOUS_INVENTORY_FILES: readonly [ReportFile, boolean][] = [
  ['inventoryJson', false],
  ['inventoryJson', true],
];

export interface ReduceFunctionProps {
  readonly bucket: ReportBucket;
  readonly config: InventoryConfig;
  /** Where the completion event goes (the account's default bus). */
  readonly eventBus: IEventBus;
  readonly topic: RunEventsTopic;
}

export class ReduceFunction extends NodeFunction {
  constructor(scope: Construct, id: string, { bucket, config, eventBus, topic }: ReduceFunctionProps) {
    const compress = config.reports.compress;
    super(scope, id, {
      entry: handlerEntry('reduce'),
      // digest-pool.ts starts it beside the handler: reduce/digest-thread.mjs
      threadEntries: [functionModule('reduce/digest-thread')],
      serviceName: 'reduce',
      description: 'Merges the partials of a run into the inventory report',
      // the report of a large organization is built in memory
      memorySize: 2048,
      timeout: Duration.minutes(15),
      logRetention: config.logRetentionDays as RetentionDays,
      environment: {
        [ENV.reduceConcurrency]: String(DEFAULTS.reduceConcurrency),
        [ENV.reportCompression]: String(compress),
        [ENV.eventBusName]: eventBus.eventBusName,
        [ENV.runEventsTopicArn]: topic.topicArn,
        // Powertools Metrics adds POWERTOOLS_SERVICE_NAME as the `service` dimension the alarms name
        [ENV.metricsNamespace]: METRICS.namespace,
      },
    });
    // the run's plan files, the scan's partials, the map's result files, the current latest pointer
    bucket.grantObjects(
      this,
      ['s3:GetObject'],
      [
        objectPattern('targets'),
        objectPattern('skipped'),
        objectPattern('partial'),
        objectPattern('mapResult'),
        objectPattern('latest'),
      ],
    );
    // the previous run's inventory (the one reports/latest.json names), which the new run is compared
    // with (diff, newly deprecated functions): plain or gzip, as that run's configuration wrote it
    bucket.grantObjects(
      this,
      ['s3:GetObject'],
      PREVIOUS_INVENTORY_FILES.map(([file, gzip]) =>
        objectPattern('reportFile', { file: reportFileName(file, gzip) }),
      ),
    );
    // lists the partials; and S3 answers a GET of a missing key (the first run's latest.json, a map
    // result file) with 404 only to a caller that may list the bucket, with 403 to others. A prefix
    // condition would turn those 404s into 403s: the grant reveals key names, never contents.
    this.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    // the inventory files are streamed as multipart uploads, which lib-storage aborts when one fails
    bucket.grantObjects(
      this,
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      reportFileNames(compress).map((file) => objectPattern('reportFile', { file })),
    );
    bucket.grantObjects(this, ['s3:PutObject'], [objectPattern('latest')]);
    bucket.grantObjects(this, ['s3:PutObject', 's3:AbortMultipartUpload'], athenaFilePatterns());
    // the completion event only. The keys are lists (one value per entry of a PutEvents call): every
    // entry must have the product's source and detail type, and a call without them matches nothing
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [eventBus.eventBusArn],
        conditions: {
          'ForAllValues:StringEquals': {
            'events:source': [RUN_COMPLETED_EVENT.source],
            'events:detail-type': [RUN_COMPLETED_EVENT.detailType],
          },
          Null: { 'events:source': 'false', 'events:detail-type': 'false' },
        },
      }),
    );
    topic.grantPublish(this);
  }
}
