import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../cli/args.ts';
import { COMMANDS } from '../../cli/commands/index.ts';
import * as run from '../../cli/commands/run.ts';
import * as simulate from '../../cli/commands/simulate.ts';
import { parseOptions } from '../../cli/options.ts';
import { UsageError } from '../../cli/usage-error.ts';

describe('parseCommandLine', () => {
  it.each([
    [[], { kind: 'help' }],
    [['--help'], { kind: 'help' }],
    [['-h'], { kind: 'help' }],
    [['help'], { kind: 'help' }],
    [['help', 'run'], { kind: 'help', command: 'run' }],
    [['run', '--help'], { kind: 'help', command: 'run' }],
    [['run', '--local', '-h'], { kind: 'help', command: 'run' }],
    [['simulate', '-h'], { kind: 'help', command: 'simulate' }],
    [['--version'], { kind: 'version' }],
    [['-v'], { kind: 'version' }],
    [['run', '--local', '--simulate'], { kind: 'command', name: 'run', argv: ['--local', '--simulate'] }],
    [['simulate'], { kind: 'command', name: 'simulate', argv: [] }],
  ])('reads %j as %j', (argv, expected) => {
    expect(parseCommandLine(argv)).toEqual(expected);
  });

  it.each([
    [['deploy'], 'unknown command "deploy" (try --help)'],
    [['help', 'deploy'], 'unknown command "deploy" (try --help)'],
    [['--local'], 'unknown option --local (try --help)'],
    [['toString'], 'unknown command "toString" (try --help)'],
  ])('rejects %j with "%s"', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(new UsageError(message));
  });

  it('knows every command of the table, and only those', () => {
    for (const name of Object.keys(COMMANDS)) {
      expect(parseCommandLine([name])).toMatchObject({ kind: 'command', name });
    }
  });
});

describe('parseOptions', () => {
  const specs = {
    count: { type: 'string' },
    name: { type: 'string' },
    many: { type: 'string', multiple: true },
    flag: { type: 'boolean' },
    maybe: { type: 'string', optionalValue: true },
  } as const;

  it.each([
    [['--count', '-1'], { count: '-1' }],
    [['--count=-1'], { count: '-1' }],
    [['--count', '-0.5'], { count: '-0.5' }],
    [['--many', 'a', '--many=b'], { many: ['a', 'b'] }],
    [['--flag', '--name', 'x'], { flag: true, name: 'x' }],
    [['--maybe'], { maybe: '' }],
    [['--maybe', '--flag'], { maybe: '', flag: true }],
    [['--maybe', 'spec.json'], { maybe: 'spec.json' }],
    [['--maybe=spec.json'], { maybe: 'spec.json' }],
  ])('reads %j as %j', (argv, expected) => {
    expect(parseOptions(argv, specs)).toEqual(expected);
  });

  it.each([
    [['--count'], '--count needs a value'],
    [['--count', '--flag'], '--count needs a value'],
    [['--name='], '--name needs a value'],
    [['--maybe='], '--maybe needs a value'],
    [['--flag=yes'], '--flag takes no value'],
    [['--frobnicate'], 'unknown option --frobnicate'],
    [['-x'], 'unknown option -x'],
    [['stray'], 'unexpected argument "stray"'],
    [['--flag', '--', 'x'], 'unexpected argument "--"'],
  ])('rejects %j with "%s"', (argv, message) => {
    expect(() => parseOptions(argv, specs)).toThrow(new UsageError(message));
  });
});

describe('run.parse', () => {
  it('parses a simulated local run with defaults', () => {
    expect(run.parse(['--local', '--simulate'])).toMatchObject({
      simulate: {},
      out: run.DEFAULT_OUT_DIR,
      minCoverage: run.DEFAULT_MIN_COVERAGE,
      json: false,
    });
  });

  it.each([
    [['--local', '--simulate', 'fleet.json'], { spec: 'fleet.json' }],
    [['--local', '--simulate=fleet.json'], { spec: 'fleet.json' }],
    [['--simulate', '--local'], {}],
  ])('reads the optional simulator spec of %j', (argv, simulate) => {
    expect(run.parse(argv)).toMatchObject({ simulate });
  });

  it('splits, trims and de-duplicates comma-separated and repeated lists', () => {
    const options = run.parse([
      '--local',
      '--accounts',
      '111111111111, 222222222222',
      '--accounts',
      '111111111111',
      '--regions',
      'eu-west-1,us-east-1',
    ]);
    expect(options).toMatchObject({
      accounts: ['111111111111', '222222222222'],
      regions: ['eu-west-1', 'us-east-1'],
    });
  });

  it('reads organization filters and tuning flags', () => {
    const options = run.parse([
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
    expect(options).toEqual({
      simulate: undefined,
      accounts: undefined,
      regions: undefined,
      organization: { includeOus: ['ou-ab12-cdefgh12'], excludeOus: [], excludeAccounts: ['333333333333'] },
      configPath: undefined,
      out: run.DEFAULT_OUT_DIR,
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
    [[], /needs --local/],
    [['--local', '--accounts', '12345'], /^--accounts: "12345" must be a 12-digit AWS account id$/],
    [['--local', '--regions', 'mars-1'], /^--regions: "mars-1" must be an AWS region code/],
    [['--local', '--accounts', '111111111111,'], /^--accounts: empty value/],
    [['--local', '--concurrency', '0'], /^--concurrency: "0" must be a whole number from 1 to 10000$/],
    [['--local', '--concurrency', '-1'], /^--concurrency: "-1" must be a whole number from 1 to 10000$/],
    [['--local', '--min-coverage', '-5'], /^--min-coverage: "-5" must be a whole number from 0 to 100$/],
    [['--local', '--batch-size', '2.5'], /^--batch-size: "2.5" must be a whole number/],
    [['--local', '--min-coverage', '101'], /^--min-coverage/],
    [['--local', '--out'], /^--out needs a value$/],
    [['--local', '--exclude-ous', 'ou-ab12-cdefgh12'], /need --organization/],
    [['--local', '--organization', '--accounts', '111111111111'], /cannot be used together/],
    [['--local', '--out', 'x', '--bucket', 'y'], /--out and --bucket/],
    [['--local', '--run-id', 'has space'], /^--run-id/],
    [['--local', '--frobnicate'], /^unknown option --frobnicate$/],
    [['--local', '--simulate='], /^--simulate needs a value$/],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    expect(() => run.parse(argv)).toThrow(UsageError);
    expect(() => run.parse(argv)).toThrow(message);
  });
});

describe('simulate.parse', () => {
  it('uses port 4566 on loopback by default', () => {
    expect(simulate.parse([])).toEqual({ spec: undefined, port: 4566, host: '127.0.0.1' });
  });

  it.each([
    [['--port', '70000'], /^--port: "70000" must be a whole number from 0 to 65535$/],
    [['--port', '-1'], /^--port: "-1" must be a whole number from 0 to 65535$/],
  ])('rejects %j with a message naming the problem', (argv, message) => {
    expect(() => simulate.parse(argv)).toThrow(message);
  });
});
