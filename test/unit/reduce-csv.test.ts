import { describe, expect, it } from 'vitest';
import {
  COVERAGE_COLUMNS,
  coverageCsv,
  csvCell,
  csvRow,
  INVENTORY_COLUMNS,
  inventoryCsvHeader,
  inventoryCsvRow,
} from '../../functions/reduce/csv.ts';
import { FunctionRecords } from '../../functions/reduce/report-builder.ts';
import { CoverageEntry, FunctionRecord } from '../../shared/contracts.ts';
import { scannedFunction } from './reduce-fixtures.ts';

describe('csvCell', () => {
  it.each([
    ['plain text', 'orders-api', 'orders-api'],
    ['null', null, ''],
    ['an empty string', '', ''],
    ['a number', 512, '512'],
    ['a fraction', 12.5, '12.5'],
    ['a comma', 'a,b', '"a,b"'],
    ['a quote', 'say "hi"', '"say ""hi"""'],
    ['a newline', 'line 1\nline 2', '"line 1\nline 2"'],
    ['a carriage return inside', 'a\r\nb', '"a\r\nb"'],
    ['a list', ['arm64', 'x86_64'], 'arm64;x86_64'],
    ['an empty list', [], ''],
    ['a list with a comma', ['a,b', 'c'], '"a,b;c"'],
    ['a leading =', '=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['a leading +', '+1+2', "'+1+2"],
    ['a leading -', '-2+3', "'-2+3"],
    ['a leading @', '@SUM(A1)', "'@SUM(A1)"],
    ['a leading tab', '\t=1', "'\t=1"],
    ['a leading carriage return', '\r=1', `"'\r=1"`],
    ['a formula after the first character', 'a=1', 'a=1'],
    ['a list that starts with a formula', ['=1', 'b'], "'=1;b"],
  ] as const)('writes %s as a safe RFC 4180 cell', (_what, value, expected) => {
    // Act
    const cell = csvCell(value);

    // Assess
    expect(cell).toBe(expected);
  });

  it('leaves negative numbers as numbers (only text can be a formula)', () => {
    // Act
    const cell = csvCell(-1);

    // Assess
    expect(cell).toBe('-1');
  });
});

describe('csvRow', () => {
  it('joins cells with commas and ends the row with CRLF', () => {
    // Act
    const row = csvRow(['a', null, 3, ['x', 'y'], 'q"uote']);

    // Assess
    expect(row).toBe('a,,3,x;y,"q""uote"\r\n');
  });
});

describe('inventory and coverage columns', () => {
  it('covers every field of an inventory row, each once', () => {
    // Assess
    expect([...INVENTORY_COLUMNS].sort()).toEqual(Object.keys(FunctionRecord.shape).sort());
  });

  it('covers every field of a coverage entry, each once', () => {
    // Assess
    expect([...COVERAGE_COLUMNS].sort()).toEqual(Object.keys(CoverageEntry.shape).sort());
  });

  it('writes a row in header order', () => {
    // Prepare
    const record = new FunctionRecords(new Date('2026-11-02T00:00:00Z')).of(
      scannedFunction({
        functionName: 'billing',
        architectures: ['x86_64', 'arm64'],
        layers: ['arn:aws:lambda:eu-west-1:111111111111:layer:common:3'],
        environmentVariableNames: ['DB_HOST', 'TABLE'],
        runtime: 'python3.9',
      }),
    );

    // Act
    const header = inventoryCsvHeader().trimEnd().split(',');
    const cells = inventoryCsvRow(record).trimEnd().split(',');

    // Assess
    const cell = (column: string) => cells[header.indexOf(column)];
    expect(cells).toHaveLength(header.length);
    expect(cell('functionName')).toBe('billing');
    expect(cell('runtime')).toBe('python3.9');
    expect(cell('runtimeStatus')).toBe('deprecated');
    expect(cell('deprecationDate')).toBe('2025-12-15');
    expect(cell('architectures')).toBe('x86_64;arm64');
    expect(cell('environmentVariableNames')).toBe('DB_HOST;TABLE');
    expect(cell('snapStart')).toBe('');
    expect(cell('memorySize')).toBe('256');
  });

  it('writes every cell of a row exactly: nulls empty, lists joined, text quoted or defused where needed', () => {
    // Prepare
    const record = new FunctionRecords(new Date('2026-11-02T00:00:00Z')).of(
      scannedFunction({
        accountName: 'acme, "prod"',
        functionName: '=cmd',
        runtime: null,
        packageType: 'Image',
        architectures: ['x86_64', 'arm64'],
        memorySize: null,
        codeSize: 0,
        handler: null,
        layers: ['arn:a', 'arn:b'],
        tracingMode: null,
        snapStart: 'None',
        environmentVariableNames: ['DB_PASSWORD', 'API_KEY'],
        version: '-1',
        role: 'line 1\nline 2',
      }),
    );

    // Act
    const row = inventoryCsvRow(record);

    // Assess
    const expected = [
      '111111111111',
      '"acme, ""prod"""',
      'eu-west-1',
      "'=cmd",
      'arn:aws:lambda:eu-west-1:111111111111:function:=cmd',
      '',
      'image',
      '',
      '',
      '',
      'Image',
      'x86_64;arm64',
      '',
      '30',
      '512',
      '0',
      '',
      '2026-10-01T10:00:00.000+0000',
      '"line 1\nline 2"',
      'arn:a;arn:b',
      '',
      'None',
      'DB_PASSWORD;API_KEY',
      "'-1",
    ];
    expect(row).toBe(`${expected.join(',')}\r\n`);
    // the same cells as the generic writer, column for column
    expect(row).toBe(csvRow(INVENTORY_COLUMNS.map((column) => record[column])));
  });

  it('writes the coverage header and one row per entry, nulls as empty cells', () => {
    // Prepare
    const entry: CoverageEntry = {
      accountId: '222222222222',
      accountName: 'beta, inc.',
      region: null,
      status: 'account-skipped',
      functionCount: null,
      pages: null,
      durationMs: null,
      errorCode: null,
      message: 'account is SUSPENDED',
    };

    // Act
    const csv = coverageCsv([entry]);

    // Assess
    expect(csv).toBe(
      'accountId,accountName,region,status,functionCount,pages,durationMs,errorCode,message\r\n' +
        '222222222222,"beta, inc.",,account-skipped,,,,,account is SUSPENDED\r\n',
    );
  });
});
