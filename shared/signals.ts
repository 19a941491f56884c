/**
 * The signals of a deployed run, named once for the code that sends them (reduce, the record-failure
 * function), the infrastructure that routes and watches them (infra/: rules, topic, alarms) and the
 * tests: the Step Functions status-change events a failed run raises, the completion event reduce
 * publishes to EventBridge and SNS, and the EMF metrics reduce emits through Powertools Metrics.
 */
import { AccountId, CoverageStatus, Region, ReportKeys, RunId, Summary } from './contracts.ts';
import * as z from './zod.ts';

// A run that ended badly: Step Functions' own events on the default bus

/** Execution statuses of a run that ended without a report. */
export const FAILED_RUN_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type FailedRunStatus = (typeof FAILED_RUN_STATUSES)[number];

/** The event Step Functions sends to the default bus when a Standard execution changes status. */
export const EXECUTION_STATUS_CHANGE = {
  source: 'aws.states',
  detailType: 'Step Functions Execution Status Change',
} as const;

/**
 * The status-change event of a run that ended badly, as the record-failure function receives it.
 * `error` and `cause` are absent or null when Step Functions has none to give (an abort without a
 * reason) or leaves them out; `input` and `output` are never read (they can be cut at 248 KB).
 */
export const ExecutionStatusChange = z.object({
  source: z.literal(EXECUTION_STATUS_CHANGE.source),
  'detail-type': z.literal(EXECUTION_STATUS_CHANGE.detailType),
  time: z.iso.datetime(),
  detail: z.object({
    executionArn: z.string().check(z.regex(/^arn:[\w-]+:states:/, 'must be a Step Functions execution ARN')),
    stateMachineArn: z.string(),
    name: z.string().check(z.minLength(1)),
    status: z.enum(FAILED_RUN_STATUSES),
    /** Milliseconds since the epoch. */
    startDate: z.number(),
    stopDate: z.optional(z.nullable(z.number())),
    error: z.optional(z.nullable(z.string())),
    cause: z.optional(z.nullable(z.string())),
  }),
});
export type ExecutionStatusChange = z.infer<typeof ExecutionStatusChange>;

// A run that completed: the event reduce publishes

/** What a subscriber switches on: the `type` of every SNS message, and its `eventType` attribute. */
export const RUN_EVENT_TYPES = { completed: 'run-completed', failed: 'run-failed' } as const;

/** The custom event reduce puts on the bus (ENV.eventBusName) when a report is complete. */
export const RUN_COMPLETED_EVENT = {
  /** The Source of every event the product puts on a bus (PutEvents refuses sources that start with `aws.`). */
  source: 'lambda-inventory',
  detailType: 'Inventory Run Completed',
} as const;

/**
 * At most this many newly deprecated functions are listed in an event (the count is always whole):
 * an EventBridge event and an SNS message hold 256 KB, and an email is read by a person.
 */
export const NEWLY_DEPRECATED_LISTED = 25;

const Count = z.int().check(z.nonnegative());
const IsoDate = z.iso.date();

export const NewlyDeprecatedFunction = z.strictObject({
  accountId: AccountId,
  accountName: z.nullable(z.string()),
  region: Region,
  functionName: z.string(),
  runtime: z.nullable(z.string()),
  deprecationDate: z.nullable(IsoDate),
  blockUpdateDate: z.nullable(IsoDate),
});
export type NewlyDeprecatedFunction = z.infer<typeof NewlyDeprecatedFunction>;

/** The detail of the completion event, and the body of the SNS message (with `type`). */
export const RunCompletedDetail = z.strictObject({
  schemaVersion: z.literal(1),
  runId: RunId,
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  functionCount: Count,
  /** Functions on a deprecated runtime, and on one deprecated within the lifecycle data's warning window. */
  deprecatedCount: Count,
  deprecatingSoonCount: Count,
  coverage: z.strictObject({
    ...Summary.shape.coverage.shape,
    /** `coveragePercent` of the same coverage: what the coverage alarm watches. */
    percent: z.number().check(z.minimum(0), z.maximum(100)),
  }),
  /**
   * Functions found in both this run and the previous one whose runtime became deprecated in between.
   * `previousRunId` is null for the first run (nothing to compare with, count 0).
   */
  newlyDeprecated: z.strictObject({
    previousRunId: z.nullable(RunId),
    count: Count,
    /** The first NEWLY_DEPRECATED_LISTED of them. */
    functions: z.array(NewlyDeprecatedFunction).check(z.maxLength(NEWLY_DEPRECATED_LISTED)),
  }),
  /** Where the report is: the bucket and the keys of its files, as reduce wrote them. */
  report: z.strictObject({ bucket: z.string().check(z.minLength(1)), keys: ReportKeys }),
});
export type RunCompletedDetail = z.infer<typeof RunCompletedDetail>;

