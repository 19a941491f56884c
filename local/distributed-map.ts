/**
 * Distributed Map for the local engine: aws-local-stepfunctions runs every Map as an inline Map and
 * ignores ItemReader, ItemBatcher, ResultWriter and the tolerated failure thresholds. Before the
 * definition reaches the library, each DISTRIBUTED Map state becomes a Task state of the same name
 * (same InputPath, ResultSelector, ResultPath, OutputPath, Next/End, Retry and Catch) whose local
 * handler runs the Map Run the way the Step Functions documentation describes it:
 * - ItemReader (S3 getObject of a JSON array, optional MaxItems) read from the object store;
 * - ItemSelector per item, with `$$.Map.Item.Index` / `$$.Map.Item.Value`;
 * - ItemBatcher: MaxItemsPerBatch, MaxInputBytesPerBatch, BatchInput -> `{ Items, BatchInput }`;
 * - one child execution of the ItemProcessor per batch (its own Retry/Catch apply), at most
 *   MaxConcurrency at once (0 or absent: no limit);
 * - ToleratedFailurePercentage / ToleratedFailureCount, counted in items (a failed batch fails all
 *   its items); above them no new child starts and the state fails with
 *   `States.ExceedToleratedFailureThreshold`;
 * - ResultWriter: `manifest.json` and `SUCCEEDED_0.json` / `FAILED_0.json` under
 *   `<Prefix>/<mapRunId>/` (also when the Map Run fails, so the children's errors can be read), and
 *   the state output `{ MapRunArn, ResultWriterDetails }`; without one, the children's outputs.
 * Anything else a Distributed Map can do is refused up front rather than silently ignored.
 */
import './polyfills.ts';
import { randomUUID } from 'node:crypto';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { z } from 'zod';
import { causeMessage } from '../functions/reduce/map-failures.ts';
import { getJson, type ObjectStore } from '../functions/shared/object-store.ts';
import { formatIssues } from '../shared/contracts.ts';
import {
  type AslDefinition,
  type AslState,
  asLibraryDefinition,
  copyDefinition,
  forEachState,
  isDistributedMap,
} from './asl.ts';

/** The Resource of the Task state that stands in for a Distributed Map (never leaves this process). */
export const LOCAL_MAP_RESOURCE = 'arn:aws:states:::local:distributed-map';

/** Node timers overflow above 2^31 - 1 ms: the longest a local Task may be given to run, in seconds. */
export const MAX_LOCAL_TIMEOUT_SECONDS = 2_147_483;

/** Step Functions caps a child execution's input at 256 KiB, and MaxInputBytesPerBatch with it. */
const MAX_BATCH_BYTES = 262_144;

export type TaskHandler = (input: unknown) => Promise<unknown>;

/** An error carrying a Step Functions error name, so the definition's Retry and Catch can match it. */
export class StatesError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The definition uses something the local engine does not implement. */
export class UnsupportedDefinitionError extends Error {
  override name = 'UnsupportedDefinitionError';
}

export type ChildStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One child execution of a Map Run, as the adapter saw it. */
export interface ChildExecution {
  index: number;
  name: string;
  executionArn: string;
  input: unknown;
  /** Items of the Map's dataset this execution processed (the batch size, or 1 without ItemBatcher). */
  itemCount: number;
  status: ChildStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: string;
  stopDate: string;
}

/** One entry of a ResultWriter result file (`SUCCEEDED_0.json`, `FAILED_0.json`). */
export interface ResultEntry {
  ExecutionArn: string;
  Input: string;
  InputDetails: { Included: true };
  Name: string;
  Output?: string;
  Error?: string;
  Cause?: string;
  Status: ChildStatus;
  StartDate: string;
  StopDate: string;
}

export interface ResultFile {
  Key: string;
  Size: number;
}

export interface ResultManifest {
  DestinationBucket: string;
  MapRunArn: string;
  ResultFiles: { FAILED: ResultFile[]; PENDING: ResultFile[]; SUCCEEDED: ResultFile[] };
}

/** Where the local state machine pretends to live: only used to build ARNs. */
export interface LocalIdentity {
  partition: string;
  region: string;
  accountId: string;
  stateMachineName: string;
}

