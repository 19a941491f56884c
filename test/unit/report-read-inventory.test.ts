import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  InventoryReader,
  type InventoryRow,
  readInventoryDocument,
} from '../../functions/reduce/read-inventory.ts';
import type { CoverageEntry, FunctionRecord } from '../../shared/contracts.ts';
import { RunDataError } from '../../shared/errors.ts';
import { ACCOUNT_A, ACCOUNT_B, coverageEntry, functionRecord, summaryOf } from './report-fixtures.ts';

const records: FunctionRecord[] = [
  functionRecord({ functionName: 'plain' }),
  // text that looks like structure must stay text
  functionRecord({ functionName: 'braces', handler: 'src/{a}/[b].handler", "x": {', role: null }),
  functionRecord({
    functionName: 'escapes',
    handler: 'C:\\path\\"quoted"\\',
    environmentVariableNames: ['A_B'],
  }),
  functionRecord({ accountId: ACCOUNT_B, functionName: 'unicode-é-漢字-🙂', accountName: 'Ünïcødé' }),
];
const coverage: CoverageEntry[] = [
  coverageEntry({ accountId: ACCOUNT_A, functionCount: 3 }),
  coverageEntry({ accountId: ACCOUNT_B, functionCount: 1, message: 'a "message" with ] and }' }),
];
const summary = summaryOf(records, coverage);

/** inventory.json as reduce writes it: header, one function per line, then finishedAt, coverage and summary. */
function writtenLayout(): string {
  const head = JSON.stringify({ schemaVersion: 1, runId: 'run-1', startedAt: '2026-11-02T03:00:00.000Z' });
  return (
    `${head.slice(0, -1)},"functions":[${records.map((r, i) => `${i === 0 ? '\n' : ',\n'}${JSON.stringify(r)}`).join('')}` +
    `\n],"finishedAt":"2026-11-02T03:05:00.000Z","coverage":[\n${coverage.map((c) => JSON.stringify(c)).join(',\n')}\n],` +
    `"summary":${JSON.stringify(summary)}}\n`
  );
}

const document = {
  schemaVersion: 1,
  runId: 'run-1',
  startedAt: '2026-11-02T03:00:00.000Z',
  functions: records,
  finishedAt: '2026-11-02T03:05:00.000Z',
  coverage,
  summary,
};

async function* chunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

