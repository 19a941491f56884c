import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ObjectStoreError, putJson } from '../../functions/shared/object-store.ts';
import { type AslState, asLibraryDefinition } from '../../local/asl.ts';
import {
  adaptDistributedMaps,
  type ResultEntry,
  type ResultManifest,
  type TaskHandler,
  UnsupportedDefinitionError,
} from '../../local/distributed-map.ts';
import { renderWorkflow } from '../../local/render-definition.ts';
import type { PlanOutput, Target, WorkerBatch } from '../../shared/contracts.ts';
import { STATE } from '../../statemachine/inventory-workflow.ts';
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

// a synth takes seconds: once, before the tests
beforeAll(() => {
  renderWorkflow(CONFIG, BUCKET);
});

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

interface MapRun {
  /** The Map state's output (`$.map`), when the run got past it. */
  map?: unknown;
  /** The execution's error and cause, when the Catch path ended it. */
  failure?: { error: string; cause: string };
  batches: unknown[];
}

/**
 * Runs the rendered definition, its Distributed Map edited by `edit`, with a plan that wrote TARGETS
 * and a worker that fails the batches of `failingAccounts`.
 */
async function runMap(
  store: FaultyStore,
  options: { edit?: (map: AslState) => void; failingAccounts?: string[]; writeTargets?: boolean } = {},
): Promise<MapRun> {
  const { definition, identity } = renderWorkflow(CONFIG, BUCKET);
  options.edit?.(definition.States[STATE.scan] as AslState);
  if (options.writeTargets ?? true) await putJson(store, PLAN.targetsKey, TARGETS);
  const batches: unknown[] = [];
  const worker: TaskHandler = async (event) => {
    batches.push(event);
    const items = (event as { Items: { accountId?: string }[] }).Items;
    if (items.some((item) => options.failingAccounts?.includes(item.accountId ?? ''))) {
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
  const adapted = adaptDistributedMaps(definition, {
    storeFor: () => store,
    identity,
    childRunOptions: { overrides } as never,
  });
  Object.assign(handlers, adapted.handlers);
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

describe('the Distributed Map adapter', () => {
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

  it('fails on the first failed item when no threshold is set', async () => {
    await withTempStore(async (store) => {
      const { failure } = await runMap(store, {
        failingAccounts: [account(3)],
        edit: (state) => {
          delete state.ToleratedFailurePercentage;
        },
      });

      expect(failure?.error).toBe('States.ExceedToleratedFailureThreshold');
      expect(failure?.cause).toMatch(/^2 of 6 items failed \(33\.3%\), above the tolerated 0%/);
    });
  });

  it.each([
    { failingAccounts: [account(1)], outcome: 'succeeds' },
    { failingAccounts: [account(1), account(2)], outcome: 'fails' },
  ])(
    'with ToleratedFailureCount 2, $outcome when the batches of $failingAccounts fail',
    async ({ failingAccounts, outcome }) => {
      await withTempStore(async (store) => {
        const run = await runMap(store, {
          failingAccounts,
          edit: (state) => {
            delete state.ToleratedFailurePercentage;
            state.ToleratedFailureCount = 2;
          },
        });

        if (outcome === 'succeeds') expect(run.failure).toBeUndefined();
        else
          expect(run.failure?.cause).toMatch(
            /^4 of 6 items failed \(66\.7%\), above the tolerated 2 failed items/,
          );
      });
    },
  );

  it('outputs the child outputs in item order, with the record of a failed child, without a ResultWriter', async () => {
    await withTempStore(async (store) => {
      const { map } = await runMap(store, {
        failingAccounts: [account(2)],
        edit: (state) => {
          delete state.ResultWriter;
          state.ToleratedFailurePercentage = 50;
        },
      });

      expect(map).toEqual([
        { partialKey: expect.any(String), results: [] },
        expect.objectContaining({
          Status: 'FAILED',
          Error: 'ObjectStoreError',
          Input: JSON.stringify(batchOf(2)),
        }),
        { partialKey: expect.any(String), results: [] },
      ]);
    });
  });

  it('applies ItemSelector to each item with $$.Map.Item.Index and Value before batching', async () => {
    await withTempStore(async (store) => {
      const { batches } = await runMap(store, {
        edit: (state) => {
          state.ItemSelector = {
            'account.$': '$$.Map.Item.Value.accountId',
            'position.$': '$$.Map.Item.Index',
            'runId.$': '$.plan.runId',
          };
        },
      });

      const items = (batches as WorkerBatch[]).flatMap((batch) => batch.Items as unknown[]);
      expect(
        items.sort((a, b) => (a as { position: number }).position - (b as { position: number }).position),
      ).toEqual(
        TARGETS.map((target, position) => ({ account: target.accountId, position, runId: PLAN.runId })),
      );
    });
  });

  it.each([
    { slack: 0, sizes: [2, 2, 2] },
    { slack: -1, sizes: [1, 1, 1, 1, 1, 1] },
  ])(
    'closes a batch at MaxInputBytesPerBatch (limit of two items $slack bytes)',
    async ({ slack, sizes }) => {
      await withTempStore(async (store) => {
        const twoItems = JSON.stringify(batchOf(1));
        const { batches } = await runMap(store, {
          edit: (state) => {
            state.ItemBatcher = {
              MaxInputBytesPerBatch: Buffer.byteLength(twoItems) + slack,
              BatchInput: (state.ItemBatcher as { BatchInput: unknown }).BatchInput,
            };
          },
        });

        expect((batches as WorkerBatch[]).map((batch) => batch.Items.length)).toEqual(sizes);
      });
    },
  );

  it('fails with States.ItemReaderFailed when the items file is missing', async () => {
    await withTempStore(async (store) => {
      const { failure, batches } = await runMap(store, { writeTargets: false });

      expect(failure?.error).toBe('States.ItemReaderFailed');
      expect(failure?.cause).toContain(PLAN.targetsKey);
      expect(batches).toEqual([]);
    });
  });

  it.each([
    {
      field: 'ItemReader',
      edit: (state: AslState) => {
        (state.ItemReader as { ReaderConfig: Record<string, unknown> }).ReaderConfig = { InputType: 'CSV' };
      },
    },
    {
      field: 'ResultWriter',
      edit: (state: AslState) => {
        (state.ResultWriter as Record<string, unknown>).WriterConfig = { Transformation: 'FLATTEN' };
      },
    },
  ])('refuses a $field it does not implement instead of ignoring it', async ({ field, edit }) => {
    const { definition, identity } = renderWorkflow(CONFIG, BUCKET);
    edit(definition.States[STATE.scan] as AslState);

    const adapt = () =>
      adaptDistributedMaps(definition, { storeFor: () => never(), identity, childRunOptions: {} });

    expect(adapt).toThrow(UnsupportedDefinitionError);
    expect(adapt).toThrow(`Distributed Map "${STATE.scan}": ${field}`);
  });
});

function never(): never {
  throw new Error('the store is not used');
}
