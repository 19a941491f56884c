import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { athenaLine, athenaRowStart } from '../../functions/reduce/athena-rows.ts';
import { inventoryCsvRow } from '../../functions/reduce/csv.ts';
import { DigestPool } from '../../functions/reduce/digest-pool.ts';
import { HighlightsCollector } from '../../functions/reduce/html-report.ts';
import {
  athenaLines,
  type Digester,
  InlineDigester,
  type PartialDigest,
  PartialDigester,
  textSegments,
} from '../../functions/reduce/partial-digest.ts';
import { FunctionRecords, FunctionTally } from '../../functions/reduce/report-builder.ts';
import { RunDataError } from '../../shared/errors.ts';
import {
  ACCOUNT_A,
  ACCOUNT_B,
  functionLine,
  partialBody,
  scannedFunction,
  targetLine,
  targetResult,
} from './reduce-fixtures.ts';

const KEY = 'runs/r1/partials/5ca1ab1e0001/111111111111-eu-west-1-aaaaaaaa.ndjson.gz';
const run = { runId: 'run-1', startedAt: '2026-11-02T03:00:00.000Z' };
const asOf = new Date(run.startedAt);
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
/** A digest with its bytes as text, to compare digests made on different threads. */
const texts = (d: PartialDigest) => ({ ...d, json: text(d.json), csv: text(d.csv), athena: text(d.athena) });
const digestOf = (lines: Parameters<typeof partialBody>[0]) =>
  new PartialDigester(run).digest(KEY, gunzipSync(partialBody(lines)));