async function readAll(source: AsyncIterable<Uint8Array>) {
  const reader = new InventoryReader(source, 'inventory.json');
  const functions: FunctionRecord[] = [];
  for await (const record of reader.functions()) functions.push(record);
  return { functions, document: reader.document() };
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('InventoryReader', () => {
  const layouts = {
    'the written layout': bytes(writtenLayout()),
    'pretty-printed JSON': bytes(JSON.stringify(document, null, 2)),
    'compact JSON': bytes(JSON.stringify(document)),
    'gzip (inventory.json.gz)': gzipSync(bytes(writtenLayout())),
    // lines that are not one whole function each: read by the scanner from there on
    'the written layout with one function over several lines': bytes(
      writtenLayout().replace(JSON.stringify(records[1]), JSON.stringify(records[1], null, 2)),
    ),
    'the written layout with two functions on one line': bytes(
      writtenLayout().replace(`,\n${JSON.stringify(records[2])}`, `, ${JSON.stringify(records[2])}`),
    ),
  };

  for (const [layout, content] of Object.entries(layouts)) {
    for (const size of [1, 7, 4096]) {
      it(`reads every function and field of ${layout} in ${size}-byte chunks`, async () => {
        const read = await readAll(chunks(content, size));

        expect(read.functions).toEqual(records);
        expect(read.document).toEqual({
          runId: 'run-1',
          startedAt: '2026-11-02T03:00:00.000Z',
          finishedAt: '2026-11-02T03:05:00.000Z',
          functionCount: records.length,
          coverage,
          fields: { schemaVersion: 1, summary },
        });
      });
    }
  }

  it.each([
    ['the written layout', bytes(writtenLayout())],
    ['pretty-printed JSON', bytes(JSON.stringify(document, null, 2))],
  ])('gives rows of %s with their text, parsed and checked only when asked', async (_layout, content) => {
    const reader = new InventoryReader(chunks(content, 64), 'inventory.json');
    const rows: InventoryRow[] = [];
    for await (const row of reader.rows()) rows.push(row);

    expect(rows.map((row) => JSON.parse(row.text))).toEqual(records);
    expect(rows.map((row) => row.record())).toEqual(records);
    expect(reader.document().functionCount).toBe(records.length);
  });

  it('fails a row of the written layout that breaks the contract when the row is parsed, not before', async () => {
    const text = writtenLayout().replace('"functionName":"plain"', '"functionName":42');
    const reader = new InventoryReader(chunks(bytes(text), 4096), 'inventory.json');
    const rows: InventoryRow[] = [];
    for await (const row of reader.rows()) rows.push(row);

    expect(rows).toHaveLength(records.length);
    expect(() => rows[0]?.record()).toThrow(RunDataError);
    expect(() => rows[0]?.record()).toThrow(/inventory\.json: function 1: functionName/);
    expect(rows[1]?.record()).toEqual(records[1]);
  });

  it('reads the fields after the functions without parsing the functions', async () => {
    // a function no contract would accept: only a parse would notice
    const text = writtenLayout().replace('"functionName":"plain"', '"functionName":42');

    const read = await readInventoryDocument(chunks(gzipSync(bytes(text)), 100), 'inventory.json.gz');

    expect(read.functionCount).toBe(records.length);
    expect(read.coverage).toEqual(coverage);
    expect(read.runId).toBe('run-1');
  });

  it('yields functions before the rest of the file has arrived', async () => {
    const text = writtenLayout();
    const half = text.indexOf('"functionName":"escapes"');
    let secondHalfRequested = false;
    async function* source() {
      yield bytes(text.slice(0, half));
      secondHalfRequested = true;
      yield bytes(text.slice(half));
    }
    const reader = new InventoryReader(source(), 'inventory.json');
    const iterator = reader.functions()[Symbol.asyncIterator]();

    const first = await iterator.next();
    const second = await iterator.next();

    expect([first.value?.functionName, second.value?.functionName]).toEqual(['plain', 'braces']);
    expect(secondHalfRequested).toBe(false);
  });

  it('drops fields a later contract added, so older readers keep working', async () => {
    const newer = { ...document, functions: [{ ...records[0], futureField: 'x' }] };

    const read = await readAll(chunks(bytes(JSON.stringify(newer)), 64));

    expect(read.functions).toEqual([records[0]]);
  });

  it('fails with a RunDataError naming the function that does not match the contract', async () => {
    const broken = { ...document, functions: [records[0], { ...records[1], memorySize: 'large' }] };

    await expect(readAll(chunks(bytes(JSON.stringify(broken)), 64))).rejects.toThrow(
      /inventory\.json: function 2: memorySize/,
    );
  });

  it('yields the rows of an inventory reduce has just written without checking them again', async () => {
    const unchecked = { ...document, functions: [records[0], { ...records[1], memorySize: 'large' }] };
    const reader = new InventoryReader(chunks(bytes(JSON.stringify(unchecked)), 64), 'inventory.json', {
      check: false,
    });

    const functions: unknown[] = [];
    for await (const record of reader.functions()) functions.push(record);

    expect(functions).toEqual(unchecked.functions);
    expect(reader.document().functionCount).toBe(2);
  });

  it('still fails with a RunDataError on a row that is not JSON when the rows are not checked', async () => {
    const text = writtenLayout().replace('{"accountId"', '{accountId');
    const reader = new InventoryReader(chunks(bytes(text), 64), 'inventory.json', { check: false });

    await expect(
      (async () => {
        for await (const _ of reader.functions());
      })(),
    ).rejects.toThrow(/inventory\.json: function 1 is not JSON/);
  });

  it('fails with a RunDataError when the document is cut short', async () => {
    const text = writtenLayout();

    const reading = readAll(chunks(bytes(text.slice(0, text.indexOf('"coverage"'))), 64));

    await expect(reading).rejects.toBeInstanceOf(RunDataError);
    await expect(reading).rejects.toThrow(/ends early/);
  });

  it('fails with a RunDataError when a gzip file is damaged', async () => {
    const zipped = gzipSync(bytes(writtenLayout()));
    const damaged = zipped.subarray(0, zipped.length - 40);

    await expect(readAll(chunks(damaged, 1024))).rejects.toBeInstanceOf(RunDataError);
  });

  it('refuses a document that is not an inventory object', async () => {
    await expect(readAll(chunks(bytes('[1,2]'), 64))).rejects.toThrow(/not a JSON object/);
    await expect(readAll(chunks(bytes('{"functions":[1]}'), 64))).rejects.toThrow(
      /function 1 is not an object/,
    );
  });
});