export interface DistributedMapOptions {
  storeFor(bucket: string): ObjectStore;
  identity: LocalIdentity;
  /** Run options of every child execution: its Task handlers (by state name) and retry overrides. */
  childRunOptions: Pick<RunOptions, 'overrides'>;
  /** Context Object fields every child execution sees besides its own `Execution`. */
  childContext?: Record<string, unknown>;
  onChildSettled?(child: ChildExecution): void;
}

export interface AdaptedDefinition {
  definition: AslDefinition;
  /** The Map Run handlers of the Task states that replaced the Distributed Maps, by state name. */
  handlers: Record<string, TaskHandler>;
}

/** Replaces every top-level Distributed Map state by a Task state whose handler runs the Map Run. */
export function adaptDistributedMaps(
  definition: AslDefinition,
  options: DistributedMapOptions,
): AdaptedDefinition {
  const adapted = copyDefinition(definition);
  const handlers: Record<string, TaskHandler> = {};
  for (const [name, state] of Object.entries(adapted.States)) {
    if (!isDistributedMap(state)) continue;
    const map = new LocalDistributedMap(name, state, options);
    adapted.States[name] = map.task;
    handlers[name] = (request) => map.run(request);
  }
  forEachState(adapted, (name, state) => {
    if (isDistributedMap(state)) {
      throw new UnsupportedDefinitionError(
        `state "${name}": a Distributed Map nested in another state is not supported locally`,
      );
    }
  });
  return { definition: adapted, handlers };
}

/** Fields the stand-in Task keeps as they are: the library applies them around the Map Run handler. */
const PASSED_THROUGH_FIELDS = [
  'Comment',
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ResultSelector',
  'Next',
  'End',
  'Retry',
  'Catch',
];

/** Every field the adapter understands: the passed-through ones, and those it implements itself. */
const KNOWN_MAP_FIELDS = new Set([
  ...PASSED_THROUGH_FIELDS,
  'Type',
  'ItemProcessor',
  'ItemReader',
  'ItemSelector',
  'Parameters',
  'ItemsPath',
  'ItemBatcher',
  'MaxConcurrency',
  'MaxConcurrencyPath',
  'ToleratedFailurePercentage',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCount',
  'ToleratedFailureCountPath',
  'ResultWriter',
  'Label',
  'QueryLanguage',
]);

const ItemReaderSpec = z.strictObject({
  Resource: z.string().regex(/^arn:[\w-]+:states:::s3:getObject$/, 'only s3:getObject is supported locally'),
  ReaderConfig: z.strictObject({
    InputType: z.literal('JSON', 'only InputType JSON is supported locally'),
    MaxItems: z.number().optional(),
    MaxItemsPath: z.string().optional(),
  }),
  Parameters: z.record(z.string(), z.unknown()),
});

const ItemBatcherSpec = z
  .strictObject({
    MaxItemsPerBatch: z.number().optional(),
    MaxItemsPerBatchPath: z.string().optional(),
    MaxInputBytesPerBatch: z.number().optional(),
    MaxInputBytesPerBatchPath: z.string().optional(),
    BatchInput: z.record(z.string(), z.unknown()).optional(),
  })
  .refine(
    (batcher) => Object.keys(batcher).some((field) => field.startsWith('Max')),
    'needs MaxItemsPerBatch or MaxInputBytesPerBatch (or their Path)',
  );

const ResultWriterSpec = z.strictObject({
  Resource: z.string().regex(/^arn:[\w-]+:states:::s3:putObject$/, 'only s3:putObject is supported locally'),
  Parameters: z.record(z.string(), z.unknown()),
  WriterConfig: z
    .strictObject({
      Transformation: z.literal('NONE', 'only Transformation NONE is supported locally').optional(),
      OutputType: z.literal('JSON', 'only OutputType JSON is supported locally').optional(),
    })
    .optional(),
});

const ItemProcessorSpec = z.object({
  ProcessorConfig: z.object({
    Mode: z.literal('DISTRIBUTED'),
    ExecutionType: z.enum(['EXPRESS', 'STANDARD']),
  }),
  StartAt: z.string(),
  States: z.record(z.string(), z.unknown()),
});

