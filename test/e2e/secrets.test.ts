/**
 * Environment variable values never leave the member accounts: after a full CLI run over a simulated
 * fleet, no file the run wrote (partials decompressed, targets, map results, reports) and nothing
 * the CLI printed holds any of them, while the report lists every variable by name.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderObjectStore, getJson } from '../../functions/shared/object-store.ts';
import { type Fleet, generateFleet } from '../../simulator/index.ts';
import {
  type CliRun,
  GENERATED_SPEC,
  type InventoryDocument,
  readLatest,
  readTree,
  runCli,
  tempDir,
} from './support.ts';

/**
 * Values a report could hold for another reason are left out: a POWERTOOLS_SERVICE_NAME such as
 * `orders` is also the start of the function name `orders-api-prod`. Every other value, secrets
 * included, must appear nowhere.
 */
function distinctiveValues(fleet: Fleet): string[] {
  const reportable = fleet
    .allFunctions()
    .flatMap(({ configuration }) => [
      configuration.FunctionName,
      configuration.FunctionArn,
      configuration.Role,
      configuration.Handler ?? '',
    ])
    .concat(fleet.accounts.flatMap((account) => [account.id, account.name]));
  return [...new Set(fleet.environmentValues())].filter(
    (value) => !reportable.some((text) => text.includes(value)),
  );
}

const leaksIn = (text: string, values: readonly string[]) => values.filter((value) => text.includes(value));

let dir: { path: string; remove(): Promise<void> };
let outDir: string;
let cli: CliRun;
const fleet = generateFleet(GENERATED_SPEC);

// one CLI run over the fleet is what every test below examines
beforeAll(async () => {
  dir = await tempDir('secrets');
  outDir = join(dir.path, 'out');
  const specPath = join(dir.path, 'fleet.json');
  await writeFile(specPath, JSON.stringify(GENERATED_SPEC));
  cli = await runCli(['run', '--local', '--simulate', specPath, '--out', outDir, '--min-coverage', '0']);
});

afterAll(async () => {
  await dir?.remove();
});

describe('environment variable values', () => {
  it('appear in no file of the run: partials, targets, map results and reports', async () => {
    // Prepare
    const values = distinctiveValues(fleet);

    // Act
    const files = await readTree(outDir);

    // Assess
    expect(cli.exitCode).toBe(0);
    expect(fleet.secretValues().every((secret) => values.includes(secret))).toBe(true);
    expect(values.length).toBeGreaterThan(fleet.secretValues().length);
    const keys = [...files.keys()];
    expect(keys.some((key) => /^runs\/[^/]+\/partials\/.+\.ndjson\.gz$/.test(key))).toBe(true);
    expect(keys.some((key) => /^runs\/map-results\/.+\/SUCCEEDED_0\.json$/.test(key))).toBe(true);
    expect(keys.some((key) => /^reports\/.+\/inventory\.json$/.test(key))).toBe(true);
    for (const [key, text] of files) expect(leaksIn(text, values), key).toEqual([]);
  });

  it('appear nowhere in what the CLI prints', () => {
    // Prepare
    const values = distinctiveValues(fleet);

    // Act
    const printed = `${cli.stdout}\n${cli.stderr}`;

    // Assess
    expect(cli.stdout).toContain('Functions by runtime status');
    expect(leaksIn(printed, values)).toEqual([]);
  });
});

describe('environment variable names', () => {
  it('are listed in the report for every function, exactly as the function defines them', async () => {
    // Prepare
    const store = new FolderObjectStore(outDir);
    const expected = new Map(
      fleet
        .reachableFunctions()
        .map(({ configuration }) => [
          configuration.FunctionArn,
          Object.keys(configuration.Environment?.Variables ?? {}).sort(),
        ]),
    );

    // Act
    const latest = await readLatest(store);
    const inventory = (await getJson(store, latest.keys.inventoryJson)) as InventoryDocument;

    // Assess
    expect(inventory.functions).toHaveLength(expected.size);
    expect(inventory.functions.filter((fn) => fn.environmentVariableNames.length > 0).length).toBeGreaterThan(
      0,
    );
    for (const fn of inventory.functions) {
      expect([...fn.environmentVariableNames].sort(), fn.functionArn).toEqual(expected.get(fn.functionArn));
    }
  });
});
