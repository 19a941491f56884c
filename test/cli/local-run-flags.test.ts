import { describe, expect, it } from 'vitest';
import * as run from '../../cli/commands/run.ts';
import * as serve from '../../cli/commands/serve.ts';
import { LOCAL_RUN_FLAGS, parseLocalRunFlags } from '../../cli/local-run-flags.ts';
import { DEFAULT_OUT_DIR } from '../../cli/operate/connection.ts';
import { parseOptions } from '../../cli/options.ts';
import { UsageError } from '../../cli/usage-error.ts';

const OUT_WITH_BUCKET = '--out and --bucket: test message';

const parse = (argv: string[]) =>
  parseLocalRunFlags(parseOptions(argv, LOCAL_RUN_FLAGS), { outWithBucket: OUT_WITH_BUCKET });

describe('parseLocalRunFlags', () => {
  it('reads no flags as the default folder and nothing else', () => {
    expect(parse([])).toEqual({
      simulate: undefined,
      accounts: undefined,
      regions: undefined,
      organization: undefined,
      configPath: undefined,
      out: DEFAULT_OUT_DIR,
      bucket: undefined,
      concurrency: undefined,
      batchSize: undefined,
      regionConcurrency: undefined,
      toleratedFailurePercentage: undefined,
    });
  });

  it.each([
    ['2.5', 2.5],
    ['0', 0],
    ['100', 100],
  ])('takes a tolerated failure percentage of %s, fractions included, as the config does', (raw, value) => {
    expect(parse(['--tolerated-failure-percentage', raw]).toleratedFailurePercentage).toBe(value);
  });

  it('reads the targets, the config file, the folder and every tuning flag', () => {
    const flags = parse([
      '--simulate',
      'fleet.json',
      '--accounts',
      '111111111111,222222222222',
      '--regions',
      'eu-west-1',
      '--config',
      'inventory.json',
      '--out',
      'reports',
      '--concurrency',
      '10000',
      '--batch-size',
      '200',
      '--region-concurrency',
      '64',
      '--tolerated-failure-percentage',
      '0',
    ]);

    expect(flags).toEqual({
      simulate: { spec: 'fleet.json' },
      accounts: ['111111111111', '222222222222'],
      regions: ['eu-west-1'],
      organization: undefined,
      configPath: 'inventory.json',
      out: 'reports',
      bucket: undefined,
      concurrency: 10_000,
      batchSize: 200,
      regionConcurrency: 64,
      toleratedFailurePercentage: 0,
    });
  });

  it.each([
    [['--simulate'], {}],
    [['--simulate=fleet.json'], { spec: 'fleet.json' }],
  ])('reads the simulator flag %j as %j', (argv, simulate) => {
    expect(parse(argv).simulate).toEqual(simulate);
  });

  it('reads a bucket, keeping the default folder beside it', () => {
    expect(parse(['--bucket', 'my-bucket'])).toMatchObject({ bucket: 'my-bucket', out: DEFAULT_OUT_DIR });
  });

  it('reads Organizations discovery with its filters', () => {
    expect(parse(['--organization', '--exclude-ous', 'ou-ab12-cdefgh12']).organization).toEqual({
      includeOus: [],
      excludeOus: ['ou-ab12-cdefgh12'],
      excludeAccounts: [],
    });
  });

  it.each([
    [['--out', 'x', '--bucket', 'y'], OUT_WITH_BUCKET],
    [['--concurrency', '0'], '--concurrency: "0" must be a whole number from 1 to 10000'],
    [['--concurrency', '10001'], '--concurrency: "10001" must be a whole number from 1 to 10000'],
    [['--batch-size', '201'], '--batch-size: "201" must be a whole number from 1 to 200'],
    [['--batch-size', '2.5'], '--batch-size: "2.5" must be a whole number from 1 to 200'],
    [['--region-concurrency', '65'], '--region-concurrency: "65" must be a whole number from 1 to 64'],
    [
      ['--tolerated-failure-percentage', '-1'],
      '--tolerated-failure-percentage: "-1" must be a number from 0 to 100',
    ],
    [
      ['--tolerated-failure-percentage', '100.5'],
      '--tolerated-failure-percentage: "100.5" must be a number from 0 to 100',
    ],
    [
      ['--tolerated-failure-percentage', '1e1'],
      '--tolerated-failure-percentage: "1e1" must be a number from 0 to 100',
    ],
    [['--accounts', '12345'], '--accounts: "12345" must be a 12-digit AWS account id'],
    [
      ['--exclude-accounts', '111111111111'],
      '--include-ous, --exclude-ous and --exclude-accounts need --organization',
    ],
  ])('rejects %j with "%s"', (argv, message) => {
    expect(() => parse(argv)).toThrow(new UsageError(message));
  });
});

describe('the commands that run locally', () => {
  it.each([
    [
      'run',
      () => run.parse(['--local', '--out', 'x', '--bucket', 'y']),
      '--out and --bucket cannot be used together: the report goes to one place',
    ],
    [
      'serve',
      () => serve.parse(['--out', 'x', '--bucket', 'y']),
      '--out and --bucket cannot be used together: the reports go to one place',
    ],
  ])('%s names --out with --bucket in its own words', (_command, parseCommand, message) => {
    expect(parseCommand).toThrow(new UsageError(message));
  });

  it('serve reads the shared flags beside its own', () => {
    expect(
      serve.parse(['--simulate', '--batch-size', '5', '--host', '0.0.0.0', '--port', '0']),
    ).toMatchObject({ simulate: {}, batchSize: 5, out: DEFAULT_OUT_DIR, host: '0.0.0.0', port: 0 });
  });
});
