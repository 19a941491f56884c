/**
 * The Distributed Map adapter against the Step Functions documentation ("ItemReader", "ItemBatcher",
 * "ResultWriter", "Tolerated failure threshold for Distributed Map state"), run on the rendered
 * definition's own Map state.
 */
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreError, putJson } from '../../functions/shared/object-store.ts';
import { type AslState, asLibraryDefinition } from '../../local/asl.ts';
import { libraryChildRunner } from '../../local/distributed-map/child-executions.ts';
import { batchItems, exceedsTolerance, mapRunHandler } from '../../local/distributed-map/map-run.ts';
import { adaptDistributedMaps, LOCAL_MAP_RESOURCE } from '../../local/distributed-map/map-state.ts';
import type { ResultEntry, ResultManifest } from '../../local/distributed-map/result-writer.ts';
import { UnsupportedDefinitionError } from '../../local/errors.ts';
import { renderWorkflow, warmUpWorkflow } from '../../local/render-definition.ts';
import type { TaskHandler } from '../../local/types.ts';
import type { PlanOutput, Target, WorkerBatch } from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import { STATE } from '../../shared/states.ts';
import { account, BUCKET, configFor, type FaultyStore, readJson, withTempStore } from './support.ts';

const CONFIG = configFor([1, 2, 3].map(account), ['eu-west-1', 'eu-west-2'], {
  maxConcurrency: 2,
  batchSize: 2,
  toleratedFailurePercentage: 0,
});

/** Account x region, ordered as the plan orders them: one batch of 2 per account. */
const TARGETS: Target[] = [1, 2, 3].flatMap((n) =>
  ['eu-west-1', 'eu-west-2'].map((region) => ({ accountId: account(n), region })),
);

const PLAN: PlanOutput = {
  runId: 'run-1',
  scanId: '5ca1ab1e0001',
  startedAt: '2026-11-28T03:00:00.000Z',
  bucket: BUCKET,
  targetsKey: 'runs/run-1/targets.json',
  targetCount: TARGETS.length,
  accountCount: 3,
  batchSize: 2,
  regions: ['eu-west-1', 'eu-west-2'],
  skippedCount: 0,
  skippedKey: 'runs/run-1/skipped.json',
};

// a synth takes seconds (on a cold cache): once, before the tests
beforeAll(() => warmUpWorkflow(CONFIG));

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** The rendered definition's Map state, edited by `edit`. */
async function renderedWith(edit?: (map: AslState) => void) {
  const rendered = await renderWorkflow(CONFIG, BUCKET);
  edit?.(rendered.definition.States[STATE.scan] as AslState);
  return rendered;
}

interface MapRun {
  /** The Map state's output (`$.map`), when the run got past it. */
  map?: unknown;
  /** The execution's error and cause, when the Catch path ended it. */
  failure?: { error: string; cause: string };
  batches: WorkerBatch[];
}

/**
 * Runs the rendered definition, its Map state edited by `edit`, with a plan that wrote TARGETS and a
 * worker that fails the batches of `failingAccounts`.
 */
async function runMap(
  store: FaultyStore,
  options: { edit?: (map: AslState) => void; failingAccounts?: string[]; writeTargets?: boolean } = {},
): Promise<MapRun> {
  const { definition, identity } = await renderedWith(options.edit);
  if (options.writeTargets ?? true) await putJson(store, PLAN.targetsKey, TARGETS);
  const batches: WorkerBatch[] = [];
  const worker: TaskHandler = async (event) => {
    const batch = event as WorkerBatch;
    batches.push(batch);
    if (batch.Items.some((item) => options.failingAccounts?.includes(item.accountId))) {
      throw new ObjectStoreError('disk full');
    }
    return { partialKey: `partial-${batches.length}`, results: [] };
  };
  const handlers: Record<string, TaskHandler> = {
    [STATE.plan]: async () => PLAN,
    [STATE.worker]: worker,
    [STATE.reduce]: async (event) => event,
    [STATE.recordFailure]: async () => ({}),
  };
  const overrides = { taskResourceLocalHandlers: handlers, retryIntervalOverrides: { [STATE.worker]: 0 } };
  const adapted = adaptDistributedMaps(definition);
  for (const map of adapted.maps) {
    handlers[map.name] = mapRunHandler(map, {
      storeFor: () => store,
      identity,
      children: () => ({
        run: libraryChildRunner(map.processor, { overrides: overrides as never, context: {} }),
      }),
    });
  }
  const execution = new StateMachine(asLibraryDefinition(adapted.definition)).run(
    {},
    {
      overrides: overrides as never,
      context: { Execution: { Name: 'map-test' }, State: { EnteredTime: PLAN.startedAt } },
    },
  );
  try {
    const output = (await execution.result) as { map: unknown };
    return { map: output.map, batches };
  } catch (error) {
    if (!(error instanceof ExecutionError)) throw error;
    const cause = error.cause as Error;
    return { failure: { error: cause.name, cause: cause.message }, batches };
  }
}

