/**
 * Reduce Lambda: parses the event, adds the run id to the logs, and hands over to `reduceRun`.
 * The local engine calls `createReduceHandler` with its own store and logger.
 */
import { availableParallelism } from 'node:os';
import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { parseOrThrow, ReduceInput, type ReduceOutput } from '../../shared/contracts.ts';
import { DEFAULTS, ENV, intEnv } from '../../shared/env.ts';
import { METRICS } from '../../shared/signals.ts';
import { eventBridgeClient, s3Client, snsClient } from '../shared/clients.ts';
import { lambdaEntryPoint } from '../shared/lambda-entry.ts';
import { createLogger } from '../shared/logger.ts';
import { type ObjectStore, S3ObjectStore } from '../shared/object-store.ts';
import { reduceRun } from './reduce-run.ts';
import { AwsRunPublisher, type RunPublisher } from './run-signals.ts';

export interface ReduceDeps {
  storeFor(bucket: string): ObjectStore;
  /** Partials read at once. */
  concurrency: number;
  /**
   * Write inventory.json and inventory.csv gzip-compressed, as `.gz` objects: the config's
   * `reports.compress`, which deployments pass in ENV.reportCompression.
   * @default false (plain files, as before the setting existed)
   */
  compress?: boolean;
  /**
   * Worker threads that digest partials beside the main thread (reduce-run.ts: only for runs with
   * enough partials); 0 keeps everything on the main thread.
   * @default the number of cores when there are several, else 0
   */
  digestThreads?: number;
  logger?: Logger;
  /**
   * Sends the completion event, message and metrics (run-signals.ts).
   * @default none: nothing is sent, as in local runs
   */
  publisher?: RunPublisher;
}

/** One thread per core: with a single core, threads would only add their start-up to the same work. */
export function defaultDigestThreads(cores: number = availableParallelism()): number {
  return cores > 1 ? cores : 0;
}

export function createReduceHandler(deps: ReduceDeps): (event: unknown) => Promise<ReduceOutput> {
  const logger = deps.logger ?? createLogger('reduce');
  return async (event) => {
    const input = parseOrThrow(ReduceInput, event, 'reduce input');
    const runLogger = logger.createChild({ persistentKeys: { runId: input.plan.runId } });
    return reduceRun(
      {
        storeFor: deps.storeFor,
        concurrency: deps.concurrency,
        compress: deps.compress ?? false,
        digestThreads: deps.digestThreads ?? defaultDigestThreads(),
        logger: runLogger,
        publisher: deps.publisher,
      },
      input,
    );
  };
}

/**
 * The deployed function's deps: S3 through the project's client, concurrency and compression from
 * the environment.
 */
export function reduceDepsFromEnv(env: NodeJS.ProcessEnv = process.env): ReduceDeps {
  const s3 = s3Client();
  return {
    storeFor: (bucket) => new S3ObjectStore(s3, bucket),
    concurrency: intEnv(ENV.reduceConcurrency, DEFAULTS.reduceConcurrency, env),
    compress: compressionFromEnv(env),
    logger: createLogger('reduce'),
    publisher: publisherFromEnv(env),
  };
}

/**
 * The signals the environment names: the bus (ENV.eventBusName), the topic (ENV.runEventsTopicArn)
 * and, with either, the metrics. No publisher when neither is set: nothing is deployed to receive them.
 */
export function publisherFromEnv(env: NodeJS.ProcessEnv = process.env): RunPublisher | undefined {
  const eventBusName = env[ENV.eventBusName] || undefined;
  const topicArn = env[ENV.runEventsTopicArn] || undefined;
  if (!eventBusName && !topicArn) return undefined;
  return new AwsRunPublisher({
    eventBridge: eventBusName ? { client: eventBridgeClient(), eventBusName } : undefined,
    sns: topicArn ? { client: snsClient(), topicArn } : undefined,
    metrics: new Metrics({
      namespace: env[ENV.metricsNamespace] || METRICS.namespace,
      serviceName: METRICS.service,
    }),
  });
}

/**
 * ENV.reportCompression: `true` or `false`, as infra writes it from the config. Unset means plain
 * files, as before the setting existed; anything else is refused rather than guessed.
 */
export function compressionFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[ENV.reportCompression];
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new Error(`environment variable ${ENV.reportCompression} must be "true" or "false", got "${raw}"`);
}

/** Lambda entry point. */
export const handler = lambdaEntryPoint(reduceDepsFromEnv, createReduceHandler);