describe('PartialDigester', () => {
  // Prepare: two targets of one account, their functions interleaved and out of order
  const euTarget = targetResult({ functionCount: 2 });
  const usTarget = targetResult({ region: 'us-east-1', functionCount: 1 });
  const zeta = scannedFunction({
    functionName: 'zeta',
    runtime: 'python3.9',
    environmentVariableNames: ['DB_HOST'],
  });
  const alpha = scannedFunction({ functionName: 'alpha' });
  const image = scannedFunction({
    region: 'us-east-1',
    functionName: 'image',
    runtime: null,
    packageType: 'Image',
  });
  const lines = [
    targetLine(usTarget),
    functionLine(image),
    targetLine(euTarget),
    functionLine(zeta),
    functionLine(alpha),
  ];
  const records = new FunctionRecords(asOf);

  it('keeps the target lines in line order', () => {
    // Act
    const digest = digestOf(lines);

    // Assess
    expect(digest.key).toBe(KEY);
    expect(digest.targets).toEqual([usTarget, euTarget]);
  });

  it('writes the rows as inventory.json elements and inventory.csv rows, by target, sorted by name', () => {
    // Act
    const digest = digestOf(lines);

    // Assess
    const rows = [alpha, zeta, image].map((fn) => records.of(fn));
    expect(text(digest.json)).toBe(rows.map((row) => `,\n${JSON.stringify(row)}`).join(''));
    expect(text(digest.csv)).toBe(rows.map(inventoryCsvRow).join(''));
  });

  describe('a row JSON cut from its line or stringified', () => {
    const functionJson = JSON.stringify(alpha);
    const { layers: _layers, ...withoutLayers } = alpha;
    const lineWith = (json: string) => `{"kind":"function","function":${json}}`;

    it("keeps the line's own text, escapes included, when it is in the worker's form", () => {
      // a name with a quote, a colon and a non-ASCII letter: JSON.stringify would not write \u00e9
      const odd = scannedFunction({ functionName: 'caf\u00e9-"x"-y:z' });
      const json = JSON.stringify(odd).replace('\u00e9', '\\u00e9');

      const digest = digestOf([targetLine(euTarget), lineWith(json)]);

      const row = records.of(odd);
      expect(JSON.parse(`[${text(digest.json).slice(1)}]`)).toEqual([row]);
      expect(text(digest.json)).toContain('caf\\u00e9');
    });

    it.each([
      [
        // an escape JSON.stringify would not write shows whether the line's own text was kept
        'with a quote before a colon in a value',
        lineWith(JSON.stringify({ ...alpha, handler: 'caf\u00e9":b' }).replace('\u00e9', '\\u00e9')),
      ],
      ['in another key order', lineWith(JSON.stringify({ layers: alpha.layers, ...withoutLayers }))],
      [
        'with a key given twice (the last one counts, the first must not be kept)',
        // in its own place: the keys' order alone does not tell it
        lineWith(functionJson.replace('"layers":', '"layers":["SECRET=hunter2"],"layers":')),
      ],
      ['with spaces around the line', ` ${lineWith(functionJson)} `],
    ])('stringifies the checked row when the line is %s', (_case, line) => {
      const digest = digestOf([targetLine(euTarget), line]);

      const { function: fn } = JSON.parse(line) as { function: typeof alpha };
      expect(text(digest.json)).toBe(`,\n${JSON.stringify(records.of(fn))}`);
      expect(text(digest.json)).not.toContain('hunter2');
    });
  });

  it("groups each target's rows with their byte ranges and counts", () => {
    // Act
    const digest = digestOf(lines);

    // Assess
    expect(digest.groups.map((g) => [g.target, g.functionCount])).toEqual([
      [`${ACCOUNT_A}/eu-west-1`, 2],
      [`${ACCOUNT_A}/us-east-1`, 1],
    ]);
    const [eu, us] = digest.groups;
    expect(text(digest.json.subarray(eu?.jsonEnd, us?.jsonEnd))).toBe(
      `,\n${JSON.stringify(records.of(image))}`,
    );
    expect(text(digest.csv.subarray(0, eu?.csvEnd))).toBe(
      [alpha, zeta].map((fn) => inventoryCsvRow(records.of(fn))).join(''),
    );
    expect(us?.jsonEnd).toBe(digest.json.length);
    expect(us?.csvEnd).toBe(digest.csv.length);
    const tally = new FunctionTally();
    tally.addData(eu?.tally ?? new FunctionTally().toData());
    expect(tally.counts()).toMatchObject({
      functionCount: 2,
      byRuntime: { 'nodejs24.x': 1, 'python3.9': 1 },
      byRegion: { 'eu-west-1': 2 },
      deprecated: [{ runtime: 'python3.9', functionCount: 1 }],
    });
  });

  it("renders each group's Athena rows and highlights beside its inventory rows", () => {
    // Act
    const digest = digestOf(lines);

    // Assess
    const [eu, us] = digest.groups;
    const euRows = [alpha, zeta].map((fn) => records.of(fn));
    const usRows = [records.of(image)];
    const athena = (rows: typeof euRows) =>
      rows.map((row) => athenaLine(athenaRowStart(run), JSON.stringify(row))).join('');
    expect(text(digest.athena)).toBe(athena([...euRows, ...usRows]));
    expect(text(digest.athena.subarray(0, eu?.athenaEnd))).toBe(athena(euRows));
    expect(us?.athenaEnd).toBe(digest.athena.length);
    expect(text(athenaLines(digest, us ? [us] : []))).toBe(athena(usRows));
    const fromRows = new HighlightsCollector();
    for (const row of euRows) fromRows.add(row);
    const fromPart = new HighlightsCollector();
    if (eu) fromPart.addPart(eu.highlights);
    expect(fromPart.result()).toEqual(fromRows.result());
    expect(fromPart.result().atRisk.total).toBe(1);
    expect(eu?.highlights.atRisk.map((row) => row.functionName)).toEqual(['zeta']);
  });

  it('orders groups by target across accounts, whatever the line order', () => {
    // Act
    const digest = digestOf([
      functionLine(scannedFunction({ accountId: ACCOUNT_B })),
      functionLine(scannedFunction({ region: 'us-east-1' })),
      functionLine(scannedFunction()),
    ]);

    // Assess
    expect(digest.groups.map((g) => g.target)).toEqual([
      `${ACCOUNT_A}/eu-west-1`,
      `${ACCOUNT_A}/us-east-1`,
      `${ACCOUNT_B}/eu-west-1`,
    ]);
  });

  it('measures byte ranges in bytes, not characters', () => {
    // Act
    const digest = digestOf([
      functionLine(scannedFunction({ functionName: 'größe-€' })),
      functionLine(scannedFunction({ region: 'us-east-1', functionName: 'plain' })),
    ]);

    // Assess
    const [first] = digest.groups;
    expect(text(digest.json.subarray(first?.jsonEnd))).toContain('"functionName":"plain"');
    expect(text(digest.json.subarray(0, first?.jsonEnd))).toContain('"functionName":"größe-€"');
    expect(text(digest.csv.subarray(0, first?.csvEnd))).toContain(',größe-€,');
  });

  it('takes blank lines and CRLF line ends, and still numbers lines as a text editor does', () => {
    // Prepare
    const body = `${JSON.stringify(targetLine(targetResult()))}\r\n\r\n   \n{"kind":"nope"}\n`;

    // Act
    const digesting = () => new PartialDigester(run).digest(KEY, Buffer.from(body));

    // Assess
    expect(digesting).toThrow(RunDataError);
    expect(digesting).toThrow(`partial ${KEY}, line 4: `);
  });

  it('digests an empty partial to nothing', () => {
    // Act
    const digest = new PartialDigester(run).digest(KEY, new Uint8Array());

    // Assess
    expect(digest).toMatchObject({ targets: [], groups: [] });
    expect(digest.json.length + digest.csv.length).toBe(0);
  });

  it.each([
    ['a line that is not JSON', '{"kind":"target",', /line 2: not JSON/],
    ['a line of an unknown kind', JSON.stringify({ kind: 'account' }), /line 2: kind/],
    [
      'a function line carrying environment values',
      JSON.stringify({
        kind: 'function',
        function: { ...scannedFunction(), environment: { Variables: { DB_PASSWORD: 'hunter2' } } },
      }),
      /line 2: function: Unrecognized key.*environment/,
    ],
    [
      'a target line with a bad account id',
      JSON.stringify(targetLine(targetResult({ accountId: '12' }))),
      /line 2: target\.accountId: must be a 12-digit AWS account id/,
    ],
  ])('rejects %s with a RunDataError naming the partial and the line', (_case, badLine, message) => {
    // Act
    const digesting = () => digestOf([targetLine(targetResult()), badLine]);

    // Assess
    expect(digesting).toThrow(RunDataError);
    expect(digesting).toThrow(KEY);
    expect(digesting).toThrow(message);
  });
});