const batchOf = (n: number) => ({
  Items: TARGETS.filter((target) => target.accountId === account(n)),
  BatchInput: { runId: PLAN.runId, scanId: PLAN.scanId, bucket: BUCKET },
});

describe('adaptDistributedMaps', () => {
  it('replaces the Map by a Task that keeps its ResultPath, Next and Catch and resolves its paths as Parameters', async () => {
    const { definition } = await renderedWith();
    const map = definition.States[STATE.scan] as AslState;
    const before = structuredClone(map);

    const adapted = adaptDistributedMaps(definition);

    expect(adapted.definition.States[STATE.scan]).toEqual({
      Type: 'Task',
      Resource: LOCAL_MAP_RESOURCE,
      Parameters: {
        reader: { 'Bucket.$': '$.plan.bucket', 'Key.$': '$.plan.targetsKey' },
        'maxItemsPerBatch.$': '$.plan.batchSize',
        batchInput: { 'runId.$': '$.plan.runId', 'scanId.$': '$.plan.scanId', 'bucket.$': '$.plan.bucket' },
        writer: { 'Bucket.$': '$.plan.bucket', Prefix: keys.mapResultsPrefix },
      },
      TimeoutSeconds: expect.any(Number),
      ResultPath: '$.map',
      Next: STATE.reduce,
      Catch: map.Catch,
    });
    expect(adapted.maps).toEqual([
      {
        name: STATE.scan,
        processor: { StartAt: STATE.worker, States: { [STATE.worker]: expect.any(Object) } },
        maxConcurrency: CONFIG.map.maxConcurrency,
        toleratedFailurePercentage: 0,
      },
    ]);
    expect(definition.States[STATE.scan]).toEqual(before);
  });

  it.each([
    {
      what: 'an ItemSelector',
      edit: (map: AslState) => {
        map.ItemSelector = { 'value.$': '$$.Map.Item.Value' };
      },
      message: 'field(s) ItemSelector',
    },
    {
      what: 'a ToleratedFailureCount',
      edit: (map: AslState) => {
        map.ToleratedFailureCount = 2;
      },
      message: 'field(s) ToleratedFailureCount',
    },
    {
      what: 'a CSV ItemReader',
      edit: (map: AslState) => {
        (map.ItemReader as { ReaderConfig: unknown }).ReaderConfig = { InputType: 'CSV' };
      },
      message: 'ItemReader.ReaderConfig.InputType: only InputType JSON is supported locally',
    },
    {
      what: 'MaxInputBytesPerBatch',
      edit: (map: AslState) => {
        (map.ItemBatcher as Record<string, unknown>).MaxInputBytesPerBatch = 1024;
      },
      message: 'MaxInputBytesPerBatch',
    },
    {
      what: 'a ResultWriter transformation',
      edit: (map: AslState) => {
        (map.ResultWriter as Record<string, unknown>).WriterConfig = { Transformation: 'FLATTEN' };
      },
      message: 'WriterConfig',
    },
    {
      what: 'no ResultWriter',
      edit: (map: AslState) => {
        delete map.ResultWriter;
      },
      message: 'ResultWriter',
    },
    {
      what: 'STANDARD child executions',
      edit: (map: AslState) => {
        (map.ItemProcessor as { ProcessorConfig: unknown }).ProcessorConfig = {
          Mode: 'DISTRIBUTED',
          ExecutionType: 'STANDARD',
        };
      },
      message: 'only EXPRESS child executions are supported locally',
    },
  ])('refuses $what, naming it, instead of ignoring it', async ({ edit, message }) => {
    const { definition } = await renderedWith(edit);

    const adapt = () => adaptDistributedMaps(definition);

    expect(adapt).toThrow(UnsupportedDefinitionError);
    expect(adapt).toThrow(`Distributed Map "${STATE.scan}": `);
    expect(adapt).toThrow(message);
  });
});

