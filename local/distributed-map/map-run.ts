/**
 * A Map Run, the way the Step Functions documentation describes it for the features the workflow
 * uses: the ItemReader's JSON array read from the object store; ItemBatcher batches of
 * MaxItemsPerBatch items as `{ Items, BatchInput }`; one child execution per batch, at most
 * MaxConcurrency at once; ToleratedFailurePercentage counted in items (a failed batch fails all its
 * items; the Map Run fails when the failed share exceeds it); the ResultWriter's files, written also
 * when the Map Run fails; and the state output `{ MapRunArn, ResultWriterDetails }`.
 */
import { randomUUID } from 'node:crypto';
import { causeMessage } from '../../functions/shared/lambda-error.ts';
import { getJson, type ObjectStore } from '../../functions/shared/object-store.ts';
import { formatIssues } from '../../shared/contracts.ts';
import { StatesError } from '../errors.ts';
import type { ChildExecution, LocalIdentity, TaskHandler } from '../types.ts';
import type { ChildRunners } from './child-executions.ts';
import { type DistributedMapState, MapRequest } from './map-state.ts';
import { writeResults } from './result-writer.ts';

export interface MapRunDeps {
  storeFor(bucket: string): ObjectStore;
  identity: LocalIdentity;
  /** How to run the children, given how many there are: in this thread, or on worker threads. */
  children(batchCount: number): ChildRunners;
  onChildSettled?(child: ChildExecution): void;
  /** Stops the Map Run: no child starts after it is aborted. */
  signal?: AbortSignal;
}

/** The handler of the Task state that stands in for `map`: takes the resolved MapRequest, runs the Map Run. */
export function mapRunHandler(map: DistributedMapState, deps: MapRunDeps): TaskHandler {
  return async (rawRequest) => {
    const parsed = MapRequest.safeParse(rawRequest);
    if (!parsed.success) {
      throw new StatesError('States.Runtime', `state "${map.name}": ${formatIssues(parsed.error)}`);
    }
    const { reader, maxItemsPerBatch, batchInput, writer } = parsed.data;
    const { partition, region, accountId, stateMachineName } = deps.identity;
    const id = randomUUID();
    const mapRun = {
      id,
      arn: `arn:${partition}:states:${region}:${accountId}:mapRun:${stateMachineName}/${map.name}:${id}`,
    };

    const items = await readItems(deps.storeFor(reader.Bucket), reader);
    const batches = batchItems(items, maxItemsPerBatch, batchInput);
    const outcome = await runChildren(map, batches, items.length, mapRun, deps);
    const manifestKey = await writeResults(
      { store: deps.storeFor(writer.Bucket), bucket: writer.Bucket, prefix: writer.Prefix },
      mapRun,
      outcome.children,
    );
    if (outcome.exceeded) {
      throw new StatesError(
        'States.ExceedToleratedFailureThreshold',
        describeFailure(outcome, items.length, map.toleratedFailurePercentage, manifestKey),
      );
    }
    return { MapRunArn: mapRun.arn, ResultWriterDetails: { Bucket: writer.Bucket, Key: manifestKey } };
  };
}

async function readItems(store: ObjectStore, { Bucket, Key }: MapRequest['reader']): Promise<unknown[]> {
  let items: unknown;
  try {
    items = await getJson(store, Key);
  } catch (error) {
    throw new StatesError(
      'States.ItemReaderFailed',
      `cannot read items from ${Bucket}/${Key}: ${(error as Error).message}`,
    );
  }
  if (!Array.isArray(items)) {
    throw new StatesError('States.ItemReaderFailed', `${Bucket}/${Key} does not hold a JSON array`);
  }
  return items;
}

/** A child's input and how many of the Map's items it holds. */
export interface Batch {
  input: { Items: unknown[]; BatchInput?: unknown };
  itemCount: number;
}

/** Consecutive items, `size` per batch (the last one may hold fewer), each with BatchInput when there is one. */
export function batchItems(items: unknown[], size: number, batchInput: unknown): Batch[] {
  const batches: Batch[] = [];
  for (let start = 0; start < items.length; start += size) {
    const batch = items.slice(start, start + size);
    batches.push({
      input: batchInput === undefined ? { Items: batch } : { Items: batch, BatchInput: batchInput },
      itemCount: batch.length,
    });
  }
  return batches;
}