describe('textSegments', () => {
  it.each([1, 7, 64, 1024])(
    'cuts text into whole lines, multi-byte characters intact (segments of %i bytes)',
    (size) => {
      // Prepare
      const lines = [
        'first',
        'größe €€€ ünïcödé',
        '',
        'x'.repeat(100),
        '日本語のテキスト',
        'last without newline',
      ];
      const bytes = Buffer.from(lines.join('\n'));

      // Act
      const segments = [...textSegments(bytes, size)];

      // Assess
      expect(segments.join('')).toBe(lines.join('\n'));
      for (const segment of segments.slice(0, -1)) expect(segment.endsWith('\n')).toBe(true);
    },
  );
});

/** Several partials of generated functions, some of two targets, as the worker would write them. */
function samplePartials(): { key: string; body: Uint8Array }[] {
  return Array.from({ length: 6 }, (_, p) => {
    const accountId = String(100_000_000_000 + p);
    const lines = ['eu-west-1', 'us-east-1'].flatMap((region) => [
      targetLine(targetResult({ accountId, region, functionCount: 30 })),
      ...Array.from({ length: 30 }, (_, i) =>
        functionLine(
          scannedFunction({
            accountId,
            region,
            functionName: `fn-${(i * 7) % 30}`,
            runtime: ['nodejs24.x', 'python3.9', 'dotnet8', 'cobol1.0'][i % 4] ?? null,
            environmentVariableNames: i % 3 === 0 ? ['A', 'B'] : [],
          }),
        ),
      ),
    ]);
    return {
      key: `runs/r1/partials/5ca1ab1e0001/${accountId}-eu-west-1-${p}.ndjson.gz`,
      body: partialBody(lines),
    };
  });
}

describe('digesters', () => {
  let pool: DigestPool;

  beforeAll(async () => {
    pool = new DigestPool(2, run);
    // the tests below are about the worker threads: until they are ready, this thread digests
    await pool.ready();
  });

  afterAll(async () => {
    await pool.close();
  });

  const digestAll = (
    digester: Digester,
    partials: { key: string; body: Uint8Array }[],
  ): Promise<PartialDigest[]> => Promise.all(partials.map(({ key, body }) => digester.digest(key, body)));

  it('digest partials on worker threads exactly as on the main thread', async () => {
    // Prepare
    const partials = samplePartials();

    // Act
    const [inline, threaded] = await Promise.all([
      digestAll(new InlineDigester(run), partials),
      digestAll(pool, partials),
    ]);

    // Assess
    expect(threaded.map(texts)).toEqual(inline.map(texts));
    expect(threaded.reduce((n, d) => n + d.groups.length, 0)).toBe(12);
  });

  it('digest on this thread while no worker thread is ready, and on the threads once they are', async () => {
    // Prepare
    const partials = samplePartials();
    const starting = new DigestPool(1, run);
    try {
      // Act
      const before = await digestAll(starting, partials);
      const here = starting.digestedHere;
      await starting.ready();
      const after = await digestAll(starting, partials);

      // Assess
      expect(here).toBe(partials.length);
      expect(starting.digestedHere).toBe(partials.length);
      expect(after.map(texts)).toEqual(before.map(texts));
    } finally {
      await starting.close();
    }
  });

  it('use the worker threads once they are ready', async () => {
    // Act
    await digestAll(pool, samplePartials());

    // Assess
    expect(pool.digestedHere).toBe(0);
  });

  it.each([
    ['main thread', () => new InlineDigester(run)],
    ['worker threads', () => pool],
  ])('keep the RunDataError of a bad line on the %s', async (_where, digester) => {
    // Act
    const digesting = digester().digest(
      KEY,
      partialBody([targetLine(targetResult()), '{"kind":"function"}']),
    );

    // Assess
    await expect(digesting).rejects.toThrow(RunDataError);
    await expect(digesting).rejects.toThrow(`partial ${KEY}, line 2: function: `);
  });

  it.each([
    ['a body that is not gzip', new TextEncoder().encode('{"kind":"target"}\n')],
    [
      'a truncated gzip body',
      gzipSync(`${JSON.stringify(targetLine(targetResult()))}\n`.repeat(50)).subarray(0, 40),
    ],
  ])('reject %s as a damaged partial, on either thread', async (_case, body) => {
    // Act
    const results = await Promise.allSettled([
      new InlineDigester(run).digest(KEY, body),
      pool.digest(KEY, body),
    ]);

    // Assess
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as Error;
      expect(error).toBeInstanceOf(RunDataError);
      expect(error.message).toContain(`partial ${KEY} could not be read`);
    }
  });

  it('refuses a pool of no threads', () => {
    // Assess
    expect(() => new DigestPool(0, run)).toThrow(RangeError);
  });
});