/** What the stand-in Task's Parameters resolve to: every path of the Map state, resolved by the library. */
const MapRequest = z.object({
  input: z.unknown(),
  context: z.record(z.string(), z.unknown()),
  items: z.unknown().optional(),
  reader: z.object({ Bucket: z.string().min(1), Key: z.string().min(1) }).optional(),
  batchInput: z.unknown().optional(),
  writer: z.object({ Bucket: z.string().min(1), Prefix: z.string().optional() }).optional(),
  limits: z.object({
    maxConcurrency: z.number().int().min(0).optional(),
    toleratedFailurePercentage: z.number().min(0).max(100).optional(),
    toleratedFailureCount: z.number().int().min(0).optional(),
    maxItemsPerBatch: z.number().int().min(1).optional(),
    maxInputBytesPerBatch: z.number().int().min(1).max(MAX_BATCH_BYTES).optional(),
    maxItems: z.number().int().min(1).optional(),
  }),
});
type MapRequest = z.infer<typeof MapRequest>;

interface ChildInput {
  input: unknown;
  itemCount: number;
}

class LocalDistributedMap {
  readonly task: AslState;
  private readonly label: string;
  private readonly executionType: 'EXPRESS' | 'STANDARD';
  private readonly processor: StateMachine;
  private readonly selector: PayloadResolver | undefined;
  private readonly batching: boolean;

  constructor(
    private readonly name: string,
    state: AslState,
    private readonly options: DistributedMapOptions,
  ) {
    const unknown = Object.keys(state).filter((field) => !KNOWN_MAP_FIELDS.has(field));
    if (unknown.length > 0) this.unsupported(`field(s) ${unknown.join(', ')}`);
    if (state.QueryLanguage !== undefined && state.QueryLanguage !== 'JSONPath') {
      this.unsupported('QueryLanguage other than JSONPath');
    }
    const processor = this.parseField(ItemProcessorSpec, state.ItemProcessor, 'ItemProcessor');
    const reader = this.parseOptionalField(ItemReaderSpec, state.ItemReader, 'ItemReader');
    const batcher = this.parseOptionalField(ItemBatcherSpec, state.ItemBatcher, 'ItemBatcher');
    const writer = this.parseOptionalField(ResultWriterSpec, state.ResultWriter, 'ResultWriter');

    this.label = typeof state.Label === 'string' ? state.Label : name;
    this.executionType = processor.ProcessorConfig.ExecutionType;
    const { ProcessorConfig: _config, ...childDefinition } = processor;
    // the whole definition, child states included, was validated before it was adapted
    this.processor = new StateMachine(childDefinition as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    });
    const selector = state.ItemSelector ?? state.Parameters;
    this.selector = selector === undefined ? undefined : payloadResolver(selector);
    this.batching = batcher !== undefined;

    const parameters: Record<string, unknown> = {
      'input.$': '$',
      'context.$': '$$',
      limits: {
        ...limit('maxConcurrency', state.MaxConcurrency, state.MaxConcurrencyPath),
        ...limit(
          'toleratedFailurePercentage',
          state.ToleratedFailurePercentage,
          state.ToleratedFailurePercentagePath,
        ),
        ...limit('toleratedFailureCount', state.ToleratedFailureCount, state.ToleratedFailureCountPath),
        ...limit('maxItemsPerBatch', batcher?.MaxItemsPerBatch, batcher?.MaxItemsPerBatchPath),
        ...limit('maxInputBytesPerBatch', batcher?.MaxInputBytesPerBatch, batcher?.MaxInputBytesPerBatchPath),
        ...limit('maxItems', reader?.ReaderConfig.MaxItems, reader?.ReaderConfig.MaxItemsPath),
      },
    };
    if (reader) parameters.reader = reader.Parameters;
    else parameters['items.$'] = typeof state.ItemsPath === 'string' ? state.ItemsPath : '$';
    if (batcher?.BatchInput) parameters.batchInput = batcher.BatchInput;
    if (writer) parameters.writer = writer.Parameters;

