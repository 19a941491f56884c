/**
 * What a deployed reduce tells the world once the report is written: the completion event on the
 * event bus, the same message on the run events topic, and the run's EMF metrics. The report is the
 * product: a signal that cannot be sent is logged, and the run still succeeds.
 *
 * A local run has no bus, topic or metrics namespace: the handler then gives reduce no publisher and
 * nothing is sent.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { parseOrThrow, type ReportKeys, type Summary } from '../../shared/contracts.ts';
import {
  coveragePercent,
  NEWLY_DEPRECATED_LISTED,
  RunCompletedDetail,
  runCompletedEntry,
  runCompletedNotification,
  runMetrics,
} from '../../shared/signals.ts';
import type { InventoryDiff } from './diff.ts';

export interface CompletedRun {
  summary: Summary;
  bucket: string;
  keys: ReportKeys;
  /** The diff with the previous run, or null when there was none to compare with. */
  diff: InventoryDiff | null;
}

/** The completion event's detail, checked against its contract. */
export function runCompletedDetail({ summary, bucket, keys, diff }: CompletedRun): RunCompletedDetail {
  const newlyDeprecated = diff
    ? diff.newlyAtRisk
        .filter((fn) => fn.runtimeStatus === 'deprecated')
        .slice(0, NEWLY_DEPRECATED_LISTED)
        .map((fn) => ({
          accountId: fn.accountId,
          accountName: fn.accountName,
          region: fn.region,
          functionName: fn.functionName,
          runtime: fn.runtime,
          deprecationDate: fn.deprecationDate,
          blockUpdateDate: fn.blockUpdateDate,
        }))
    : [];
  return parseOrThrow(
    RunCompletedDetail,
    {
      schemaVersion: 1,
      runId: summary.runId,
      startedAt: summary.startedAt,
      finishedAt: summary.finishedAt,
      functionCount: summary.functionCount,
      deprecatedCount: summary.byRuntimeStatus.deprecated ?? 0,
      deprecatingSoonCount: summary.byRuntimeStatus['deprecating-soon'] ?? 0,
      coverage: { ...summary.coverage, percent: coveragePercent(summary.coverage) },
      newlyDeprecated: {
        previousRunId: diff?.previous.runId ?? null,
        count: diff?.counts.newlyDeprecated ?? 0,
        functions: newlyDeprecated,
      },
      report: { bucket, keys },
    },
    'run completed event',
  );
}

/** Sends a completed run's signals; never throws (see the module comment). */
export interface RunPublisher {
  publish(detail: RunCompletedDetail, logger: Logger): Promise<void>;
}

export interface RunSignalTargets {
  /** The bus and its client: no event without them. */
  eventBridge?: { client: EventBridgeClient; eventBusName: string };
  /** The run events topic and its client: no message without them. */
  sns?: { client: SNSClient; topicArn: string };
  /** Powertools Metrics with the namespace and service set: no metrics without it. */
  metrics?: Metrics;
}

export class AwsRunPublisher implements RunPublisher {
  constructor(private readonly targets: RunSignalTargets) {}

  async publish(detail: RunCompletedDetail, logger: Logger): Promise<void> {
    const { eventBridge, sns, metrics } = this.targets;
    const sends: { signal: string; send: () => Promise<void> }[] = [];
    if (eventBridge) sends.push({ signal: 'event', send: () => putEvent(eventBridge, detail) });
    if (sns) sends.push({ signal: 'notification', send: () => publishMessage(sns, detail) });
    if (metrics) sends.push({ signal: 'metrics', send: async () => emitMetrics(metrics, detail) });
    const results = await Promise.allSettled(sends.map(({ send }) => send()));
    results.forEach((result, index) => {
      const { signal } = sends[index] as (typeof sends)[number];
      if (result.status === 'fulfilled') logger.info('run signal sent', { signal });
      else
        logger.error('run signal not sent; the report is written', {
          signal,
          error: (result.reason as Error).message,
        });
    });
  }
}

async function putEvent(
  target: NonNullable<RunSignalTargets['eventBridge']>,
  detail: RunCompletedDetail,
): Promise<void> {
  const output = await target.client.send(
    new PutEventsCommand({ Entries: [runCompletedEntry(detail, target.eventBusName)] }),
  );
  // PutEvents answers 200 with the entry refused inside, rather than throwing
  if ((output.FailedEntryCount ?? 0) > 0) {
    const entry = output.Entries?.[0];
    throw new Error(
      `PutEvents refused the event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`,
    );
  }
}

async function publishMessage(
  target: NonNullable<RunSignalTargets['sns']>,
  detail: RunCompletedDetail,
): Promise<void> {
  await target.client.send(
    new PublishCommand({ TopicArn: target.topicArn, ...runCompletedNotification(detail) }),
  );
}

/** One EMF document for the run's plain metrics, one per coverage status (each its own dimension value). */
function emitMetrics(metrics: Metrics, detail: RunCompletedDetail): void {
  for (const metric of runMetrics(detail)) {
    if (Object.keys(metric.dimensions).length === 0) {
      metrics.addMetric(metric.name, metric.unit, metric.value);
      continue;
    }
    const single = metrics.singleMetric();
    single.addDimensions(metric.dimensions);
    single.addMetric(metric.name, metric.unit, metric.value);
  }
  metrics.publishStoredMetrics();
}
