/**
 * `report`, `diff` and `estimate` end to end: two real runs of the local engine against the fleet
 * simulator (two fleets of the same organization, so the second run adds and removes functions) write
 * their reports to a local folder and to a bucket on s3rver; each command reads them back through
 * `main`, and what it prints is compared with the simulator's ground truth.
 */
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Client } from '../../functions/shared/clients.ts';
import { FolderObjectStore, type ObjectStore, S3ObjectStore } from '../../functions/shared/object-store.ts';
import { warmUpWorkflow } from '../../local/render-definition.ts';
import type { FunctionRecord } from '../../shared/contracts.ts';
import { type Fleet, type FleetSpec, generateFleet } from '../../simulator/index.ts';
import { type RunningS3rver, startS3rver } from '../unit/object-store-s3rver.ts';
import {
  csvFunctions,
  csvObjects,
  errorLines,
  expectedFunctions,
  inventoryConfig,
  MEMBER,
  ORGANIZATION_SPEC,
  QUIET_SDK,
  reportedFunctions,
  runCli,
  runInventory,
  setEnv,
  startFleet,
  succeeded,
  tempDir,
} from './support.ts';

const CONFIG = inventoryConfig({ maxConcurrency: 4, batchSize: 8, toleratedFailurePercentage: 0 });
const S3RVER_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };

/** The same organization twice: another seed gives most accounts other functions. */
const SPEC_A: FleetSpec = ORGANIZATION_SPEC;
const SPEC_B: FleetSpec = { ...ORGANIZATION_SPEC, seed: 'report-commands-b' };
const RUN_A = 'report-run-a';
const RUN_B = 'report-run-b';

let s3rver: RunningS3rver;
let s3: S3Client;
let restoreEnv: () => void;
let dir: { path: string; remove(): Promise<void> };
const BUCKET = 'report-commands';
const fleets: { a?: Fleet; b?: Fleet } = {};

async function twoRuns(store: ObjectStore, bucket: string): Promise<void> {
  for (const [spec, runId, key] of [
    [SPEC_A, RUN_A, 'a'],
    [SPEC_B, RUN_B, 'b'],
  ] as const) {
    const running = await startFleet(spec, S3RVER_CREDENTIALS);
    try {
      succeeded(await runInventory({ config: CONFIG, store, bucket, input: { runId } }));
      fleets[key] = running.fleet;
    } finally {
      await running.stop();
    }
  }
}

beforeAll(async () => {
  s3rver = await startS3rver();
  restoreEnv = setEnv({
    AWS_ENDPOINT_URL_S3: s3rver.endpoint,
    AWS_REGION: 'us-east-1',
    ...S3RVER_CREDENTIALS,
    ...QUIET_SDK,
  });
  s3 = s3Client();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  dir = await tempDir('report-commands');
  await warmUpWorkflow(CONFIG);
  await twoRuns(new FolderObjectStore(dir.path), 'report-folder');
  await twoRuns(new S3ObjectStore(s3, BUCKET), BUCKET);
}, 180_000);

afterAll(async () => {
  s3?.destroy();
  restoreEnv?.();
  await s3rver?.stop();
  await dir?.remove();
});

/** `<account> <region> <arn>`: what identifies a function across runs. */
const functionKeys = (fleet: Fleet | undefined) =>
  new Set(expectedFunctions(fleet as Fleet).map((line) => line.split(' ').slice(0, 3).join(' ')));

const LOCATIONS = [
  { where: 'a local folder', flags: () => ['--out', dir.path] },
  { where: 'an S3 bucket (s3rver)', flags: () => ['--bucket', BUCKET] },
];

