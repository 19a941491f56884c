import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_COVERAGE, DEFAULT_OUT_DIR, parseCommand } from '../../cli/args.ts';
import { UsageError } from '../../cli/usage-error.ts';

describe('parseCommand', () => {
  it('parses a simulated local run with defaults', () => {
    expect(parseCommand(['run', '--local', '--simulate'])).toMatchObject({
      kind: 'run',
      simulate: {},
      out: DEFAULT_OUT_DIR,
      minCoverage: DEFAULT_MIN_COVERAGE,
      json: false,
    });
  });

  it.each([
    [['run', '--local', '--simulate', 'fleet.json'], { spec: 'fleet.json' }],
    [['run', '--local', '--simulate=fleet.json'], { spec: 'fleet.json' }],
    [['run', '--simulate', '--local'], {}],
  ])('reads the optional simulator spec of %j', (argv, simulate) => {
    expect(parseCommand(argv)).toMatchObject({ kind: 'run', simulate });
  });

  it('splits, trims and de-duplicates comma-separated and repeated lists', () => {
    const command = parseCommand([
      'run',
      '--local',
      '--accounts',
      '111111111111, 222222222222',
      '--accounts',
      '111111111111',
      '--regions',
      'eu-west-1,us-east-1',
    ]);
    expect(command).toMatchObject({
      accounts: ['111111111111', '222222222222'],
      regions: ['eu-west-1', 'us-east-1'],
    });
  });

  it('reads organization filters and tuning flags', () => {
    const command = parseCommand([
      'run',
      '--local',
      '--organization',
      '--include-ous',
      'ou-ab12-cdefgh12',
      '--exclude-accounts',
      '333333333333',
      '--concurrency',
      '8',
      '--batch-size',
      '5',
      '--tolerated-failure-percentage',
      '0',
      '--min-coverage',
      '90',
      '--run-id',
      'nightly-1',
      '--bucket',
      'my-bucket',
      '--json',
    ]);
    expect(command).toEqual({
      kind: 'run',
      simulate: undefined,
      accounts: undefined,
      regions: undefined,
      organization: { includeOus: ['ou-ab12-cdefgh12'], excludeOus: [], excludeAccounts: ['333333333333'] },
      configPath: undefined,
      out: DEFAULT_OUT_DIR,
      bucket: 'my-bucket',
      concurrency: 8,
      batchSize: 5,
      regionConcurrency: undefined,
      toleratedFailurePercentage: 0,
      minCoverage: 90,
      runId: 'nightly-1',
      json: true,
    });
  });

  it.each([
    [['run'], /needs --local/],
    [['run', '--local', '--accounts', '12345'], /--accounts: "12345" must be a 12-digit AWS account id/],
    [['run', '--local', '--regions', 'mars-1'], /--regions: "mars-1" must be an AWS region code/],
    [['run', '--local', '--accounts', '111111111111,'], /--accounts: empty value/],
    [['run', '--local', '--concurrency', '0'], /--concurrency: "0" must be a whole number from 1 to 10000/],
    [['run', '--local', '--batch-size', '2.5'], /--batch-size: "2.5" must be a whole number/],
    [['run', '--local', '--min-coverage', '101'], /--min-coverage/],
    [['run', '--local', '--exclude-ous', 'ou-ab12-cdefgh12'], /need --organization/],
    [['run', '--local', '--organization', '--accounts', '111111111111'], /cannot be used together/],
    [['run', '--local', '--out', 'x', '--bucket', 'y'], /--out and --bucket/],
    [['run', '--local', '--run-id', 'has space'], /--run-id/],
    [['run', '--local', '--frobnicate'], /frobnicate/],
    [['run', '--local', '--simulate='], /needs a spec file/],
    [['deploy'], /unknown command "deploy"/],
    [['help', 'deploy'], /unknown command "deploy"/],
    [['simulate', '--port', '70000'], /--port/],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });

  it.each([
    [[], undefined],
    [['--help'], undefined],
    [['help', 'run'], 'run'],
    [['run', '--help'], 'run'],
    [['simulate', '-h'], 'simulate'],
  ])('answers %j with help on %s', (argv, topic) => {
    expect(parseCommand(argv)).toEqual({ kind: 'help', topic });
  });

  it('parses simulate with its defaults', () => {
    expect(parseCommand(['simulate'])).toEqual({
      kind: 'simulate',
      spec: undefined,
      port: 4566,
      host: '127.0.0.1',
    });
  });
});