    const task: AslState = {
      Type: 'Task',
      Resource: LOCAL_MAP_RESOURCE,
      Parameters: parameters,
      // the Map Run ends when its children do; the children's own Tasks carry the timeouts
      TimeoutSeconds: MAX_LOCAL_TIMEOUT_SECONDS,
    };
    for (const field of PASSED_THROUGH_FIELDS) if (field in state) task[field] = state[field];
    this.task = task;
  }

  async run(rawRequest: unknown): Promise<unknown> {
    const parsed = MapRequest.safeParse(rawRequest);
    if (!parsed.success) {
      throw new StatesError('States.Runtime', `state "${this.name}": ${formatIssues(parsed.error)}`);
    }
    const request = parsed.data;
    const { partition, region, accountId, stateMachineName } = this.options.identity;
    const mapRunId = randomUUID();
    const mapRunArn = `arn:${partition}:states:${region}:${accountId}:mapRun:${stateMachineName}/${this.label}:${mapRunId}`;

    const items = await this.select(await this.readItems(request), request);
    const tolerance = toleranceOf(request);
    const outcome = await this.runChildren(
      this.batch(items, request),
      request,
      tolerance,
      items.length,
      mapRunId,
    );
    const manifestKey = request.writer
      ? await this.writeResults(request.writer, mapRunId, mapRunArn, outcome.children)
      : undefined;
    if (outcome.exceeded) {
      throw new StatesError(
        'States.ExceedToleratedFailureThreshold',
        describeFailure(outcome, items.length, tolerance, manifestKey),
      );
    }
    if (request.writer && manifestKey) {
      return {
        MapRunArn: mapRunArn,
        ResultWriterDetails: { Bucket: request.writer.Bucket, Key: manifestKey },
      };
    }
    // without a ResultWriter: the outputs in item order, and the full record of a failed child
    return outcome.children.map((child) =>
      child.status === 'SUCCEEDED' ? child.output : resultEntry(child),
    );
  }

  /**
   * A pool of MaxConcurrency runners taking the inputs in order. Once the failed items exceed the
   * tolerance none starts another child; the running ones finish, so nothing outlives the Map Run.
   */
  private async runChildren(
    inputs: ChildInput[],
    request: MapRequest,
    tolerance: Tolerance,
    totalItems: number,
    mapRunId: string,
  ): Promise<MapRunOutcome> {
    const outcome: MapRunOutcome = { children: [], failedItems: 0, exceeded: false };
    let next = 0;
    const runner = async () => {
      while (!outcome.exceeded && next < inputs.length) {
        const index = next++;
        const child = await this.runChild(index, inputs[index] as ChildInput, mapRunId);
        outcome.children.push(child);
        this.options.onChildSettled?.(child);
        if (child.status === 'SUCCEEDED') continue;
        outcome.failedItems += child.itemCount;
        outcome.exceeded = exceedsTolerance(outcome.failedItems, totalItems, tolerance);
      }
    };
    const concurrency = request.limits.maxConcurrency || inputs.length;
    await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, runner));
    outcome.children.sort((a, b) => a.index - b.index);
    return outcome;
  }

  private async readItems(request: MapRequest): Promise<unknown[]> {
    if (!request.reader) {
      if (!Array.isArray(request.items)) {
        throw new StatesError('States.Runtime', `state "${this.name}": ItemsPath does not point to an array`);
      }
      return request.items;
    }
    const { Bucket, Key } = request.reader;
    let items: unknown;
    try {
      items = await getJson(this.options.storeFor(Bucket), Key);
    } catch (error) {
      throw new StatesError(
        'States.ItemReaderFailed',
        `cannot read items from ${Bucket}/${Key}: ${(error as Error).message}`,
      );
    }
    if (!Array.isArray(items)) {
      throw new StatesError('States.ItemReaderFailed', `${Bucket}/${Key} does not hold a JSON array`);
    }
    const { maxItems } = request.limits;
    return maxItems === undefined ? items : items.slice(0, maxItems);
  }

  private async select(items: unknown[], request: MapRequest): Promise<unknown[]> {
    const selector = this.selector;
    if (!selector) return items;
    return Promise.all(
      items.map((value, index) =>
        selector(request.input, { ...request.context, Map: { Item: { Index: index, Value: value } } }),
      ),
    );
  }

  /** Greedy batches: a batch closes when one more item would pass MaxItemsPerBatch or MaxInputBytesPerBatch. */
  private batch(items: unknown[], request: MapRequest): ChildInput[] {
    if (!this.batching) return items.map((item) => ({ input: item, itemCount: 1 }));
    const { maxItemsPerBatch = Number.POSITIVE_INFINITY, maxInputBytesPerBatch = Number.POSITIVE_INFINITY } =
      request.limits;
    const wrap = (batch: unknown[]) =>
      request.batchInput === undefined ? { Items: batch } : { Items: batch, BatchInput: request.batchInput };
    const emptyBytes = jsonBytes(wrap([]));
    const inputs: ChildInput[] = [];
    let current: unknown[] = [];
    let currentBytes = emptyBytes;
    const close = () => {
      if (current.length > 0) inputs.push({ input: wrap(current), itemCount: current.length });
      current = [];
      currentBytes = emptyBytes;
    };
    for (const [index, item] of items.entries()) {
      const itemBytes = jsonBytes(item);
      if (emptyBytes + itemBytes > maxInputBytesPerBatch) {
        throw new StatesError(
          'States.Runtime',
          `state "${this.name}": item ${index} alone (${itemBytes} bytes) exceeds MaxInputBytesPerBatch (${maxInputBytesPerBatch})`,
        );
      }
      // items are comma-separated in the batch's JSON; closing an empty batch does nothing
      const full = current.length >= maxItemsPerBatch || currentBytes + 1 + itemBytes > maxInputBytesPerBatch;
      if (full) close();
      currentBytes += (current.length > 0 ? 1 : 0) + itemBytes;
      current.push(item);
    }
    close();
    return inputs;
  }

  private async runChild(index: number, child: ChildInput, mapRunId: string): Promise<ChildExecution> {
    const { partition, region, accountId, stateMachineName } = this.options.identity;
    const name = randomUUID();
    const kind = this.executionType === 'EXPRESS' ? 'express' : 'execution';
    const executionArn = `arn:${partition}:states:${region}:${accountId}:${kind}:${stateMachineName}/${this.label}:${mapRunId}:${name}`;
    const startDate = new Date().toISOString();
    const execution = this.processor.run(child.input as Parameters<StateMachine['run']>[0], {
      ...this.options.childRunOptions,
      context: { ...this.options.childContext, Execution: { Id: executionArn, Name: name } },
    });
    const base = { index, name, executionArn, input: child.input, itemCount: child.itemCount, startDate };
    try {
      const output = await execution.result;
      return { ...base, status: 'SUCCEEDED', output, stopDate: new Date().toISOString() };
    } catch (error) {
      return { ...base, ...childFailure(error), stopDate: new Date().toISOString() };
    }
  }

  private async writeResults(
    writer: NonNullable<MapRequest['writer']>,
    mapRunId: string,
    mapRunArn: string,
    children: ChildExecution[],
  ): Promise<string> {
    const prefix = writer.Prefix ? `${writer.Prefix.replace(/\/+$/, '')}/${mapRunId}/` : `${mapRunId}/`;
    const manifest: ResultManifest = {
      DestinationBucket: writer.Bucket,
      MapRunArn: mapRunArn,
      ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [] },
    };
    const groups = {
      SUCCEEDED: children.filter((child) => child.status === 'SUCCEEDED'),
      FAILED: children.filter((child) => child.status !== 'SUCCEEDED'),
    };
    try {
      const store = this.options.storeFor(writer.Bucket);
      for (const [status, group] of Object.entries(groups) as [keyof typeof groups, ChildExecution[]][]) {
        if (group.length === 0) continue;
        const key = `${prefix}${status}_0.json`;
        const body = JSON.stringify(group.map(resultEntry));
        await store.put(key, body, 'application/json');
        manifest.ResultFiles[status].push({ Key: key, Size: Buffer.byteLength(body) });
      }
      const manifestKey = `${prefix}manifest.json`;
      await store.put(manifestKey, JSON.stringify(manifest), 'application/json');
      return manifestKey;
    } catch (error) {
      throw new StatesError(
        'States.ResultWriterFailed',
        `cannot write the Map Run results to ${writer.Bucket}/${prefix}: ${(error as Error).message}`,
      );
    }
  }

  private parseOptionalField<S extends z.ZodType>(
    schema: S,
    value: unknown,
    field: string,
  ): z.output<S> | undefined {
    return value === undefined ? undefined : this.parseField(schema, value, field);
  }

  private parseField<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) this.unsupported(`${field}: ${formatIssues(parsed.error)}`);
    return parsed.data as z.output<S>;
  }

  private unsupported(what: string): never {
    throw new UnsupportedDefinitionError(`Distributed Map "${this.name}": ${what}`);
  }
}

