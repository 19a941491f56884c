import { describe, expect, it } from 'vitest';
import * as report from '../../cli/commands/report.ts';
import { isFiltered, matches } from '../../cli/report/filter.ts';
import { UsageError } from '../../cli/usage-error.ts';
import type { FunctionRecord } from '../../shared/contracts.ts';

const NO_FILTER = { runtimeStatus: undefined, runtime: undefined, account: undefined, region: undefined };
const DEFAULTS = {
  view: 'functions',
  runId: undefined,
  filter: NO_FILTER,
  format: undefined,
  out: './inventory-data',
  bucket: undefined,
};

describe('report: parse', () => {
  it.each([
    [[], DEFAULTS],
    [['--run', 'nightly-1'], { ...DEFAULTS, runId: 'nightly-1' }],
    [['--list'], { ...DEFAULTS, view: 'list' }],
    [['--gaps', '--format', 'csv'], { ...DEFAULTS, view: 'gaps', format: 'csv' }],
    [['--bucket', 'my-reports'], { ...DEFAULTS, out: './inventory-data', bucket: 'my-reports' }],
    [['--out', 'data', '--format', 'html'], { ...DEFAULTS, out: 'data', format: 'html' }],
    [
      ['--runtime-status', 'deprecated,deprecating-soon', '--runtime', 'nodejs20.x', '--runtime', 'image'],
      {
        ...DEFAULTS,
        filter: {
          ...NO_FILTER,
          runtimeStatus: ['deprecated', 'deprecating-soon'],
          runtime: ['nodejs20.x', 'image'],
        },
      },
    ],
    [
      ['--account', '111122223333,444455556666', '--region', 'eu-west-1', '--format', 'json'],
      {
        ...DEFAULTS,
        format: 'json',
        filter: { ...NO_FILTER, account: ['111122223333', '444455556666'], region: ['eu-west-1'] },
      },
    ],
  ])('reads %j', (argv, expected) => {
    expect(report.parse(argv)).toEqual(expected);
  });

  it.each([
    [['--format', 'xml'], '--format: "xml"'],
    [['--runtime-status', 'old'], '--runtime-status: "old"'],
    [['--account', '12345'], '--account: "12345"'],
    [['--region', 'europe'], '--region: "europe"'],
    [['--runtime', 'Node 20'], '--runtime: "Node 20"'],
    [['--run', 'a/b'], '--run: "a/b"'],
    [['--out', 'x', '--bucket', 'y'], '--out and --bucket cannot be used together'],
    [['--list', '--gaps'], '--list and --gaps cannot be used together'],
    [['--list', '--region', 'eu-west-1'], '--list takes no filters'],
    [['--gaps', '--account', '111122223333'], '--gaps takes no filters'],
    [['--list', '--run', 'r1'], '--list and --run cannot be used together'],
    [['--format', 'html', '--runtime', 'java8'], '--format html shows a whole run'],
    [['--list', '--format', 'csv'], '--format csv: --list is table or json'],
    [['--frmat', 'json'], 'unknown option --frmat'],
    [['latest'], 'unexpected argument "latest"'],
  ])('rejects %j with a line naming the flag', (argv, message) => {
    expect(() => report.parse(argv)).toThrow(UsageError);
    expect(() => report.parse(argv)).toThrow(message);
  });
});

const record = (fields: Partial<FunctionRecord>) =>
  ({
    accountId: '111122223333',
    region: 'eu-west-1',
    runtime: 'nodejs20.x',
    runtimeStatus: 'deprecated',
    ...fields,
  }) as FunctionRecord;

describe('report: filters', () => {
  it.each([
    [{}, record({}), true],
    [{ runtimeStatus: ['deprecated'] }, record({}), true],
    [{ runtimeStatus: ['supported'] }, record({}), false],
    [{ runtime: ['image'] }, record({ runtime: null, runtimeStatus: 'image' }), true],
    [{ runtime: ['nodejs20.x'] }, record({ runtime: null, runtimeStatus: 'image' }), false],
    [{ account: ['111122223333'], region: ['eu-west-1'] }, record({}), true],
    [{ account: ['111122223333'], region: ['us-east-1'] }, record({}), false],
  ] as const)('with %j, matching %j is %s', (filter, row, expected) => {
    expect(matches(filter as never, row)).toBe(expected);
  });

  it('treats a filter without any list as no filter', () => {
    expect(isFiltered(NO_FILTER)).toBe(false);
    expect(isFiltered({ ...NO_FILTER, region: ['eu-west-1'] })).toBe(true);
  });
});