/** The PutEvents entry of a completion event (an `@aws-sdk/client-eventbridge` PutEventsRequestEntry). */
export function runCompletedEntry(detail: RunCompletedDetail, eventBusName: string) {
  return {
    Source: RUN_COMPLETED_EVENT.source,
    DetailType: RUN_COMPLETED_EVENT.detailType,
    Detail: JSON.stringify(detail),
    EventBusName: eventBusName,
  };
}

// SNS: the run events topic

/** The message attribute every message reduce publishes carries, for subscription filter policies. */
export const EVENT_TYPE_ATTRIBUTE = 'eventType';

/** The JSON of a completion message, as every protocol but email receives it. */
export const RunCompletedMessage = z.strictObject({
  type: z.literal(RUN_EVENT_TYPES.completed),
  ...RunCompletedDetail.shape,
});
export type RunCompletedMessage = z.infer<typeof RunCompletedMessage>;

/**
 * The JSON of a failure message, which EventBridge publishes from the status-change event (the
 * failure rule's input transformer): `error` and `cause` are null when the event has none, and
 * `failureRecordKey` is where the failure record is (or, if neither writer could write it, would be).
 */
export const RunFailedMessage = z.strictObject({
  type: z.literal(RUN_EVENT_TYPES.failed),
  executionName: z.string(),
  executionArn: z.string(),
  status: z.enum(FAILED_RUN_STATUSES),
  error: z.nullable(z.string()),
  cause: z.nullable(z.string()),
  bucket: z.string(),
  failureRecordKey: z.string(),
});
export type RunFailedMessage = z.infer<typeof RunFailedMessage>;

/** SNS refuses a subject over 100 characters, or with a line break or other control character. */
const SUBJECT_MAX = 100;

const oneDecimal = (value: number) => (Math.floor(value * 10) / 10).toFixed(1);

/**
 * The SNS Publish parameters of a completion message (an `@aws-sdk/client-sns` PublishInput without
 * TopicArn): JSON for queues, functions and HTTP endpoints, a short text for email.
 */
export function runCompletedNotification(detail: RunCompletedDetail) {
  const message: RunCompletedMessage = { type: RUN_EVENT_TYPES.completed, ...detail };
  const subject = `lambda-inventory ${detail.runId}: ${detail.functionCount} functions, ${oneDecimal(detail.coverage.percent)}% covered`;
  return {
    // `json`: Message holds one text per protocol, `default` for those not named
    MessageStructure: 'json',
    Message: JSON.stringify({ default: JSON.stringify(message), email: runCompletedText(detail) }),
    Subject: subject
      .replace(/[^\x20-\x7e]/g, '?')
      .slice(0, SUBJECT_MAX)
      .trimEnd(),
    MessageAttributes: {
      [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: RUN_EVENT_TYPES.completed },
    },
  };
}