/** A static value stays as it is; a `...Path` becomes a `.$` field the library resolves against the state input. */
function limit(key: string, value: unknown, path: unknown): Record<string, unknown> {
  if (typeof path === 'string') return { [`${key}.$`]: path };
  return value === undefined ? {} : { [key]: value };
}

interface Tolerance {
  percentage?: number;
  count?: number;
}

/** With neither threshold set, the tolerated percentage is zero: any failure fails the Map Run. */
function toleranceOf(request: MapRequest): Tolerance {
  const { toleratedFailurePercentage: percentage, toleratedFailureCount: count } = request.limits;
  if (percentage === undefined && count === undefined) return { percentage: 0 };
  return { percentage, count };
}

/** Failed items divided by all items, against whichever thresholds are set ("exceeds", so equal passes). */
function exceedsTolerance(failedItems: number, totalItems: number, tolerance: Tolerance): boolean {
  if (tolerance.count !== undefined && failedItems > tolerance.count) return true;
  return tolerance.percentage !== undefined && failedItems * 100 > tolerance.percentage * totalItems;
}

interface MapRunOutcome {
  /** In item order. */
  children: ChildExecution[];
  failedItems: number;
  exceeded: boolean;
}

function describeFailure(
  { children, failedItems }: MapRunOutcome,
  totalItems: number,
  tolerance: Tolerance,
  manifestKey: string | undefined,
): string {
  const percent = (failedItems * 100) / totalItems;
  const tolerated =
    tolerance.count !== undefined && failedItems > tolerance.count
      ? `${tolerance.count} failed items`
      : `${formatNumber(tolerance.percentage ?? 0)}%`;
  const failed = children.filter((child) => child.status !== 'SUCCEEDED');
  let failures = `${failed.length} of ${children.length} child executions failed`;
  const first = failed[0];
  if (first) {
    // a Lambda error's Cause is its JSON envelope: the message is what a reader needs here
    const message = causeMessage(first.cause);
    failures += `, the first with ${first.error ?? first.status}${message ? `: ${message}` : ''}`;
  }
  const parts = [
    `${failedItems} of ${totalItems} items failed (${formatNumber(percent)}%), above the tolerated ${tolerated}`,
    failures,
  ];
  if (manifestKey) parts.push(`results: ${manifestKey}`);
  return parts.join('; ');
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function childFailure(error: unknown): Pick<ChildExecution, 'status' | 'error' | 'cause'> {
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'the child execution timed out' };
  }
  if (error instanceof ExecutionAbortedError) {
    return { status: 'ABORTED', error: 'States.Aborted', cause: 'the child execution was aborted' };
  }
  // an ExecutionError wraps the error the child failed with: that error's name is what Step Functions reports
  const failure = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
  return { status: 'FAILED', error: failure.name, cause: failure.message };
}

