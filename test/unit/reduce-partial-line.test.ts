import { describe, expect, it } from 'vitest';
import { PartialLineParser } from '../../functions/reduce/partial-line.ts';
import { PartialLine } from '../../shared/contracts.ts';
import * as z from '../../shared/zod.ts';
import { scannedFunction, targetResult } from './reduce-fixtures.ts';

const functionLine = (fn: Record<string, unknown>) => JSON.stringify({ kind: 'function', function: fn });
const withField = (field: string, value: unknown) => functionLine({ ...scannedFunction(), [field]: value });
const without = (field: string) => {
  const { [field as keyof ReturnType<typeof scannedFunction>]: _dropped, ...rest } = scannedFunction();
  return functionLine(rest);
};

/** Lines the hand-written check must judge exactly as the contract's schema does. */
const cases: [string, string][] = [
  ['a complete function line', functionLine(scannedFunction())],
  [
    'a function line with every nullable field null',
    functionLine(
      scannedFunction({
        accountName: null,
        runtime: null,
        memorySize: null,
        timeout: null,
        ephemeralStorage: null,
        codeSize: null,
        handler: null,
        lastModified: null,
        role: null,
        tracingMode: null,
        snapStart: null,
        version: null,
      }),
    ),
  ],
  ['an image function', withField('packageType', 'Image')],
  ['lists with several names', withField('environmentVariableNames', ['A', 'B', 'C'])],
  ['fields in another order', functionLine(Object.fromEntries(Object.entries(scannedFunction()).reverse()))],
  ['a target line', JSON.stringify({ kind: 'target', target: targetResult() })],
  ['an unknown extra field', withField('environment', { Variables: { DB_PASSWORD: 'hunter2' } })],
  ['a missing field', without('role')],
  ['a missing list', without('layers')],
  ['an account id of 11 digits', withField('accountId', '12345678901')],
  ['an account id as a number', withField('accountId', 111111111111)],
  ['a region that is not a region code', withField('region', 'Europe')],
  ['a package type of the wrong case', withField('packageType', 'zip')],
  ['a fractional memory size', withField('memorySize', 128.5)],
  ['an integer beyond the safe range', withField('codeSize', 2 ** 53)],
  ['a negative timeout (allowed: only integers are required)', withField('timeout', -3)],
  ['a number as a string', withField('memorySize', '128')],
  ['a string field as a number', withField('functionName', 42)],
  ['a string field null where null is not allowed', withField('functionArn', null)],
  ['a list holding a number', withField('architectures', ['arm64', 64])],
  ['a list that is a string', withField('layers', 'arn:a')],
  ['a list that is null', withField('environmentVariableNames', null)],
  ['a function that is an array', JSON.stringify({ kind: 'function', function: [] })],
  ['a function that is null', JSON.stringify({ kind: 'function', function: null })],
  ['no function at all', JSON.stringify({ kind: 'function' })],
  [
    'an extra key beside the function',
    JSON.stringify({ kind: 'function', function: scannedFunction(), x: 1 }),
  ],
  ['an unknown kind', JSON.stringify({ kind: 'account' })],
  ['a bare array', '[]'],
  ['a prototype key', functionLine({ ...scannedFunction(), ['__proto__']: { polluted: true } })],
  ['a __proto__ key in the text', withField('x', 1).replace('"x":1', '"__proto__":{"a":1}')],
  [
    'an unknown field in place of a known one (as many keys as fields)',
    without('role').replace(
      '{"kind":"function","function":{',
      '{"kind":"function","function":{"environment":{},',
    ),
  ],
  // every field: a line without it is refused, so the hand-written check reads each one
  ...Object.keys(scannedFunction()).map((field): [string, string] => [
    `a line without ${field}`,
    without(field),
  ]),
];

describe('PartialLineParser', () => {
  it.each(cases)('judges %s as the PartialLine schema does', (_case, line) => {
    // Prepare
    const parser = new PartialLineParser();
    const schema = z.safeParse(PartialLine, JSON.parse(line));

    // Act
    const parsed = parser.parse(line);

    // Assess
    expect(parsed.ok).toBe(schema.success);
    if (parsed.ok && schema.success) {
      expect(parsed.kind === 'function' ? parsed.function : parsed.target).toEqual(
        schema.data.kind === 'function' ? schema.data.function : schema.data.target,
      );
    }
  });

  it.each([
    [
      'an unknown field',
      withField('environment', { Variables: { DB_PASSWORD: 'hunter2' } }),
      'function: Unrecognized key: "environment"',
    ],
    [
      'a missing field',
      without('role'),
      'function.role: Invalid input: expected string or null, received undefined',
    ],
    [
      'a bad account id',
      withField('accountId', '12'),
      'function.accountId: must be a 12-digit AWS account id',
    ],
    [
      'a bad region',
      withField('region', 'Europe'),
      'function.region: must be an AWS region code such as eu-west-1',
    ],
    [
      'a bad list item',
      withField('layers', [1]),
      'function.layers: Invalid input: expected array of strings, received number',
    ],
    [
      'a bad package type',
      withField('packageType', 'Jar'),
      'function.packageType: Invalid option: expected one of "Zip"|"Image"',
    ],
    ['a line that is not JSON', '{"kind":', 'not JSON'],
    [
      'a bad target line',
      JSON.stringify({ kind: 'target', target: targetResult({ accountId: '1' }) }),
      'target.accountId: must be a 12-digit AWS account id',
    ],
  ])('names the field of %s in its reason', (_case, line, reason) => {
    // Act
    const parsed = new PartialLineParser().parse(line);

    // Assess
    expect(parsed).toMatchObject({ ok: false, reason: expect.stringContaining(reason) });
  });

  it('never repeats a value in its reason', () => {
    // Prepare
    const lines = [
      withField('environment', { Variables: { DB_PASSWORD: 'hunter2' } }),
      withField('accountId', 'hunter2'),
      withField('memorySize', 'hunter2'),
      withField('layers', ['ok', { secret: 'hunter2' }]),
    ];

    // Act
    const reasons = lines.map((line) => new PartialLineParser().parse(line));

    // Assess
    for (const parsed of reasons) {
      expect(parsed.ok).toBe(false);
      expect(JSON.stringify(parsed)).not.toContain('hunter2');
    }
  });

  it('checks an account id it has already accepted as strictly the next time', () => {
    // Prepare: the same parser sees a valid id, then a bad one, then the valid one again
    const parser = new PartialLineParser();

    // Act
    const first = parser.parse(functionLine(scannedFunction()));
    const bad = parser.parse(withField('accountId', '11111111111x'));
    const again = parser.parse(functionLine(scannedFunction()));

    // Assess
    expect([first.ok, bad.ok, again.ok]).toEqual([true, false, true]);
  });
});
