import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as estimate from '../../cli/commands/estimate.ts';
import { formatUsd } from '../../cli/report/usd.ts';
import { UsageError } from '../../cli/usage-error.ts';
import { parseInventoryConfig } from '../../shared/config.ts';
import { DEFAULT_MEMORY_MB, estimateRunCost } from '../../shared/cost-estimate.ts';
import { captureIo } from './support.ts';

const NONE = {
  configPath: undefined,
  accounts: undefined,
  regions: undefined,
  functionsPerRegion: undefined,
  batchSize: undefined,
  concurrency: undefined,
  regionConcurrency: undefined,
  workerMemoryMB: undefined,
  apiLatencyMs: undefined,
  json: false,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'estimate-test-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('estimate: parse', () => {
  it.each([
    [[], NONE],
    [
      [
        '--accounts',
        '1000',
        '--regions',
        '20',
        '--functions-per-region',
        '50',
        '--batch-size',
        '40',
        '--concurrency',
        '100',
      ],
      { ...NONE, accounts: 1000, regions: 20, functionsPerRegion: 50, batchSize: 40, concurrency: 100 },
    ],
    [
      ['--config', 'c.json', '--json', '--worker-memory', '1024'],
      { ...NONE, configPath: 'c.json', json: true, workerMemoryMB: 1024 },
    ],
    [
      ['--region-concurrency', '4', '--api-latency-ms', '250'],
      { ...NONE, regionConcurrency: 4, apiLatencyMs: 250 },
    ],
  ])('reads %j', (argv, expected) => {
    expect(estimate.parse(argv)).toEqual(expected);
  });

  it.each([
    [['--accounts', '0'], '--accounts: "0" must be a whole number from 1'],
    [['--regions', 'many'], '--regions: "many"'],
    [['--batch-size', '201'], '--batch-size: "201"'],
    [['--concurrency', '-1'], '--concurrency: "-1"'],
    [['--worker-memory', '64'], '--worker-memory: "64"'],
    [['--functions-per-region', '1.5'], '--functions-per-region: "1.5"'],
  ])('rejects %j with a line naming the flag', (argv, message) => {
    expect(() => estimate.parse(argv)).toThrow(UsageError);
    expect(() => estimate.parse(argv)).toThrow(message);
  });
});

describe('estimate: the run shape', () => {
  const config = parseInventoryConfig({
    targets: { source: 'accounts', accounts: ['111122223333', '444455556666', '777788889999'] },
    regions: ['eu-west-1', 'us-east-1'],
    map: { maxConcurrency: 7, batchSize: 4 },
  });

  it('takes the accounts, regions and map settings of the config', () => {
    expect(estimate.runShape(NONE, config)).toMatchObject({
      accounts: 3,
      regions: 2,
      batchSize: 4,
      maxConcurrency: 7,
      workerMemoryMB: DEFAULT_MEMORY_MB.worker,
    });
  });

  it('lets flags win over the config', () => {
    const shape = estimate.runShape({ ...NONE, accounts: 500, regions: 17, concurrency: 50 }, config);

    expect(shape).toMatchObject({ accounts: 500, regions: 17, batchSize: 4, maxConcurrency: 50 });
  });

  it('needs --accounts when the config discovers accounts', () => {
    const discovering = parseInventoryConfig({});

    expect(() => estimate.runShape(NONE, discovering)).toThrow(
      new UsageError(
        '--accounts is needed: the config discovers accounts with Organizations, so their number is unknown',
      ),
    );
  });
});

describe('estimate: execute', () => {
  it('prints every line item of the estimate and its total', async () => {
    // Prepare
    const capture = captureIo();
    const options = { ...NONE, accounts: 1000, regions: 20, functionsPerRegion: 50 };
    const expected = estimateRunCost(estimate.runShape(options, undefined));

    // Act
    const code = await estimate.execute(options, capture.io);

    // Assess
    expect(code).toBe(0);
    const out = capture.stdout();
    for (const line of expected.lines) expect(out).toContain(line.item);
    expect(out).toContain(`Total per run: ${formatUsd(expected.totalUsd)}`);
    expect(out).toContain('1000 accounts x 20 regions = 20000 targets');
  });

  it('reads the shape from --config and writes JSON with --json', async () => {
    // Prepare
    const path = join(dir, 'estimate.json');
    await writeFile(
      path,
      JSON.stringify({ targets: { source: 'accounts', accounts: ['111122223333'] }, regions: ['eu-west-1'] }),
    );
    const capture = captureIo();

    // Act
    const code = await estimate.execute({ ...NONE, configPath: path, json: true }, capture.io);

    // Assess
    expect(code).toBe(0);
    const printed = JSON.parse(capture.stdout());
    expect(printed.shape).toMatchObject({ accounts: 1, regions: 1 });
    expect(printed.totalUsd).toBeCloseTo(
      printed.lines.reduce((sum: number, line: { usd: number }) => sum + line.usd, 0),
      12,
    );
  });

  it('turns an invalid config into a usage error naming --config', async () => {
    const path = join(dir, 'estimate-bad.json');
    await writeFile(path, JSON.stringify({ regions: ['nowhere'] }));

    await expect(estimate.execute({ ...NONE, configPath: path }, captureIo().io)).rejects.toThrow(
      /^--config: invalid inventory config: regions/,
    );
  });
});
