import { setTimeout as sleep } from 'node:timers/promises';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { putJson } from '../../functions/shared/object-store.ts';
import { runWorkflow } from '../../local/engine.ts';
import { UnsupportedDefinitionError } from '../../local/errors.ts';
import { warmUpWorkflow } from '../../local/render-definition.ts';
import { parseInventoryConfig } from '../../shared/config.ts';
import {
  type CoverageEntry,
  FailureRecord,
  LatestPointer,
  type PlanOutput,
  type ReduceOutput,
  type Target,
  ValidationError,
  type WorkerBatch,
  type WorkerOutput,
} from '../../shared/contracts.ts';
import { InvalidTargetsError } from '../../shared/errors.ts';
import { keys } from '../../shared/keys.ts';
import { STATE } from '../../shared/states.ts';
import {
  account,
  BUCKET,
  configFor,
  type FaultyStore,
  FUNCTIONS_PER_TARGET,
  fakeFleet,
  readJson,
  runOptions,
  withTempStore,
} from './support.ts';

const fleet = fakeFleet();

beforeEach(() => {
  fleet.sts.resetHistory();
  fleet.lambda.resetHistory();
  fleet.organizations.reset();
});

const REGIONS = ['eu-west-1', 'eu-west-2'];

/** Batches of 3, two at a time, no failure tolerated. */
const PARALLEL = configFor([account(1), account(2)], REGIONS, {
  maxConcurrency: 2,
  batchSize: 3,
  toleratedFailurePercentage: 0,
});

/** The organization's accounts in one region: discovery through the (mocked) Organizations API. */
const DISCOVERY = parseInventoryConfig({
  targets: { source: 'organization' },
  regions: ['eu-west-1'],
  map: { maxConcurrency: 2, batchSize: 3, toleratedFailurePercentage: 0 },
});

/** One batch per account (2 regions), one batch at a time, 20% of the targets may fail. */
const TOLERANT = configFor([1, 2, 3, 4, 5].map(account), REGIONS, {
  maxConcurrency: 1,
  batchSize: 2,
  toleratedFailurePercentage: 20,
});

// a synth takes seconds (on a cold cache): once per configuration, before the tests
beforeAll(async () => {
  for (const config of [PARALLEL, TOLERANT, DISCOVERY]) await warmUpWorkflow(config);
});

/** A partial of the account's batch, under whichever scan's prefix: `runs/<runId>/partials/<scanId>/<accountId>-...`. */
const partialOf = (accountId: string) => (key: string) =>
  /^runs\/[^/]+\/partials\/[0-9a-f]{12}\//.test(key) && key.includes(`/${accountId}-`);

const partialWrites = (store: FaultyStore) =>
  [...store.attempts.keys()].filter((key) => key.includes('/partials/'));

function targetsOf(count: number): Target[] {
  return Array.from({ length: count }, (_, index) => ({
    accountId: account(index + 1),
    region: 'eu-west-1',
  }));
}

/** A Plan that points the ItemReader at a targets file the test wrote (and reports the event it got). */
function planReading(store: FaultyStore, targets: Target[], events: unknown[] = []) {
  return async (event: unknown): Promise<PlanOutput> => {
    events.push(event);
    const targetsKey = 'runs/custom/handpicked-targets.json';
    await putJson(store, targetsKey, targets);
    return {
      runId: 'custom',
      scanId: 'c0ffee000001',
      startedAt: '2026-11-28T03:00:00.000Z',
      bucket: BUCKET,
      targetsKey,
      targetCount: targets.length,
      accountCount: targets.length,
      batchSize: 3,
      regions: ['eu-west-1'],
      skippedCount: 0,
      skippedKey: 'runs/custom/skipped.json',
    };
  };
}

const fakeReduceOutput = (runId: string): ReduceOutput => ({
  runId,
  keys: {
    prefix: 'reports/x/',
    inventoryJson: 'reports/x/inventory.json',
    inventoryCsv: 'reports/x/inventory.csv',
    summaryJson: 'reports/x/summary.json',
    coverageCsv: 'reports/x/coverage.csv',
  },
  functionCount: 0,
  coverage: { targets: 0, scanned: 0, byStatus: {}, skippedAccounts: 0 },
});

/** A worker that answers every target ok without scanning anything. */
function okWorker(batches: WorkerBatch[] = []) {
  return async (event: unknown): Promise<WorkerOutput> => {
    const batch = event as WorkerBatch;
    batches.push(batch);
    return {
      partialKey: `runs/${batch.BatchInput.runId}/partials/none.ndjson.gz`,
      results: batch.Items.map((target) => ({
        ...target,
        status: 'ok' as const,
        functionCount: 0,
        pages: 1,
        durationMs: 1,
        scannedAt: '2026-11-28T03:00:01.000Z',
      })),
    };
  };
}

