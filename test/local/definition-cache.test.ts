/**
 * The rendered-definition cache on disk: what its key holds, entries read back as written, and every
 * entry that cannot be trusted (another key's, truncated, edited in place, unreadable) read as a miss.
 */
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  definitionCacheKey,
  readCachedWorkflow,
  type SynthesizedWorkflow,
  writeCachedWorkflow,
} from '../../local/definition-cache.ts';
import { parseInventoryConfig } from '../../shared/config.ts';

const WORKFLOW: SynthesizedWorkflow = {
  template: {
    Resources: {
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { DefinitionString: '{"StartAt":"Done","States":{"Done":{"Type":"Succeed"}}}' },
      },
      PlanFn: { Type: 'AWS::Lambda::Function' },
    },
  },
  bucketLogicalId: 'Bucket',
  functionLogicalIds: { plan: 'PlanFn', worker: 'WorkerFn', reduce: 'ReduceFn' },
};

const DEFAULTS = parseInventoryConfig({});
const KEY = definitionCacheKey(DEFAULTS);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lambda-inventory-definition-cache-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const entryFile = async () => {
  const [name, ...others] = await readdir(dir);
  expect(others).toEqual([]);
  return join(dir, name as string);
};

describe('definitionCacheKey', () => {
  it('changes with the Map settings that shape the definition', () => {
    const concurrency = parseInventoryConfig({ map: { maxConcurrency: 7 } });
    const tolerance = parseInventoryConfig({ map: { toleratedFailurePercentage: 0 } });

    const keys = new Set([KEY, definitionCacheKey(concurrency), definitionCacheKey(tolerance)]);

    expect(keys.size).toBe(3);
  });

  it('stays the same for fields that do not shape the definition', () => {
    const other = parseInventoryConfig({
      targets: { source: 'accounts', accounts: ['111122223333'] },
      regions: ['eu-west-1'],
      map: { batchSize: 5 },
      schedule: { enabled: false },
    });

    expect(definitionCacheKey(other)).toBe(KEY);
  });
});

describe('the definition cache', () => {
  it('reads back the entry it wrote', async () => {
    const written = await writeCachedWorkflow(dir, KEY, WORKFLOW);

    expect(written).toBe(true);
    expect(await readCachedWorkflow(dir, KEY)).toEqual(WORKFLOW);
  });

  it('misses when there is no entry for the key', async () => {
    await writeCachedWorkflow(dir, KEY, WORKFLOW);

    expect(
      await readCachedWorkflow(dir, definitionCacheKey(parseInventoryConfig({ map: { maxConcurrency: 3 } }))),
    ).toBeUndefined();
  });

  it('misses a stale entry: one written for another key, under the name of this key', async () => {
    const otherKey = definitionCacheKey(parseInventoryConfig({ map: { maxConcurrency: 3 } }));
    await writeCachedWorkflow(dir, otherKey, WORKFLOW);
    const stale = await entryFile();
    await rename(stale, stale.replace(otherKey, KEY));

    expect(await readCachedWorkflow(dir, KEY)).toBeUndefined();
  });

  it.each([
    { damage: 'truncated', edit: (text: string) => text.slice(0, text.length / 2) },
    { damage: 'not JSON', edit: () => '\u0000\u0000' },
    {
      damage: 'edited in place (its checksum no longer matches)',
      edit: (text: string) => text.replace('Succeed', 'Fail'),
    },
    {
      damage: 'valid JSON of another shape',
      edit: (text: string) => {
        const entry = JSON.parse(text);
        entry.workflow = { template: {} };
        return JSON.stringify(entry);
      },
    },
  ])('misses an entry that is $damage', async ({ edit }) => {
    await writeCachedWorkflow(dir, KEY, WORKFLOW);
    const file = await entryFile();
    await writeFile(file, edit(await readFile(file, 'utf8')));

    expect(await readCachedWorkflow(dir, KEY)).toBeUndefined();
  });

  it('replaces an entry whole and leaves no temporary file behind', async () => {
    await writeCachedWorkflow(dir, KEY, WORKFLOW);
    const changed = { ...WORKFLOW, bucketLogicalId: 'OtherBucket' };

    await writeCachedWorkflow(dir, KEY, changed);

    expect(await readdir(dir)).toEqual([`workflow-${KEY}.json`]);
    expect(await readCachedWorkflow(dir, KEY)).toEqual(changed);
  });

  it('reports a folder it cannot write instead of failing', async () => {
    const notAFolder = join(dir, 'file');
    await writeFile(notAFolder, 'in the way');

    const written = await writeCachedWorkflow(notAFolder, KEY, WORKFLOW);

    expect(written).toBe(false);
    expect(await readCachedWorkflow(notAFolder, KEY)).toBeUndefined();
  });

  it('keeps the 32 newest entries', async () => {
    const keyOf = (maxConcurrency: number) =>
      definitionCacheKey(parseInventoryConfig({ map: { maxConcurrency } }));
    for (let n = 1; n <= 34; n++) await writeCachedWorkflow(dir, keyOf(n), WORKFLOW);

    const names = await readdir(dir);

    expect(names).toHaveLength(32);
    expect(names).not.toContain(`workflow-${keyOf(1)}.json`);
    expect(names).toContain(`workflow-${keyOf(34)}.json`);
  });
});