describe.each(LOCATIONS)('report and diff reading $where', ({ flags }) => {
  it('prints every function of the latest run as JSON, as the simulator holds them', async () => {
    // Act
    const cli = await runCli(['report', ...flags(), '--format', 'json']);

    // Assess
    expect(cli.exitCode).toBe(0);
    expect(errorLines(cli.stderr)).toEqual([]);
    const rows = JSON.parse(cli.stdout) as FunctionRecord[];
    expect(reportedFunctions(rows)).toEqual(expectedFunctions(fleets.b as Fleet));
  });

  it('prints exactly the filtered rows of an earlier run as CSV', async () => {
    // Prepare
    const all = JSON.parse((await runCli(['report', ...flags(), '--run', RUN_A, '--format', 'json'])).stdout);
    const wanted = (all as FunctionRecord[]).filter(
      (row) => row.region === 'eu-west-1' && ['deprecated', 'deprecating-soon'].includes(row.runtimeStatus),
    );

    // Act
    const cli = await runCli([
      'report',
      ...flags(),
      '--run',
      RUN_A,
      '--format',
      'csv',
      '--region',
      'eu-west-1',
      '--runtime-status',
      'deprecated,deprecating-soon',
    ]);

    // Assess
    expect(cli.exitCode).toBe(0);
    expect(reportedFunctions(all)).toEqual(expectedFunctions(fleets.a as Fleet));
    expect(wanted.length).toBeGreaterThan(0);
    expect(csvFunctions(csvObjects(cli.stdout))).toEqual(reportedFunctions(wanted));
  });

  it('lists both runs, oldest first, with their function counts', async () => {
    // Act
    const cli = await runCli(['report', ...flags(), '--list', '--format', 'json']);

    // Assess
    expect(cli.exitCode).toBe(0);
    const runs = JSON.parse(cli.stdout) as { runId: string; functions: number; coveragePercent: number }[];
    expect(runs.map((run) => [run.runId, run.functions])).toEqual([
      [RUN_A, functionKeys(fleets.a).size],
      [RUN_B, functionKeys(fleets.b).size],
    ]);
    expect(runs.every((run) => run.coveragePercent > 0 && run.coveragePercent < 100)).toBe(true);
  });

  it('shows the account without the member role as the only gap, with the StackSets command for it', async () => {
    // Act
    const cli = await runCli(['report', ...flags(), '--gaps', '--format', 'json']);

    // Assess
    expect(cli.exitCode).toBe(0);
    const { gaps, command } = JSON.parse(cli.stdout) as { gaps: { accountId: string }[]; command: string };
    expect(gaps.map((gap) => gap.accountId)).toEqual([MEMBER.noRole]);
    expect(command).toContain(`Accounts=${MEMBER.noRole},AccountFilterType=INTERSECTION`);
  });

  it("prints the latest run's HTML page", async () => {
    const cli = await runCli(['report', ...flags(), '--format', 'html']);

    expect(cli.exitCode).toBe(0);
    expect(cli.stdout).toMatch(/^<!doctype html>/);
    expect(cli.stdout).toContain(`Run <b>${RUN_B}</b>`);
  });

  it('compares the latest run with the one before: added, removed and kept functions as the fleets differ', async () => {
    // Prepare
    const before = functionKeys(fleets.a);
    const after = functionKeys(fleets.b);
    const kept = [...after].filter((key) => before.has(key)).length;

    // Act
    const cli = await runCli(['diff', ...flags(), '--format', 'json', '--limit', '100000']);

    // Assess
    expect(cli.exitCode).toBe(0);
    const diff = JSON.parse(cli.stdout);
    expect([diff.previous.runId, diff.current.runId]).toEqual([RUN_A, RUN_B]);
    expect(diff.counts).toMatchObject({
      added: after.size - kept,
      removed: before.size - kept,
      notCompared: { previousOnly: 0, currentOnly: 0 },
    });
    expect(diff.counts.changed + diff.counts.unchanged).toBe(kept);
    expect(diff.added.map((f: FunctionRecord) => f.functionName).sort()).toEqual(
      [...after]
        .filter((key) => !before.has(key))
        .map((key) => key.split(':function:')[1])
        .sort(),
    );
  });

  it('compares two runs named on the command line, in that order, as a table', async () => {
    // Prepare
    const [from, to] = [functionKeys(fleets.b), functionKeys(fleets.a)];
    const kept = [...to].filter((key) => from.has(key)).length;

    // Act
    const cli = await runCli(['diff', RUN_B, RUN_A, ...flags(), '--format', 'table']);

    // Assess
    expect(cli.exitCode).toBe(0);
    const [first, , header] = cli.stdout.split('\n');
    expect(first).toMatch(
      new RegExp(
        `^${RUN_B} -> ${RUN_A}: \\+${to.size - kept} −${from.size - kept} ~\\d+ functions, .* since ${RUN_B}$`,
      ),
    );
    expect(header).toMatch(/^CHANGE +ACCOUNT +REGION +FUNCTION +DETAIL$/);
    const added = cli.stdout.split('\n').filter((line) => line.startsWith('added '));
    expect(added).toHaveLength(to.size - kept);
  });

  it('exits 2 with one line naming a run that is not there', async () => {
    const cli = await runCli(['report', ...flags(), '--run', 'no-such-run']);

    expect(cli.exitCode).toBe(2);
    expect(errorLines(cli.stderr)).toEqual([
      `lambda-inventory: no report of run no-such-run in ${locationOf(flags())}`,
    ]);
    expect(cli.stdout).toBe('');
  });
});