describe('batchItems', () => {
  it.each([
    { count: 6, size: 2, sizes: [2, 2, 2] },
    { count: 7, size: 3, sizes: [3, 3, 1] },
    { count: 2, size: 5, sizes: [2] },
    { count: 0, size: 2, sizes: [] },
  ])('puts $count items in batches of at most $size, in order', ({ count, size, sizes }) => {
    const items = Array.from({ length: count }, (_, index) => index);

    const batches = batchItems(items, size, { runId: 'r' });

    expect(batches.map((batch) => batch.itemCount)).toEqual(sizes);
    expect(batches.flatMap((batch) => batch.input.Items)).toEqual(items);
    for (const batch of batches) expect(batch.input.BatchInput).toEqual({ runId: 'r' });
  });

  it('gives a batch no BatchInput field when the ItemBatcher has none', () => {
    expect(batchItems(['a'], 1, undefined)).toEqual([{ input: { Items: ['a'] }, itemCount: 1 }]);
  });
});

describe('exceedsTolerance', () => {
  it.each([
    { failed: 0, total: 10, tolerated: 0, exceeds: false },
    { failed: 1, total: 10, tolerated: 0, exceeds: true },
    { failed: 1, total: 10, tolerated: 10, exceeds: false },
    { failed: 2, total: 10, tolerated: 10, exceeds: true },
    { failed: 1, total: 3, tolerated: 33.3, exceeds: true },
    { failed: 1, total: 3, tolerated: 33.4, exceeds: false },
    { failed: 10, total: 10, tolerated: 100, exceeds: false },
  ])(
    '$failed failed of $total items against $tolerated% exceeds: $exceeds',
    ({ failed, total, tolerated, exceeds }) => {
      expect(exceedsTolerance(failed, total, tolerated)).toBe(exceeds);
    },
  );
});