function resultEntry(child: ChildExecution): ResultEntry {
  return {
    ExecutionArn: child.executionArn,
    Input: JSON.stringify(child.input),
    InputDetails: { Included: true },
    Name: child.name,
    ...(child.status === 'SUCCEEDED' ? { Output: JSON.stringify(child.output) } : {}),
    ...(child.error === undefined ? {} : { Error: child.error }),
    ...(child.cause === undefined ? {} : { Cause: child.cause }),
    Status: child.status,
    StartDate: child.startDate,
    StopDate: child.stopDate,
  };
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

type PayloadResolver = (input: unknown, context: Record<string, unknown>) => Promise<unknown>;

/**
 * Resolves a payload template exactly as the library does (paths, `$$` context, intrinsic functions)
 * by running it as a one-state Pass machine. The library sets that run's own `$$.Execution.Input`
 * and `StartTime`; everything else in the context (`$$.Map.Item`, `$$.Execution.Name`) is ours.
 */
function payloadResolver(template: unknown): PayloadResolver {
  const machine = new StateMachine(
    asLibraryDefinition({
      StartAt: 'ItemSelector',
      States: { ItemSelector: { Type: 'Pass', Parameters: template, End: true } },
    }),
    { validationOptions: { noValidate: true } },
  );
  return async (input, context) => {
    try {
      return await machine.run(input as Parameters<StateMachine['run']>[0], { context }).result;
    } catch (error) {
      throw error instanceof ExecutionError ? error.cause : error;
    }
  };
}
