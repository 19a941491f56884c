/**
 * The completed run's signals (run-signals.ts, and the handler's publisherFromEnv): the PutEvents
 * entry and the SNS message as aws-sdk-client-mock receives them, checked against the contracts of
 * shared/signals.ts; the EMF documents Powertools writes to stdout; a failed signal that leaves the
 * run alone; no publisher without a bus or topic.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InventoryDiff, RuntimeStatusChange } from '../../functions/reduce/diff.ts';
import { publisherFromEnv } from '../../functions/reduce/handler.ts';
import { reportKeysFor } from '../../functions/reduce/report-builder.ts';
import { AwsRunPublisher, runCompletedDetail } from '../../functions/reduce/run-signals.ts';
import type { Summary } from '../../shared/contracts.ts';
import { ENV } from '../../shared/env.ts';
import {
  METRICS,
  NEWLY_DEPRECATED_LISTED,
  RUN_COMPLETED_EVENT,
  RunCompletedDetail,
  RunCompletedMessage,
} from '../../shared/signals.ts';
import { silentLogger } from './reduce-fixtures.ts';

const summary: Summary = {
  runId: 'run-2',
  startedAt: '2026-11-02T03:00:00.000Z',
  finishedAt: '2026-11-02T03:05:00.000Z',
  functionCount: 40,
  byRuntime: { 'nodejs16.x': 30, 'nodejs24.x': 10 },
  byAccount: { '111111111111': 40 },
  byRegion: { 'eu-west-1': 40 },
  byRuntimeStatus: { deprecated: 30, supported: 10 },
  coverage: { targets: 4, scanned: 3, byStatus: { ok: 3, 'access-denied': 1 }, skippedAccounts: 0 },
  deprecated: [],
};
const keys = reportKeysFor('run-2', summary.startedAt, true);

const atRisk = (index: number, runtimeStatus: 'deprecated' | 'deprecating-soon'): RuntimeStatusChange => ({
  accountId: '111111111111',
  accountName: 'prod',
  region: 'eu-west-1',
  functionName: `fn-${String(index).padStart(2, '0')}`,
  runtime: 'nodejs16.x',
  runtimeStatus,
  previousRuntime: 'nodejs24.x',
  previousStatus: 'supported',
  deprecationDate: '2024-06-12',
  blockUpdateDate: '2027-03-03',
});

/** A diff with `deprecated` newly deprecated functions, a deprecating-soon one listed first. */
function diffWith(deprecated: number): InventoryDiff {
  const newlyAtRisk = [atRisk(0, 'deprecating-soon')];
  for (let i = 1; i <= deprecated; i += 1) newlyAtRisk.push(atRisk(i, 'deprecated'));
  return {
    schemaVersion: 1,
    previous: { runId: 'run-1', startedAt: '2026-11-01T03:00:00.000Z' },
    current: { runId: 'run-2', startedAt: summary.startedAt },
    counts: {
      added: 0,
      removed: 0,
      changed: deprecated,
      unchanged: 0,
      newlyDeprecated: deprecated,
      newlyDeprecatingSoon: 1,
      notCompared: { previousOnly: 0, currentOnly: 0 },
      stoppedScanning: 0,
      startedScanning: 0,
    },
    limit: 1000,
    truncated: false,
    added: [],
    removed: [],
    changed: [],
    newlyAtRisk,
    coverage: { stoppedScanning: [], startedScanning: [] },
  };
}

describe('runCompletedDetail', () => {
  it('lists the first newly deprecated functions only, and counts them all', () => {
    // Act
    const detail = runCompletedDetail({ summary, bucket: 'reports-bucket', keys, diff: diffWith(30) });

    // Assess
    expect(detail.newlyDeprecated.previousRunId).toBe('run-1');
    expect(detail.newlyDeprecated.count).toBe(30);
    expect(detail.newlyDeprecated.functions).toHaveLength(NEWLY_DEPRECATED_LISTED);
    // the deprecating-soon function is not deprecated
    expect(detail.newlyDeprecated.functions[0]?.functionName).toBe('fn-01');
    expect(detail.deprecatedCount).toBe(30);
    expect(detail.deprecatingSoonCount).toBe(0);
    expect(detail.coverage.percent).toBe(75);
  });

  it('names no previous run for a first run', () => {
    // Act
    const detail = runCompletedDetail({ summary, bucket: 'reports-bucket', keys, diff: null });

    // Assess
    expect(detail.newlyDeprecated).toEqual({ previousRunId: null, count: 0, functions: [] });
    expect(detail.report).toEqual({ bucket: 'reports-bucket', keys });
  });
});

