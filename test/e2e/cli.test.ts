/**
 * The CLI end to end: `run --local --simulate <spec>` starts the simulator in-process, runs the real
 * definition in the local engine and prints the summary; exit codes 0 (complete), 1 (coverage below
 * --min-coverage) and 2 (bad usage); `--json`; and `simulate`, which serves a fleet to any client.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as simulate from '../../cli/commands/simulate.ts';
import { organizationsClient } from '../../functions/shared/clients.ts';
import { LatestPointer, ReduceOutput, Summary } from '../../shared/contracts.ts';
import { type FleetSpec, generateFleet } from '../../simulator/index.ts';
import {
  captureIo,
  errorLines,
  expectedFunctions,
  FLEET_REGIONS,
  MEMBER,
  ORGANIZATION_SPEC,
  runCli,
  setEnv,
  tempDir,
} from './support.ts';

/** Every member has the role: the only gaps are opt-in regions an account has not enabled, which count as covered. */
const COMPLETE_SPEC: FleetSpec = {
  seed: 'cli-complete',
  regions: FLEET_REGIONS.slice(0, 3),
  optInRegions: FLEET_REGIONS.slice(3),
  accounts: 3,
  suspendedAccounts: 0,
  accountsWithoutRole: 0,
  functionsPerRegion: { min: 1, max: 20 },
  heavyRegions: { count: 1, functions: { min: 55, max: 80 } },
};

let dir: { path: string; remove(): Promise<void> };
const specs = { complete: '', organization: '' };

beforeAll(async () => {
  dir = await tempDir('cli');
  specs.complete = join(dir.path, 'complete.json');
  specs.organization = join(dir.path, 'organization.json');
  await writeFile(specs.complete, JSON.stringify(COMPLETE_SPEC));
  await writeFile(specs.organization, JSON.stringify(ORGANIZATION_SPEC));
});

afterAll(async () => {
  await dir?.remove();
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const readJsonFile = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));

