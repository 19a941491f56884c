import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ObjectStoreError } from '../../functions/shared/object-store.ts';
import { encodePartial, partialKey, writePartial } from '../../functions/worker/partial.ts';
import { PartialLine, type Target } from '../../shared/contracts.ts';
import { MemoryObjectStore } from './plan-worker-fakes.ts';

const targets: Target[] = [
  { accountId: '111111111111', region: 'eu-west-1' },
  { accountId: '111111111111', region: 'us-east-1' },
  { accountId: '222222222222', region: 'eu-west-1' },
];

const SCAN = '0123456789ab';

describe('partialKey', () => {
  it("names the partial after the first target plus a hash of all targets, under its scan's prefix", () => {
    expect(partialKey('run-1', SCAN, targets)).toMatch(
      /^runs\/run-1\/partials\/0123456789ab\/111111111111-eu-west-1-[0-9a-f]{8}\.ndjson\.gz$/,
    );
  });

  it('gives a retried batch the same key, in whatever order its targets come', () => {
    expect(partialKey('run-1', SCAN, [...targets].reverse())).toBe(partialKey('run-1', SCAN, targets));
  });

  it('gives batches with the same first target but other targets different keys', () => {
    expect(partialKey('run-1', SCAN, targets.slice(0, 2))).not.toBe(partialKey('run-1', SCAN, targets));
  });

  it('gives the same batch of another scan of the same run another key', () => {
    expect(partialKey('run-1', 'ba9876543210', targets)).not.toBe(partialKey('run-1', SCAN, targets));
  });

  it('sorts in target order across batches', () => {
    const keys = [
      partialKey('run-1', SCAN, targets.slice(2)),
      partialKey('run-1', SCAN, targets.slice(0, 2)),
    ];

    expect([...keys].sort()).toEqual([keys[1], keys[0]]);
  });
});

describe('partial encoding', () => {
  const result = {
    accountId: '111111111111',
    region: 'eu-west-1',
    status: 'ok' as const,
    functionCount: 1,
    pages: 1,
    durationMs: 5,
    scannedAt: '2026-11-05T03:00:00.000Z',
  };
  const scanned = {
    accountId: '111111111111',
    accountName: null,
    region: 'eu-west-1',
    functionName: 'f',
    functionArn: 'arn:f',
    runtime: 'nodejs22.x',
    packageType: 'Zip' as const,
    architectures: ['x86_64'],
    memorySize: 128,
    timeout: 3,
    ephemeralStorage: 512,
    codeSize: 1,
    handler: 'index.handler',
    lastModified: null,
    role: null,
    layers: [],
    tracingMode: null,
    snapStart: null,
    environmentVariableNames: [],
    version: '$LATEST',
  };

  it('writes gzip NDJSON: each target line followed by its functions, each line a PartialLine', async () => {
    const empty = { ...result, region: 'us-east-1', functionCount: 0 };

    const text = gunzipSync(
      await encodePartial([
        { result, functions: [scanned, { ...scanned, functionName: 'g', functionArn: 'arn:g' }] },
        { result: empty, functions: [] },
      ]),
    ).toString('utf8');

    const parsed = text
      .trimEnd()
      .split('\n')
      .map((line) => PartialLine.parse(JSON.parse(line)));
    expect(parsed).toEqual([
      { kind: 'target', target: result },
      { kind: 'function', function: scanned },
      { kind: 'function', function: { ...scanned, functionName: 'g', functionArn: 'arn:g' } },
      { kind: 'target', target: empty },
    ]);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('escapes what JSON must escape in names, so every line still parses', async () => {
    const odd = { ...scanned, functionName: 'quote"back\\slash\nnewline\u2028', handler: '}\n{"kind":"x"}' };

    const text = gunzipSync(await encodePartial([{ result, functions: [odd] }])).toString('utf8');

    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(PartialLine.parse(JSON.parse(lines[1] as string))).toEqual({ kind: 'function', function: odd });
  });

  it('turns a failed write into an ObjectStoreError', async () => {
    const store = new MemoryObjectStore();
    store.put = () => Promise.reject(new Error('disk full'));

    await expect(writePartial(store, 'runs/r/partials/x.ndjson.gz', [])).rejects.toThrow(ObjectStoreError);
  });
});