describe('AwsRunPublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const sns = mockClient(SNSClient);
  const detail = runCompletedDetail({ summary, bucket: 'reports-bucket', keys, diff: diffWith(2) });
  const topicArn = 'arn:aws:sns:eu-west-1:123456789012:run-events';
  let stdout: string[];

  beforeEach(() => {
    eventBridge.reset();
    sns.reset();
    stdout = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const publisher = (withMetrics = true) =>
    new AwsRunPublisher({
      eventBridge: { client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'inventory-bus' },
      sns: { client: new SNSClient({ region: 'eu-west-1' }), topicArn },
      metrics: withMetrics
        ? new Metrics({ namespace: METRICS.namespace, serviceName: METRICS.service })
        : undefined,
    });
  const emf = () =>
    stdout
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('puts the completion event on the bus, its detail valid against RunCompletedDetail', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    // Act
    await publisher().publish(detail, silentLogger());

    // Assess
    const [call] = eventBridge.commandCalls(PutEventsCommand);
    const entries = call?.args[0].input.Entries ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      Source: RUN_COMPLETED_EVENT.source,
      DetailType: RUN_COMPLETED_EVENT.detailType,
      EventBusName: 'inventory-bus',
    });
    expect(RunCompletedDetail.parse(JSON.parse(entries[0]?.Detail ?? ''))).toEqual(detail);
  });

  it('publishes the completion message to the topic: JSON for subscribers, text for email', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    // Act
    await publisher().publish(detail, silentLogger());

    // Assess
    const [call] = sns.commandCalls(PublishCommand);
    const input = call?.args[0].input;
    expect(input?.TopicArn).toBe(topicArn);
    expect(input?.MessageStructure).toBe('json');
    const message = JSON.parse(input?.Message ?? '') as { default: string; email: string };
    expect(RunCompletedMessage.parse(JSON.parse(message.default))).toEqual({
      type: 'run-completed',
      ...detail,
    });
    expect(message.email).toContain('Newly deprecated since run-1: 2');
    expect(input?.MessageAttributes?.eventType?.StringValue).toBe('run-completed');
  });

  it('emits the run metrics as EMF in the metrics namespace, one Targets value per coverage status', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    sns.on(PublishCommand).resolves({});

    // Act
    await publisher().publish(detail, silentLogger());

    // Assess
    const documents = emf();
    const plain = documents.find((doc) => 'Functions' in doc);
    expect(plain).toMatchObject({
      service: METRICS.service,
      Functions: 40,
      DeprecatedFunctions: 30,
      DeprecatingSoonFunctions: 0,
      CoveragePercent: 75,
    });
    const aws = plain?._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
    expect(aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS.namespace);
    expect(aws.CloudWatchMetrics[0]?.Dimensions).toEqual([[METRICS.serviceDimension]]);
    const targets = Object.fromEntries(
      documents.filter((doc) => 'Targets' in doc).map((doc) => [doc[METRICS.statusDimension], doc.Targets]),
    );
    expect(targets).toMatchObject({ ok: 3, 'access-denied': 1, throttled: 0, 'not-scanned': 0 });
  });

  it('still publishes the message and the metrics when the bus refuses the event, and logs the refusal', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not allowed' }],
    });
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const logger = silentLogger();
    const error = vi.spyOn(logger, 'error');

    // Act
    await publisher().publish(detail, logger);

    // Assess
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(emf().length).toBeGreaterThan(0);
    expect(error).toHaveBeenCalledWith('run signal not sent; the report is written', {
      signal: 'event',
      error: 'PutEvents refused the event: AccessDeniedException not allowed',
    });
  });

  it('resolves when the topic cannot be reached, and logs which signal failed', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    sns.on(PublishCommand).rejects(new Error('KMS key disabled'));
    const logger = silentLogger();
    const error = vi.spyOn(logger, 'error');

    // Act
    await publisher(false).publish(detail, logger);

    // Assess
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(error).toHaveBeenCalledWith('run signal not sent; the report is written', {
      signal: 'notification',
      error: 'KMS key disabled',
    });
  });
});

describe('publisherFromEnv', () => {
  it('gives no publisher when neither bus nor topic is named, as in a local run', () => {
    expect(publisherFromEnv({})).toBeUndefined();
    expect(publisherFromEnv({ [ENV.eventBusName]: '', [ENV.runEventsTopicArn]: '' })).toBeUndefined();
  });

  it('gives a publisher when the bus or the topic is named', () => {
    expect(publisherFromEnv({ [ENV.eventBusName]: 'inventory-bus' })).toBeInstanceOf(AwsRunPublisher);
    expect(
      publisherFromEnv({ [ENV.runEventsTopicArn]: 'arn:aws:sns:eu-west-1:123456789012:t' }),
    ).toBeInstanceOf(AwsRunPublisher);
  });
});