describe('lambda-inventory run --local --simulate', () => {
  it('exits 0 and prints functions by runtime status, coverage and where the report is', async () => {
    // Prepare
    const out = join(dir.path, 'complete');
    const functionCount = expectedFunctions(generateFleet(COMPLETE_SPEC)).length;

    // Act
    const cli = await runCli(['run', '--local', '--simulate', specs.complete, '--out', out]);

    // Assess
    expect(cli.exitCode).toBe(0);
    expect(errorLines(cli.stderr)).toEqual([]);
    const latest = LatestPointer.parse(await readJsonFile(join(out, 'reports', 'latest.json')));
    const summary = Summary.parse(await readJsonFile(join(out, latest.keys.summaryJson)));
    expect(summary.functionCount).toBe(functionCount);
    expect(cli.stdout).toContain(`Run ${latest.runId}: ${functionCount} functions in `);
    expect(cli.stdout).toContain('Functions by runtime status');
    for (const [status, count] of Object.entries(summary.byRuntimeStatus)) {
      expect(cli.stdout).toMatch(new RegExp(`^ {2}${status} +${count}$`, 'm'));
    }
    expect(cli.stdout).toContain(
      `Coverage: 100.0% of ${summary.coverage.targets} targets (account x region)`,
    );
    expect(cli.stdout).toContain(`Report: ${join(out, latest.keys.prefix)}`);
    for (const key of [latest.keys.inventoryJson, latest.keys.inventoryCsv, latest.keys.coverageCsv]) {
      expect(await exists(join(out, key)), key).toBe(true);
    }
  });

  it('exits 1 when coverage is below --min-coverage, and still writes the report', async () => {
    // Prepare
    const out = join(dir.path, 'below-coverage');
    const fleet = generateFleet(ORGANIZATION_SPEC);

    // Act
    const cli = await runCli([
      'run',
      '--local',
      '--simulate',
      specs.organization,
      '--out',
      out,
      '--min-coverage',
      '100',
    ]);

    // Assess
    expect(fleet.account(MEMBER.noRole)?.hasRole).toBe(false);
    expect(cli.exitCode).toBe(1);
    expect(cli.stdout).toMatch(
      /^Coverage: \d+\.\d% of 28 targets \(account x region\), BELOW the required 100%$/m,
    );
    expect(cli.stdout).toMatch(
      new RegExp(`^ {2}access-denied +${MEMBER.noRole} eu-west-1 AccessDenied$`, 'm'),
    );
    const latest = LatestPointer.parse(await readJsonFile(join(out, 'reports', 'latest.json')));
    expect(latest.coverage.byStatus['access-denied']).toBe(4);
  });

  it('rescans with --retry exactly the accounts and regions a run could not scan', async () => {
    // Prepare
    const out = join(dir.path, 'retry');
    const first = await runCli(['run', '--local', '--simulate', specs.organization, '--out', out]);
    const firstRun = LatestPointer.parse(await readJsonFile(join(out, 'reports', 'latest.json')));

    // Act
    const retry = await runCli([
      'run',
      '--local',
      '--simulate',
      specs.organization,
      '--out',
      out,
      '--retry',
      firstRun.runId,
      '--min-coverage',
      '0',
    ]);

    // Assess
    expect(first.exitCode).toBe(1);
    expect(retry.exitCode).toBe(0);
    expect(retry.stderr).toContain(`retrying 4 targets of run ${firstRun.runId}: 1 account x 4 regions`);
    const retried = LatestPointer.parse(await readJsonFile(join(out, 'reports', 'latest.json')));
    expect(retried.runId).not.toBe(firstRun.runId);
    // the account still has no role: the same four targets, still access-denied, and nothing else scanned
    expect(retried.coverage.targets).toBe(4);
    expect(retried.coverage.byStatus['access-denied']).toBe(4);
  });

  it('refuses --retry with its own targets, naming the flags', async () => {
    // Act
    const cli = await runCli(['run', '--local', '--retry', 'run-1', '--regions', 'eu-west-1']);

    // Assess
    expect(cli.exitCode).toBe(2);
    expect(errorLines(cli.stderr)).toEqual([
      'lambda-inventory: --retry takes its targets from that run: drop --accounts, --regions and --organization',
    ]);
  });

  it('exits 2 on bad usage with one line on stderr and writes nothing', async () => {
    // Prepare
    const out = join(dir.path, 'bad-usage');

    // Act
    const cli = await runCli([
      'run',
      '--local',
      '--simulate',
      specs.complete,
      '--accounts',
      '123',
      '--out',
      out,
    ]);

    // Assess
    expect(cli.exitCode).toBe(2);
    expect(cli.stderr.split('\n').filter(Boolean)).toEqual([
      'lambda-inventory: --accounts: "123" must be a 12-digit AWS account id',
    ]);
    expect(cli.stdout).toBe('');
    expect(await exists(out)).toBe(false);
  });

  it('prints only parseable JSON with --json: the run, its report keys and its coverage', async () => {
    // Prepare
    const out = join(dir.path, 'json');
    const functionCount = expectedFunctions(generateFleet(COMPLETE_SPEC)).length;

    // Act
    const cli = await runCli(['run', '--local', '--simulate', specs.complete, '--out', out, '--json']);

    // Assess
    expect(cli.exitCode).toBe(0);
    const printed = JSON.parse(cli.stdout) as Record<string, unknown>;
    const { runId, keys, coverage } = ReduceOutput.parse({
      runId: printed.runId,
      keys: printed.keys,
      functionCount: printed.functionCount,
      coverage: printed.coverage,
    });
    expect(printed).toMatchObject({ functionCount, coveragePercent: 100, summary: { runId, functionCount } });
    expect(coverage.byStatus.ok).toBeGreaterThan(0);
    expect(await exists(join(out, keys.summaryJson))).toBe(true);
  });
});

describe('lambda-inventory simulate', () => {
  it('prints the endpoint and the environment that points an SDK at it, and serves the fleet until stopped', async () => {
    // Prepare
    const options = simulate.parse(['--spec', specs.organization, '--port', '0']);
    const captured = captureIo();
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const fleet = generateFleet(ORGANIZATION_SPEC);

    // Act
    const exitCode = simulate.execute(options, captured.io, until);
    await vi.waitFor(() => expect(captured.stdout()).toContain('Press Ctrl-C to stop.'));
    const printed = captured.stdout();
    const endpoint = /fleet simulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1] ?? '';
    const exported = Object.fromEntries(
      [...printed.matchAll(/^ {2}export (\w+)=(\S+)$/gm)].map(([, name, value]) => [
        name as string,
        value as string,
      ]),
    );
    const restore = setEnv(exported);
    let listed: string[] = [];
    try {
      const { Accounts } = await organizationsClient().send(new ListAccountsCommand({ MaxResults: 20 }));
      listed = (Accounts ?? []).map((account) => account.Id ?? '');
    } finally {
      restore();
    }
    stop();

    // Assess
    expect(endpoint).not.toBe('');
    expect(exported).toMatchObject({
      AWS_ENDPOINT_URL_STS: endpoint,
      AWS_ENDPOINT_URL_LAMBDA: endpoint,
      AWS_ENDPOINT_URL_ORGANIZATIONS: endpoint,
    });
    expect(exported.AWS_ACCESS_KEY_ID).toBeDefined();
    expect(listed.sort()).toEqual(fleet.accounts.map((account) => account.id).sort());
    expect(await exitCode).toBe(0);
    expect(captured.stdout()).toMatch(/simulator stopped\n$/);
    await expect(fetch(endpoint)).rejects.toThrow();
  });
});
