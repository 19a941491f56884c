/**
 * `report` and `diff` on hand-made report folders: what a damaged or incomplete report does (exit 2,
 * one line), and the run summary's cost line.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { deployedCostLine } from '../../cli/report/cost-line.ts';
import { formatUsd } from '../../cli/report/usd.ts';
import { parseInventoryConfig } from '../../shared/config.ts';
import type { Summary } from '../../shared/contracts.ts';
import { estimateRunCost } from '../../shared/cost-estimate.ts';
import { captureIo } from './support.ts';

const SUMMARY: Summary = {
  runId: 'hand-made',
  startedAt: '2026-12-01T03:00:00.000Z',
  finishedAt: '2026-12-01T03:01:00.000Z',
  functionCount: 40,
  byRuntime: { 'nodejs20.x': 40 },
  byAccount: { '111122223333': 40 },
  byRegion: { 'eu-west-1': 40 },
  byRuntimeStatus: { deprecated: 40 },
  coverage: { targets: 2, scanned: 2, byStatus: { ok: 2 }, skippedAccounts: 0 },
  deprecated: [],
};

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'report-files-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeRun(files: Record<string, string>): Promise<void> {
  const prefix = join(root, 'reports', '2026-12-01', 'hand-made');
  await mkdir(prefix, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(prefix, name), text);
}

async function cli(argv: string[]) {
  const capture = captureIo();
  const exitCode = await main(argv, capture.io);
  return { exitCode, stdout: capture.stdout(), stderr: capture.stderr() };
}

describe('report on a damaged or incomplete report', () => {
  it('exits 2 with one line when inventory.json is cut short', async () => {
    // Prepare
    await writeRun({
      'summary.json': JSON.stringify(SUMMARY),
      'inventory.json':
        '{"runId":"hand-made","startedAt":"2026-12-01T03:00:00.000Z","functions":[{"accountId":',
    });

    // Act
    const run = await cli(['report', '--out', root, '--format', 'json']);

    // Assess
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^lambda-inventory: unreadable report: .*inventory\.json: the document ends early$/,
      ),
    ]);
  });

  it('exits 2 naming the run when its inventory is missing', async () => {
    await writeRun({ 'summary.json': JSON.stringify(SUMMARY) });

    const run = await cli(['report', '--out', root, '--run', 'hand-made']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /^lambda-inventory: run hand-made has no inventory in .*reports\/2026-12-01\/hand-made\/\n$/,
    );
  });

  it('exits 2 when a summary.json is not a run summary', async () => {
    await writeRun({ 'summary.json': '{"runId": "hand-made"}' });

    const run = await cli(['report', '--out', root, '--list']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^lambda-inventory: .*summary\.json is not a run summary\n$/);
  });

  it('says there are no reports when the folder holds none', async () => {
    const run = await cli(['report', '--out', root, '--list', '--format', 'table']);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^no reports in /);
  });
});

describe('report --format html on a run older than report.html', () => {
  it('renders the page from the inventory, with a gzip inventory.json read as well as a plain one', async () => {
    // Prepare
    const coverage = [
      {
        accountId: '111122223333',
        accountName: 'prod',
        region: 'eu-west-1',
        status: 'ok',
        functionCount: 0,
        pages: 1,
        durationMs: 5,
        errorCode: null,
        message: null,
      },
      {
        accountId: '444455556666',
        accountName: 'dev',
        region: 'eu-west-1',
        status: 'access-denied',
        functionCount: null,
        pages: null,
        durationMs: 3,
        errorCode: 'AccessDenied',
        message: 'no role',
      },
    ];
    const inventory = {
      schemaVersion: 1,
      runId: 'hand-made',
      startedAt: SUMMARY.startedAt,
      functions: [],
      coverage,
    };
    await writeRun({ 'summary.json': JSON.stringify({ ...SUMMARY, functionCount: 0 }) });
    await writeFile(
      join(root, 'reports', '2026-12-01', 'hand-made', 'inventory.json.gz'),
      gzipSync(JSON.stringify(inventory)),
    );

    // Act
    const page = await cli(['report', '--out', root, '--format', 'html']);
    const gaps = await cli(['report', '--out', root, '--gaps', '--format', 'csv']);

    // Assess
    expect(page.exitCode).toBe(0);
    expect(page.stdout).toMatch(/^<!doctype html>/);
    expect(page.stdout).toContain('Run <b>hand-made</b>');
    expect(gaps.stdout.split('\r\n')).toEqual([
      'accountId,accountName,regions,errorCode,message',
      '444455556666,dev,1,AccessDenied,no role',
      '',
    ]);
  });
});

describe('deployedCostLine', () => {
  it('prices a run of the summary size at the configured map settings', () => {
    // Prepare
    const config = parseInventoryConfig({
      regions: ['eu-west-1', 'us-east-1'],
      map: { batchSize: 2, maxConcurrency: 5 },
    });
    const expected = estimateRunCost({
      accounts: 1,
      regions: 2,
      functionsPerRegion: 20,
      batchSize: 2,
      maxConcurrency: 5,
      workerMemoryMB: 512,
    });

    // Act
    const line = deployedCostLine(SUMMARY, config);

    // Assess
    expect(line).toBe(
      `Deployed, this run would cost about ${formatUsd(expected.totalUsd)} (line items: lambda-inventory estimate)`,
    );
  });

  it('has no line for a run without targets', () => {
    const empty = { ...SUMMARY, coverage: { ...SUMMARY.coverage, targets: 0 } };

    expect(deployedCostLine(empty, parseInventoryConfig({}))).toBeNull();
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.0000'],
    [0.0000123, '$0.000012'],
    [0.0126, '$0.0126'],
    [12.345, '$12.35'],
  ])('writes %s as %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });
});