/** The email text of a completion message. */
export function runCompletedText(detail: RunCompletedDetail): string {
  const { coverage, newlyDeprecated } = detail;
  const statuses = Object.entries(coverage.byStatus)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  const lines = [
    `Run ${detail.runId} finished at ${detail.finishedAt} (started ${detail.startedAt}).`,
    '',
    `Functions: ${detail.functionCount} (deprecated runtime: ${detail.deprecatedCount}, deprecating soon: ${detail.deprecatingSoonCount})`,
    `Coverage: ${oneDecimal(coverage.percent)}% of ${coverage.targets} targets (${statuses || 'no targets'}; skipped accounts: ${coverage.skippedAccounts})`,
  ];
  if (newlyDeprecated.previousRunId === null) {
    lines.push('Newly deprecated: nothing to compare with (no earlier run)');
  } else {
    lines.push(`Newly deprecated since ${newlyDeprecated.previousRunId}: ${newlyDeprecated.count}`);
    for (const fn of newlyDeprecated.functions)
      lines.push(
        `  ${fn.accountId}${fn.accountName ? ` (${fn.accountName})` : ''} ${fn.region} ${fn.functionName}: ${fn.runtime ?? 'no runtime'}, deprecated ${fn.deprecationDate ?? 'date unknown'}, updates blocked from ${fn.blockUpdateDate ?? 'date unknown'}`,
      );
    const unlisted = newlyDeprecated.count - newlyDeprecated.functions.length;
    if (unlisted > 0) lines.push(`  ... and ${unlisted} more (see the report's diff)`);
  }
  lines.push('', `Report: s3://${detail.report.bucket}/${detail.report.keys.prefix}`);
  return `${lines.join('\n')}\n`;
}

// Metrics (CloudWatch embedded metric format, through Powertools Metrics in reduce)

/**
 * Namespace, names and dimensions of the metrics reduce emits once per run. Powertools adds the
 * `service` dimension (POWERTOOLS_SERVICE_NAME, `lambda-inventory-reduce`) to every metric, so each
 * metric is `{service}` or `{service, Status}`, and the alarms name exactly those dimensions.
 */
export const METRICS = {
  /** Reduce receives it as POWERTOOLS_METRICS_NAMESPACE (ENV.metricsNamespace). */
  namespace: 'LambdaInventory',
  /** The dimension Powertools Metrics adds to every metric, and its value for reduce. */
  serviceDimension: 'service',
  service: 'lambda-inventory-reduce',
  /** The dimension of `targets`: one metric per coverage status. */
  statusDimension: 'Status',
  names: {
    functions: 'Functions',
    deprecated: 'DeprecatedFunctions',
    deprecatingSoon: 'DeprecatingSoonFunctions',
    coveragePercent: 'CoveragePercent',
    targets: 'Targets',
  },
} as const;

/** A metric value as Powertools Metrics takes it (`MetricUnit.Count` is `'Count'`, `Percent` `'Percent'`). */
export interface RunMetric {
  name: (typeof METRICS.names)[keyof typeof METRICS.names];
  unit: 'Count' | 'Percent';
  value: number;
  /** Dimensions besides `service`: none, or the coverage status. */
  dimensions: Record<string, string>;
}

/**
 * The metrics of one completed run. Every coverage status gets a `Targets` value, zero included, so a
 * status that clears shows as 0 rather than as a gap in the graph.
 */
export function runMetrics(detail: RunCompletedDetail): RunMetric[] {
  const { names } = METRICS;
  return [
    { name: names.functions, unit: 'Count', value: detail.functionCount, dimensions: {} },
    { name: names.deprecated, unit: 'Count', value: detail.deprecatedCount, dimensions: {} },
    { name: names.deprecatingSoon, unit: 'Count', value: detail.deprecatingSoonCount, dimensions: {} },
    { name: names.coveragePercent, unit: 'Percent', value: detail.coverage.percent, dimensions: {} },
    ...CoverageStatus.options.map(
      (status): RunMetric => ({
        name: names.targets,
        unit: 'Count',
        value: detail.coverage.byStatus[status] ?? 0,
        dimensions: { [METRICS.statusDimension]: status },
      }),
    ),
  ];
}

// Coverage

/** A region the account has not enabled cannot hold functions: it counts as covered, not as a gap. */
export const COVERED_STATUSES: readonly CoverageStatus[] = ['ok', 'region-not-enabled'];

/**
 * The share of targets covered, 0-100: what the CLI's `--min-coverage` and the deployed coverage alarm
 * (`alarms.minCoveragePercent`) both compare with. A run with no targets covers nothing.
 */
export function coveragePercent(coverage: Pick<Summary['coverage'], 'targets' | 'byStatus'>): number {
  if (coverage.targets === 0) return 0;
  const covered = COVERED_STATUSES.reduce((sum, status) => sum + (coverage.byStatus[status] ?? 0), 0);
  return (covered / coverage.targets) * 100;
}
