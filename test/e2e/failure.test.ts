/**
 * Worker batches that fail for good: above the tolerated percentage the run fails with
 * States.ExceedToleratedFailureThreshold, leaves a failure record and keeps reports/latest.json on
 * the last complete run; within the tolerance the run completes and shows the lost targets as gaps.
 * Batches are made to fail where real runs fail: their partial cannot be written to the store.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FolderObjectStore, getJson } from '../../functions/shared/object-store.ts';
import { warmUpWorkflow } from '../../local/render-definition.ts';
import { FailureRecord } from '../../shared/contracts.ts';
import { generateFleet } from '../../simulator/index.ts';
import {
  errorLines,
  expectedCoverage,
  expectedFunctions,
  inventoryConfig,
  MEMBER,
  ORGANIZATION_SPEC,
  readLatest,
  readReport,
  readTree,
  reportedCoverage,
  reportedFunctions,
  runCli,
  runInventory,
  startFleet,
  succeeded,
  tempDir,
} from './support.ts';

/** A folder store whose writes of one account's partials always fail. */
class FailingPartialsStore extends FolderObjectStore {
  constructor(
    root: string,
    private readonly accountId: string,
  ) {
    super(root);
  }

  override async put(key: string, body: string | Uint8Array): Promise<void> {
    // runs/<runId>/partials/<scanId>/<accountId>-<region>-<hash>.ndjson.gz
    if (/\/partials\/[0-9a-f]{12}\//.test(key) && key.includes(`/${this.accountId}-`)) {
      throw new Error(`disk full while writing ${key}`);
    }
    await super.put(key, body);
  }
}

const STRICT = inventoryConfig({ maxConcurrency: 2, batchSize: 4, toleratedFailurePercentage: 0 });
const TOLERANT = inventoryConfig({ maxConcurrency: 2, batchSize: 4, toleratedFailurePercentage: 20 });
/** The worker retries a failed partial write after 5 s: no pause in tests. */
const NO_RETRY_PAUSE = { retryIntervalOverrides: { 'Scan batch': 0 } };
const FAILING_ACCOUNT = MEMBER.heavy;

