/**
 * The Distributed Map state as the local engine reads it, and the Task state that stands in for it.
 *
 * aws-local-stepfunctions runs every Map as an inline Map and ignores ItemReader, ItemBatcher,
 * ResultWriter and ToleratedFailurePercentage. So before the definition reaches the library, each
 * Distributed Map becomes a Task state of the same name whose handler runs the Map Run (map-run.ts).
 * Only the features the workflow's definition uses (statemachine/inventory-workflow.ts) are
 * implemented; any other Distributed Map field is refused here, by name, rather than ignored.
 */

import { formatIssues } from '../../shared/contracts.ts';
import * as z from '../../shared/zod.ts';
import { type AslDefinition, type AslState, copyDefinition, forEachState, isDistributedMap } from '../asl.ts';
import { UnsupportedDefinitionError } from '../errors.ts';
import { MAX_LOCAL_TIMEOUT_SECONDS } from '../types.ts';

/** The Resource of the Task state that stands in for a Distributed Map (it never leaves this process). */
export const LOCAL_MAP_RESOURCE = 'arn:aws:states:::local:distributed-map';

/** A Map Run runs at most 10,000 child executions at once; MaxConcurrency 0 (or none) means that many. */
export const MAX_CHILD_CONCURRENCY = 10_000;

/** Fields the stand-in Task keeps as they are: the library applies them around the Map Run's handler. */
const passedThrough = {
  Comment: z.optional(z.unknown()),
  InputPath: z.optional(z.unknown()),
  OutputPath: z.optional(z.unknown()),
  ResultPath: z.optional(z.unknown()),
  ResultSelector: z.optional(z.unknown()),
  Next: z.optional(z.unknown()),
  End: z.optional(z.unknown()),
  Retry: z.optional(z.unknown()),
  Catch: z.optional(z.unknown()),
};
const PASSED_THROUGH_FIELDS = Object.keys(passedThrough);

/** S3 parameters as a value or, with the `.$` suffix, a path the library resolves against the state input. */
function s3Parameters<const K extends string>(...names: K[]) {
  const keys = names.flatMap((name) => [name, `${name}.$`]) as [string, ...string[]];
  return z.partialRecord(z.enum(keys), z.unknown());
}

const MapStateFields = z.strictObject({
  Type: z.literal('Map'),
  ...passedThrough,
  ItemProcessor: z.strictObject({
    ProcessorConfig: z.strictObject({
      Mode: z.literal('DISTRIBUTED'),
      ExecutionType: z.literal('EXPRESS', 'only EXPRESS child executions are supported locally'),
    }),
    Comment: z.optional(z.string()),
    StartAt: z.string(),
    States: z.record(z.string(), z.unknown()),
  }),
  ItemReader: z.strictObject({
    Resource: z
      .string()
      .check(z.regex(/^arn:[\w-]+:states:::s3:getObject$/, 'only s3:getObject is supported locally')),
    ReaderConfig: z.strictObject({
      InputType: z.literal('JSON', 'only InputType JSON is supported locally'),
    }),
    Parameters: s3Parameters('Bucket', 'Key'),
  }),
  ItemBatcher: z
    .strictObject({
      MaxItemsPerBatch: z.optional(z.int().check(z.minimum(1))),
      MaxItemsPerBatchPath: z.optional(z.string()),
      BatchInput: z.optional(z.record(z.string(), z.unknown())),
    })
    .check(
      z.refine(
        (batcher) =>
          (batcher.MaxItemsPerBatch === undefined) !== (batcher.MaxItemsPerBatchPath === undefined),
        'needs one of MaxItemsPerBatch and MaxItemsPerBatchPath',
      ),
    ),
  MaxConcurrency: z.optional(z.int().check(z.minimum(0), z.maximum(MAX_CHILD_CONCURRENCY))),
  ToleratedFailurePercentage: z.optional(z.number().check(z.minimum(0), z.maximum(100))),
  ResultWriter: z.strictObject({
    Resource: z
      .string()
      .check(z.regex(/^arn:[\w-]+:states:::s3:putObject$/, 'only s3:putObject is supported locally')),
    Parameters: s3Parameters('Bucket', 'Prefix'),
  }),
});