describe('runWorkflow', () => {
  it('runs plan, the distributed map of workers and reduce in-process and writes the report and latest.json', async () => {
    await withTempStore(async (store) => {
      const { options, events } = runOptions(store, PARALLEL, { executionName: 'nightly-local-1' });

      const result = await runWorkflow(options);

      expect(result).toMatchObject({ status: 'SUCCEEDED', executionName: 'nightly-local-1' });
      if (result.status !== 'SUCCEEDED') return;
      expect(result.output.runId).toBe('nightly-local-1');
      expect(result.output.functionCount).toBe(4 * FUNCTIONS_PER_TARGET);
      expect(result.output.coverage).toMatchObject({ targets: 4, scanned: 4 });
      const latest = LatestPointer.parse(await readJson(store, keys.latest));
      expect(latest).toMatchObject({ runId: 'nightly-local-1', keys: result.output.keys });
      const inventory = await readJson<{ functions: { accountId: string; region: string }[] }>(
        store,
        result.output.keys.inventoryJson,
      );
      expect(inventory.functions).toHaveLength(4 * FUNCTIONS_PER_TARGET);
      const roles = new Set(
        fleet.sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn),
      );
      expect([...roles].sort()).toEqual([
        `arn:aws:iam::${account(1)}:role/${PARALLEL.memberRoleName}`,
        `arn:aws:iam::${account(2)}:role/${PARALLEL.memberRoleName}`,
      ]);
      expect(events.map((event) => event.type)).toEqual([
        'started',
        'planned',
        'batch-done',
        'batch-done',
        'reduced',
      ]);
      expect(events[1]).toMatchObject({
        type: 'planned',
        runId: 'nightly-local-1',
        targetCount: 4,
        accountCount: 2,
      });
      const scanned = events.flatMap((event) => (event.type === 'batch-done' ? event.results : []));
      expect(
        scanned.map(({ accountId, region, status }) => `${accountId}/${region}/${status}`).sort(),
      ).toEqual([
        `${account(1)}/eu-west-1/ok`,
        `${account(1)}/eu-west-2/ok`,
        `${account(2)}/eu-west-1/ok`,
        `${account(2)}/eu-west-2/ok`,
      ]);
    });
  });

  it('reports only its own functions when a run id is reused with fewer regions', async () => {
    await withTempStore(async (store) => {
      const first = runOptions(store, PARALLEL, { executionName: 'reused-run' });
      const firstResult = await runWorkflow(first.options);
      expect(firstResult).toMatchObject({
        status: 'SUCCEEDED',
        output: { functionCount: 4 * FUNCTIONS_PER_TARGET },
      });
      const { options } = runOptions(store, PARALLEL, {
        executionName: 'reused-run',
        input: { regions: ['eu-west-1'] },
      });

      const result = await runWorkflow(options);

      expect(result.status).toBe('SUCCEEDED');
      if (result.status !== 'SUCCEEDED') return;
      expect(result.output).toMatchObject({
        runId: 'reused-run',
        functionCount: 2 * FUNCTIONS_PER_TARGET,
        coverage: { targets: 2, scanned: 2 },
      });
      const inventory = await readJson<{
        functions: { accountId: string; region: string; functionName: string }[];
        coverage: CoverageEntry[];
      }>(store, result.output.keys.inventoryJson);
      expect(inventory.functions.map((fn) => `${fn.accountId}/${fn.region}/${fn.functionName}`)).toEqual([
        `${account(1)}/eu-west-1/fn-1`,
        `${account(1)}/eu-west-1/fn-2`,
        `${account(2)}/eu-west-1/fn-1`,
        `${account(2)}/eu-west-1/fn-2`,
      ]);
      expect(inventory.coverage.map((entry) => `${entry.accountId}/${entry.region}`)).toEqual([
        `${account(1)}/eu-west-1`,
        `${account(2)}/eu-west-1`,
      ]);
      // both scans' partials are kept, each under its own scan's prefix
      const scans = new Set((await store.list('runs/reused-run/partials/')).map((key) => key.split('/')[3]));
      expect(scans.size).toBe(2);
    });
  });

  it("delivers the skipped accounts with the planned event, read from the plan's skipped-accounts file", async () => {
    await withTempStore(async (store) => {
      fleet.organizations.on(ListAccountsCommand).resolves({
        Accounts: [
          { Id: account(1), Name: 'live', State: 'ACTIVE' },
          { Id: account(2), Name: 'gone', State: 'SUSPENDED' },
        ],
      });
      const { options, events } = runOptions(store, DISCOVERY, { executionName: 'with-skipped' });

      const result = await runWorkflow(options);

      expect(result).toMatchObject({ status: 'SUCCEEDED', output: { coverage: { skippedAccounts: 1 } } });
      expect(events.find((event) => event.type === 'planned')).toEqual({
        type: 'planned',
        runId: 'with-skipped',
        targetCount: 1,
        accountCount: 1,
        skipped: [
          { accountId: account(2), accountName: 'gone', state: 'SUSPENDED', reason: 'state SUSPENDED' },
        ],
      });
    });
  });

  it('hands the Plan function the resolved Parameters: the execution input, name and start time', async () => {
    await withTempStore(async (store) => {
      const planEvents: { execution: { startTime: string } }[] = [];
      const { options, events } = runOptions(store, PARALLEL, {
        executionName: 'resolved-parameters',
        input: { regions: ['eu-west-1'] },
        taskOverrides: {
          [STATE.plan]: planReading(store, targetsOf(1), planEvents),
          [STATE.worker]: okWorker(),
          [STATE.reduce]: async () => fakeReduceOutput('custom'),
        },
      });

      await runWorkflow(options);

      expect(planEvents).toEqual([
        {
          input: { regions: ['eu-west-1'] },
          execution: {
            name: 'resolved-parameters',
            startTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
          },
        },
      ]);
      // the start time the plan names its scan after is told first, as the execution's
      expect(events[0]).toEqual({ type: 'started', startTime: planEvents[0]?.execution.startTime });
    });
  });

  it('reads the items from the targets file named in the plan output and batches them with BatchInput', async () => {
    await withTempStore(async (store) => {
      const targets = targetsOf(7);
      const batches: WorkerBatch[] = [];
      const { options } = runOptions(store, PARALLEL, {
        taskOverrides: {
          [STATE.plan]: planReading(store, targets),
          [STATE.worker]: okWorker(batches),
          [STATE.reduce]: async () => fakeReduceOutput('custom'),
        },
      });

      const result = await runWorkflow(options);

      expect(result.status).toBe('SUCCEEDED');
      const firstAccount = (batch: WorkerBatch) => batch.Items[0]?.accountId ?? '';
      const ordered = [...batches].sort((a, b) => firstAccount(a).localeCompare(firstAccount(b)));
      expect(ordered.map((batch) => batch.Items.length)).toEqual([3, 3, 1]);
      expect(ordered.flatMap((batch) => batch.Items)).toEqual(targets);
      for (const batch of batches) {
        expect(batch.BatchInput).toEqual({ runId: 'custom', scanId: 'c0ffee000001', bucket: BUCKET });
      }
    });
  });

  it('never runs more child executions at once than MaxConcurrency', async () => {
    await withTempStore(async (store) => {
      let running = 0;
      let mostRunning = 0;
      const worker = okWorker();
      const { options } = runOptions(store, PARALLEL, {
        taskOverrides: {
          [STATE.plan]: planReading(store, targetsOf(12)),
          [STATE.worker]: async (event) => {
            running += 1;
            mostRunning = Math.max(mostRunning, running);
            await sleep(20);
            running -= 1;
            return worker(event);
          },
          [STATE.reduce]: async () => fakeReduceOutput('custom'),
        },
      });

      const result = await runWorkflow(options);

      expect(result.status).toBe('SUCCEEDED');
      expect(mostRunning).toBe(PARALLEL.map.maxConcurrency);
    });
  });

  it('retries a worker that fails with ObjectStoreError, and the run succeeds', async () => {
    await withTempStore(async (store) => {
      store.failWrites(partialOf(account(1)), 1);
      const { options } = runOptions(store, TOLERANT, { executionName: 'retried-once' });

      const result = await runWorkflow(options);

      expect(result.status).toBe('SUCCEEDED');
      if (result.status !== 'SUCCEEDED') return;
      expect(result.output.coverage).toMatchObject({ targets: 10, scanned: 10 });
      const retried = partialWrites(store).filter(partialOf(account(1)));
      expect(retried.map((key) => store.attempts.get(key))).toEqual([2]);
    });
  });

  it('succeeds with failed batches at the tolerated percentage, reporting their targets not scanned', async () => {
    await withTempStore(async (store) => {
      store.failWrites(partialOf(account(3)));
      const { options, events } = runOptions(store, TOLERANT, { executionName: 'at-threshold' });

      const result = await runWorkflow(options);

      expect(result.status).toBe('SUCCEEDED');
      if (result.status !== 'SUCCEEDED') return;
      expect(result.output.coverage).toMatchObject({ targets: 10, scanned: 8 });
      expect(result.output.coverage.byStatus['not-scanned']).toBe(2);
      const inventory = await readJson<{ coverage: CoverageEntry[] }>(
        store,
        result.output.keys.inventoryJson,
      );
      const unscanned = inventory.coverage.filter((entry) => entry.status === 'not-scanned');
      expect(unscanned.map((entry) => `${entry.accountId}/${entry.region}`)).toEqual([
        `${account(3)}/eu-west-1`,
        `${account(3)}/eu-west-2`,
      ]);
      // reduce took the reason from the ResultWriter's FAILED file
      for (const entry of unscanned) {
        expect(entry.errorCode).toBe('ObjectStoreError');
        expect(entry.message).toContain('injected write failure');
      }
      expect(events).toContainEqual({
        type: 'batch-failed',
        targets: [
          { accountId: account(3), region: 'eu-west-1' },
          { accountId: account(3), region: 'eu-west-2' },
        ],
        error: 'ObjectStoreError',
        cause: expect.stringContaining('injected write failure'),
      });
    });
  });

  it('fails above the tolerated percentage with States.ExceedToleratedFailureThreshold and records the failure', async () => {
    await withTempStore(async (store) => {
      store.failWrites(partialOf(account(1)));
      store.failWrites(partialOf(account(2)));
      const { options, events } = runOptions(store, TOLERANT, { executionName: 'above-threshold' });

      const result = await runWorkflow(options);

      expect(result).toMatchObject({
        status: 'FAILED',
        executionName: 'above-threshold',
        error: 'States.ExceedToleratedFailureThreshold',
        failureKey: keys.failure('above-threshold'),
      });
      if (result.status !== 'FAILED') return;
      expect(result.cause).toMatch(
        /^4 of 10 items failed \(40%\), above the tolerated 20%; 2 of 2 child executions failed, the first with ObjectStoreError: .*injected write failure.*; results: runs\/map-results\/[0-9a-f-]{36}\/manifest\.json$/,
      );
      const record = FailureRecord.parse(await readJson(store, keys.failure('above-threshold')));
      expect(record).toMatchObject({
        executionName: 'above-threshold',
        error: 'States.ExceedToleratedFailureThreshold',
        cause: result.cause,
      });
      expect(Date.parse(record.failedAt)).toBeGreaterThanOrEqual(Date.parse(record.startedAt));
      // no batch started once the threshold was exceeded, and reduce never ran
      expect(partialWrites(store)).toHaveLength(2);
      expect(await store.list(keys.latest)).toEqual([]);
      expect(events.at(-1)).toEqual({ type: 'failed', error: result.error, cause: result.cause });
    });
  });

  it('records a failed plan through the Catch path, with the error named after the thrown error', async () => {
    await withTempStore(async (store) => {
      const { options } = runOptions(store, PARALLEL, {
        executionName: 'plan-failed',
        taskOverrides: {
          [STATE.plan]: async () => {
            throw new InvalidTargetsError('no targets to scan');
          },
        },
      });

      const result = await runWorkflow(options);

      expect(result).toMatchObject({
        status: 'FAILED',
        error: 'InvalidTargetsError',
        failureKey: keys.failure('plan-failed'),
      });
      if (result.status !== 'FAILED') return;
      expect(result.cause).toBe('no targets to scan');
      // the record holds the Cause as Lambda reports a function error to Step Functions
      const record = FailureRecord.parse(await readJson(store, keys.failure('plan-failed')));
      expect(record).toMatchObject({ executionName: 'plan-failed', error: 'InvalidTargetsError' });
      expect(JSON.parse(record.cause)).toMatchObject({
        errorType: 'InvalidTargetsError',
        errorMessage: 'no targets to scan',
      });
    });
  });

  it('refuses an execution name Step Functions would refuse', async () => {
    await withTempStore(async (store) => {
      const { options } = runOptions(store, PARALLEL, { executionName: 'nightly/2026' });

      await expect(runWorkflow(options)).rejects.toThrow(ValidationError);
    });
  });

  it.each(['Scan batches', STATE.fail, STATE.scan])(
    'refuses a task override of "%s", which is no Task state',
    async (name) => {
      await withTempStore(async (store) => {
        const { options } = runOptions(store, PARALLEL, { taskOverrides: { [name]: okWorker() } });

        await expect(runWorkflow(options)).rejects.toThrow(UnsupportedDefinitionError);
      });
    },
  );
});