beforeAll(async () => {
  for (const config of [STRICT, TOLERANT]) await warmUpWorkflow(config);
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function prepare() {
  const running = await startFleet(ORGANIZATION_SPEC);
  cleanups.push(running.stop);
  const dir = await tempDir('failure');
  cleanups.push(dir.remove);
  return { ...running, root: dir.path };
}

describe('a run whose failed batches exceed the tolerance', () => {
  it('fails with States.ExceedToleratedFailureThreshold and records the error and cause', async () => {
    // Prepare
    const { root } = await prepare();
    const store = new FailingPartialsStore(root, FAILING_ACCOUNT);
    const executionName = 'e2e-tolerance-exceeded';

    // Act
    const result = await runInventory({ config: STRICT, store, executionName, extra: NO_RETRY_PAUSE });

    // Assess
    if (result.status !== 'FAILED') throw new Error('the run succeeded');
    expect(result.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(result.cause).toMatch(
      /^4 of 28 items failed \(14\.3%\), above the tolerated 0%; 1 of \d+ child executions failed/,
    );
    expect(result.cause).toMatch(new RegExp(`partials/[0-9a-f]{12}/${FAILING_ACCOUNT}-`));
    expect(result.failureKey).toBe(`reports/failures/${executionName}.json`);
    const record = FailureRecord.parse(await getJson(store, `reports/failures/${executionName}.json`));
    expect(record).toMatchObject({ executionName, error: result.error, cause: result.cause });
    expect(Date.parse(record.failedAt)).toBeGreaterThanOrEqual(Date.parse(record.startedAt));
  });

  it('writes no report and leaves reports/latest.json on the last complete run', async () => {
    // Prepare
    const { root } = await prepare();
    const complete = succeeded(await runInventory({ config: STRICT, store: new FolderObjectStore(root) }));
    const store = new FailingPartialsStore(root, FAILING_ACCOUNT);
    const executionName = 'e2e-no-report';

    // Act
    const result = await runInventory({ config: STRICT, store, executionName, extra: NO_RETRY_PAUSE });

    // Assess
    expect(result.status).toBe('FAILED');
    expect((await readLatest(store)).runId).toBe(complete.runId);
    const reportKeys = await store.list('reports/');
    expect(reportKeys.filter((key) => key.includes(executionName))).toEqual([
      `reports/failures/${executionName}.json`,
    ]);
  });
});

describe('a run whose failed batches stay within the tolerance', () => {
  it('succeeds and shows the lost targets as not scanned, with the batch error and no function count', async () => {
    // Prepare
    const { fleet, root } = await prepare();
    const store = new FailingPartialsStore(root, FAILING_ACCOUNT);
    const others = fleet.accounts.map((account) => account.id).filter((id) => id !== FAILING_ACCOUNT);

    // Act
    const output = succeeded(await runInventory({ config: TOLERANT, store, extra: NO_RETRY_PAUSE }));
    const { inventory, summary } = await readReport(store, output.keys);

    // Assess
    const lost = inventory.coverage.filter((entry) => entry.accountId === FAILING_ACCOUNT);
    expect(lost).toHaveLength(4);
    for (const entry of lost) {
      expect(entry).toMatchObject({
        status: 'not-scanned',
        functionCount: null,
        pages: null,
        errorCode: 'ObjectStoreError',
      });
      expect(entry.message).toContain('disk full');
    }
    expect(
      reportedCoverage(inventory.coverage.filter((entry) => entry.accountId !== FAILING_ACCOUNT)),
    ).toEqual(expectedCoverage(fleet, others));
    expect(reportedFunctions(inventory.functions)).toEqual(expectedFunctions(fleet, { accounts: others }));
    expect(summary.coverage.byStatus['not-scanned']).toBe(4);
    expect((await readLatest(store)).runId).toBe(output.runId);
  });
});

describe('the CLI, when the tolerance is exceeded', () => {
  // the CLI cannot shorten the worker's retry of a failed write: up to 5 + 10 s of jittered pauses
  it('exits 1 with one line on stderr naming the error and the failure record', {
    timeout: 60_000,
  }, async () => {
    // Prepare
    const dir = await tempDir('cli-failure');
    cleanups.push(dir.remove);
    const specPath = join(dir.path, 'fleet.json');
    await writeFile(specPath, JSON.stringify(ORGANIZATION_SPEC));
    const out = join(dir.path, 'out');
    const runId = 'e2e-cli-failure';
    // a file where the run's partials folder belongs: every partial write fails
    await mkdir(join(out, 'runs', runId), { recursive: true });
    await writeFile(join(out, 'runs', runId, 'partials'), 'not a folder');

    // Act
    const cli = await runCli([
      'run',
      '--local',
      '--simulate',
      specPath,
      '--out',
      out,
      '--run-id',
      runId,
      '--batch-size',
      '200',
      '--tolerated-failure-percentage',
      '0',
    ]);

    // Assess
    expect(cli.exitCode).toBe(1);
    const recordPath = join(out, 'reports', 'failures', `${runId}.json`);
    expect(errorLines(cli.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^lambda-inventory: run ${runId} failed: States\\.ExceedToleratedFailureThreshold: 28 of 28 items failed .*\\(failure record: ${recordPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`,
        ),
      ),
    ]);
    const files = await readTree(out);
    expect(
      FailureRecord.parse(JSON.parse(files.get(`reports/failures/${runId}.json`) ?? '{}')),
    ).toMatchObject({
      executionName: runId,
      error: 'States.ExceedToleratedFailureThreshold',
    });
    expect(
      [...files.keys()].filter((key) => key.startsWith('reports/') && !key.startsWith('reports/failures/')),
    ).toEqual([]);
    const secrets = generateFleet(ORGANIZATION_SPEC).secretValues();
    for (const text of [...files.values(), cli.stdout, cli.stderr]) {
      expect(secrets.filter((secret) => text.includes(secret))).toEqual([]);
    }
  });
});