function locationOf(flags: string[]): string {
  return flags[0] === '--bucket' ? `s3://${flags[1]}` : new FolderObjectStore(flags[1] as string).location;
}

describe('report with nothing to read', () => {
  it('exits 2 with one line when the bucket does not exist', async () => {
    const cli = await runCli(['report', '--bucket', 'no-such-bucket']);

    expect(cli.exitCode).toBe(2);
    const lines = errorLines(cli.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^lambda-inventory: s3:\/\/no-such-bucket: listing reports\/: .*NoSuchBucket/);
  });

  it('exits 2 with one line when the folder does not exist', async () => {
    const cli = await runCli(['diff', '--out', `${dir.path}/missing`]);

    expect(cli.exitCode).toBe(2);
    expect(errorLines(cli.stderr)).toEqual([
      `lambda-inventory: no report folder at ${dir.path}/missing (give --out <dir> or --bucket <name>)`,
    ]);
  });

  it('exits 2 when there is no run before the latest to compare with', async () => {
    // Prepare
    const single = await tempDir('report-single');
    const running = await startFleet(SPEC_A, S3RVER_CREDENTIALS);
    try {
      succeeded(
        await runInventory({
          config: CONFIG,
          store: new FolderObjectStore(single.path),
          input: { runId: 'only' },
        }),
      );
    } finally {
      await running.stop();
    }

    // Act
    const cli = await runCli(['diff', '--out', single.path]);
    await single.remove();

    // Assess
    expect(cli.exitCode).toBe(2);
    expect(errorLines(cli.stderr)).toEqual([
      `lambda-inventory: no run before only in ${new FolderObjectStore(single.path).location}: nothing to compare with`,
    ]);
  });
});

describe('estimate', () => {
  it('prints the line items and the total for the organization size given', async () => {
    const cli = await runCli([
      'estimate',
      '--accounts',
      '1000',
      '--regions',
      '20',
      '--functions-per-region',
      '50',
    ]);

    expect(cli.exitCode).toBe(0);
    expect(cli.stdout).toContain('1000 accounts x 20 regions = 20000 targets');
    expect(cli.stdout).toMatch(/^Total per run: \$0\.\d{4} /m);
  });

  it('exits 2 with one line naming a bad flag', async () => {
    const cli = await runCli(['estimate', '--accounts', 'lots']);

    expect(cli.exitCode).toBe(2);
    expect(errorLines(cli.stderr)).toEqual([
      'lambda-inventory: --accounts: "lots" must be a whole number from 1 to 1000000',
    ]);
  });
});

// the two fleets must differ for the diff to prove anything
it('uses two fleets that share some functions and differ in others', () => {
  const a = functionKeys(generateFleet(SPEC_A));
  const b = functionKeys(generateFleet(SPEC_B));
  const shared = [...a].filter((key) => b.has(key)).length;

  expect(shared).toBeGreaterThan(0);
  expect(shared).toBeLessThan(Math.min(a.size, b.size));
});