/** A Distributed Map state of the definition, with its static settings read. */
export interface DistributedMapState {
  name: string;
  /** The child executions' state machine: the ItemProcessor without its ProcessorConfig. */
  processor: AslDefinition;
  /** Child executions at once. */
  maxConcurrency: number;
  /** Failed items tolerated, in percent of all items; none set means none tolerated. */
  toleratedFailurePercentage: number;
}

/**
 * What the stand-in Task's Parameters resolve to at run time: the paths of the Map state (the
 * ItemReader's bucket and key, the batch size, BatchInput, the ResultWriter's bucket), resolved by
 * the library exactly as it resolves any state's Parameters.
 */
export const MapRequest = z.object({
  reader: z.strictObject({ Bucket: z.string().check(z.minLength(1)), Key: z.string().check(z.minLength(1)) }),
  maxItemsPerBatch: z.int().check(z.minimum(1)),
  batchInput: z.optional(z.unknown()),
  writer: z.strictObject({ Bucket: z.string().check(z.minLength(1)), Prefix: z.optional(z.string()) }),
});
export type MapRequest = z.infer<typeof MapRequest>;

export interface AdaptedDefinition {
  /** The definition with every Distributed Map replaced by its stand-in Task. */
  definition: AslDefinition;
  maps: DistributedMapState[];
}

/** Replaces every top-level Distributed Map state by a Task state whose handler is to run the Map Run. */
export function adaptDistributedMaps(definition: AslDefinition): AdaptedDefinition {
  const adapted = copyDefinition(definition);
  const maps: DistributedMapState[] = [];
  for (const [name, state] of Object.entries(adapted.States)) {
    if (!isDistributedMap(state)) continue;
    const { map, task } = readMapState(name, state);
    adapted.States[name] = task;
    maps.push(map);
  }
  forEachState(adapted, (name, state) => {
    if (isDistributedMap(state)) {
      throw new UnsupportedDefinitionError(
        `state "${name}": a Distributed Map nested in another state is not supported locally`,
      );
    }
  });
  return { definition: adapted, maps };
}

function readMapState(name: string, state: AslState): { map: DistributedMapState; task: AslState } {
  const unsupported = (what: string) =>
    new UnsupportedDefinitionError(`Distributed Map "${name}": ${what} not supported locally`);
  const unknown = Object.keys(state).filter((field) => !(field in MapStateFields.shape));
  if (unknown.length > 0) throw unsupported(`field(s) ${unknown.join(', ')}`);
  const parsed = MapStateFields.safeParse(state);
  if (!parsed.success) throw unsupported(formatIssues(parsed.error));
  const fields = parsed.data;

  const { ProcessorConfig: _config, ...processor } = fields.ItemProcessor;
  const { MaxItemsPerBatch, MaxItemsPerBatchPath, BatchInput } = fields.ItemBatcher;
  const parameters: Record<string, unknown> = {
    reader: fields.ItemReader.Parameters,
    writer: fields.ResultWriter.Parameters,
    ...(MaxItemsPerBatchPath === undefined
      ? { maxItemsPerBatch: MaxItemsPerBatch }
      : { 'maxItemsPerBatch.$': MaxItemsPerBatchPath }),
    ...(BatchInput === undefined ? {} : { batchInput: BatchInput }),
  };
  const task: AslState = {
    Type: 'Task',
    Resource: LOCAL_MAP_RESOURCE,
    Parameters: parameters,
    // the Map Run ends when its children do; the children's own Tasks carry the timeouts
    TimeoutSeconds: MAX_LOCAL_TIMEOUT_SECONDS,
  };
  for (const field of PASSED_THROUGH_FIELDS) if (field in state) task[field] = state[field];
  return {
    map: {
      name,
      processor: processor as AslDefinition,
      maxConcurrency: fields.MaxConcurrency || MAX_CHILD_CONCURRENCY,
      toleratedFailurePercentage: fields.ToleratedFailurePercentage ?? 0,
    },
    task,
  };
}