describe('the Map Run', () => {
  it('writes the ResultWriter manifest and result files and outputs their location', async () => {
    await withTempStore(async (store) => {
      const { map } = await runMap(store, {
        failingAccounts: [account(2)],
        edit: (state) => {
          state.ToleratedFailurePercentage = 50;
        },
      });

      const mapRunArn = new RegExp(
        `^arn:aws:states:us-east-1:000000000000:mapRun:lambda-inventory-local/Scan targets:(${UUID})$`,
      );
      const { MapRunArn, ResultWriterDetails } = map as {
        MapRunArn: string;
        ResultWriterDetails: { Bucket: string; Key: string };
      };
      const mapRunId = mapRunArn.exec(MapRunArn)?.[1];
      expect(mapRunId).toBeDefined();
      const prefix = `runs/map-results/${mapRunId}/`;
      expect(ResultWriterDetails).toEqual({ Bucket: BUCKET, Key: `${prefix}manifest.json` });

      const manifest = await readJson<ResultManifest>(store, ResultWriterDetails.Key);
      const sizeOf = async (key: string) => (await store.get(key)).byteLength;
      expect(manifest).toEqual({
        DestinationBucket: BUCKET,
        MapRunArn,
        ResultFiles: {
          FAILED: [{ Key: `${prefix}FAILED_0.json`, Size: await sizeOf(`${prefix}FAILED_0.json`) }],
          PENDING: [],
          SUCCEEDED: [{ Key: `${prefix}SUCCEEDED_0.json`, Size: await sizeOf(`${prefix}SUCCEEDED_0.json`) }],
        },
      });

      const succeeded = await readJson<ResultEntry[]>(store, `${prefix}SUCCEEDED_0.json`);
      expect(succeeded.map((entry) => JSON.parse(entry.Input))).toEqual([batchOf(1), batchOf(3)]);
      for (const entry of succeeded) {
        expect(entry).toEqual({
          ExecutionArn: `arn:aws:states:us-east-1:000000000000:express:lambda-inventory-local/Scan targets:${mapRunId}:${entry.Name}`,
          Input: expect.any(String),
          InputDetails: { Included: true },
          Name: expect.stringMatching(new RegExp(`^${UUID}$`)),
          Output: expect.any(String),
          Status: 'SUCCEEDED',
          StartDate: expect.stringMatching(/Z$/),
          StopDate: expect.stringMatching(/Z$/),
        });
        expect(JSON.parse(entry.Output ?? '')).toEqual({ partialKey: expect.any(String), results: [] });
      }
      const failed = await readJson<ResultEntry[]>(store, `${prefix}FAILED_0.json`);
      expect(failed).toEqual([
        expect.objectContaining({
          Status: 'FAILED',
          Error: 'ObjectStoreError',
          Cause: 'disk full',
          InputDetails: { Included: true },
        }),
      ]);
      expect(JSON.parse(failed[0]?.Input ?? '')).toEqual(batchOf(2));
      expect(failed[0]).not.toHaveProperty('Output');
    });
  });

  it('batches MaxItemsPerBatch items with BatchInput when the size is static', async () => {
    await withTempStore(async (store) => {
      const { batches } = await runMap(store, {
        edit: (state) => {
          const batcher = state.ItemBatcher as Record<string, unknown>;
          delete batcher.MaxItemsPerBatchPath;
          batcher.MaxItemsPerBatch = 4;
        },
      });

      const ordered = [...batches].sort((a, b) => a.Items.length - b.Items.length).reverse();
      expect(ordered.map((batch) => batch.Items.length)).toEqual([4, 2]);
      expect(ordered.flatMap((batch) => batch.Items)).toEqual(TARGETS);
      for (const batch of batches) expect(batch.BatchInput).toEqual(batchOf(1).BatchInput);
    });
  });

  it('fails on the first failed item when no threshold is set, and still writes the results', async () => {
    await withTempStore(async (store) => {
      const { failure } = await runMap(store, {
        failingAccounts: [account(3)],
        edit: (state) => {
          delete state.ToleratedFailurePercentage;
        },
      });

      expect(failure?.error).toBe('States.ExceedToleratedFailureThreshold');
      expect(failure?.cause).toMatch(
        /^2 of 6 items failed \(33\.3%\), above the tolerated 0%; 1 of 3 child executions failed, the first with ObjectStoreError: disk full; results: runs\/map-results\/.+\/manifest\.json$/,
      );
      const manifestKey = failure?.cause.split('results: ')[1] ?? '';
      const manifest = await readJson<ResultManifest>(store, manifestKey);
      expect(manifest.ResultFiles.FAILED).toHaveLength(1);
    });
  });

  it('fails with States.ItemReaderFailed when the items file is missing, and starts no child', async () => {
    await withTempStore(async (store) => {
      const { failure, batches } = await runMap(store, { writeTargets: false });

      expect(failure?.error).toBe('States.ItemReaderFailed');
      expect(failure?.cause).toContain(PLAN.targetsKey);
      expect(batches).toEqual([]);
    });
  });

  it('fails with States.ItemReaderFailed when the items file holds no JSON array', async () => {
    await withTempStore(async (store) => {
      await putJson(store, PLAN.targetsKey, { targets: TARGETS });

      const { failure, batches } = await runMap(store, { writeTargets: false });

      expect(failure).toEqual({
        error: 'States.ItemReaderFailed',
        cause: `${BUCKET}/${PLAN.targetsKey} does not hold a JSON array`,
      });
      expect(batches).toEqual([]);
    });
  });

  it('fails with States.ResultWriterFailed when the results cannot be written', async () => {
    await withTempStore(async (store) => {
      store.failWrites((key) => key.startsWith(keys.mapResultsPrefix));

      const { failure, batches } = await runMap(store);

      expect(failure?.error).toBe('States.ResultWriterFailed');
      expect(failure?.cause).toContain('injected write failure');
      expect(batches).toHaveLength(3);
    });
  });
});