interface MapRunOutcome {
  /** In item order. */
  children: ChildExecution[];
  failedItems: number;
  exceeded: boolean;
}

/**
 * MaxConcurrency runners take the batches in order. Once the failed items exceed the tolerance none
 * starts another child; the running ones finish, so nothing outlives the Map Run.
 */
async function runChildren(
  map: DistributedMapState,
  batches: Batch[],
  totalItems: number,
  mapRun: { id: string; arn: string },
  deps: MapRunDeps,
): Promise<MapRunOutcome> {
  const outcome: MapRunOutcome = { children: [], failedItems: 0, exceeded: false };
  const { partition, region, accountId, stateMachineName } = deps.identity;
  // no batch, no runner to start (worker threads)
  const childRunners: ChildRunners = batches.length === 0 ? { run: noChild } : deps.children(batches.length);
  let next = 0;
  let crash: { error: unknown } | undefined;
  const runner = async () => {
    while (!outcome.exceeded && !crash && !deps.signal?.aborted && next < batches.length) {
      const index = next++;
      const batch = batches[index] as Batch;
      const name = randomUUID();
      const executionArn = `arn:${partition}:states:${region}:${accountId}:express:${stateMachineName}/${map.name}:${mapRun.id}:${name}`;
      const startDate = new Date().toISOString();
      try {
        const result = await childRunners.run(batch.input, { Id: executionArn, Name: name });
        const child: ChildExecution = {
          ...result,
          index,
          name,
          executionArn,
          input: batch.input,
          itemCount: batch.itemCount,
          startDate,
          stopDate: new Date().toISOString(),
        };
        outcome.children.push(child);
        deps.onChildSettled?.(child);
        if (child.status === 'SUCCEEDED') continue;
        outcome.failedItems += child.itemCount;
        outcome.exceeded = exceedsTolerance(outcome.failedItems, totalItems, map.toleratedFailurePercentage);
      } catch (error) {
        // not a child's failure but the runner's own: the other runners stop, then it is rethrown
        crash ??= { error };
      }
    }
  };
  // closing the children's runner (worker threads) also stops the ones running when the Map Run is aborted
  const closeOnAbort = () => void childRunners.close?.();
  deps.signal?.addEventListener('abort', closeOnAbort, { once: true });
  try {
    await Promise.all(Array.from({ length: Math.min(map.maxConcurrency, batches.length) }, runner));
  } finally {
    deps.signal?.removeEventListener('abort', closeOnAbort);
    await childRunners.close?.();
  }
  deps.signal?.throwIfAborted();
  if (crash) throw crash.error;
  outcome.children.sort((a, b) => a.index - b.index);
  return outcome;
}

async function noChild(): Promise<never> {
  throw new Error('a Map Run without batches runs no child execution');
}

/** Failed items divided by all items, against the tolerated percentage: "exceeds", so equal passes. */
export function exceedsTolerance(
  failedItems: number,
  totalItems: number,
  toleratedPercentage: number,
): boolean {
  return failedItems * 100 > toleratedPercentage * totalItems;
}

function describeFailure(
  { children, failedItems }: MapRunOutcome,
  totalItems: number,
  toleratedPercentage: number,
  manifestKey: string,
): string {
  const failed = children.filter((child) => child.status === 'FAILED');
  let failures = `${failed.length} of ${children.length} child executions failed`;
  const first = failed[0];
  if (first) {
    // a Lambda error's Cause is its JSON envelope: the message is what a reader needs here
    const message = causeMessage(first.cause);
    failures += `, the first with ${first.error}${message ? `: ${message}` : ''}`;
  }
  const percent = (failedItems * 100) / totalItems;
  return [
    `${failedItems} of ${totalItems} items failed (${formatNumber(percent)}%), above the tolerated ${formatNumber(toleratedPercentage)}%`,
    failures,
    `results: ${manifestKey}`,
  ].join('; ');
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
