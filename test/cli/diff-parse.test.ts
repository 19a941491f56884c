import { describe, expect, it } from 'vitest';
import * as diff from '../../cli/commands/diff.ts';
import { UsageError } from '../../cli/usage-error.ts';

const DEFAULTS = {
  runs: undefined,
  format: undefined,
  limit: undefined,
  out: './inventory-data',
  bucket: undefined,
};

describe('diff: parse', () => {
  it.each([
    [[], DEFAULTS],
    [['run-1', 'run-2'], { ...DEFAULTS, runs: { from: 'run-1', to: 'run-2' } }],
    [
      ['run-1', 'run-2', '--format', 'json', '--bucket', 'b'],
      { ...DEFAULTS, runs: { from: 'run-1', to: 'run-2' }, format: 'json', bucket: 'b' },
    ],
    [['--limit', '10', '--out', 'data'], { ...DEFAULTS, limit: 10, out: 'data' }],
  ])('reads %j', (argv, expected) => {
    expect(diff.parse(argv)).toEqual(expected);
  });

  it.each([
    [['run-1'], 'diff takes two run ids (<fromRunId> <toRunId>) or none'],
    [['a', 'b', 'c'], 'diff takes two run ids'],
    [['run/1', 'run-2'], '<fromRunId>: "run/1"'],
    [['run-1', 'run 2'], '<toRunId>: "run 2"'],
    [['--format', 'csv'], '--format: "csv"'],
    [['--limit', '0'], '--limit: "0" must be a whole number'],
    [['--format', 'json', 'run-1', 'run-2'], 'unexpected argument "run-1"'],
    [['--out', 'x', '--bucket', 'y'], '--out and --bucket cannot be used together'],
  ])('rejects %j with a line naming the flag', (argv, message) => {
    expect(() => diff.parse(argv)).toThrow(UsageError);
    expect(() => diff.parse(argv)).toThrow(message);
  });
});
