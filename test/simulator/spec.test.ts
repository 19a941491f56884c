import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, loadSpec, parseSpec, SpecError } from '../../simulator/index.ts';

describe('fleet spec', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'simulator-spec-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fills every field of an empty spec with a default', () => {
    const spec = parseSpec({});

    expect(spec).toMatchObject({
      memberRoleName: 'CrossAccountListFunctionsRole',
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-2'],
      optInRegions: ['eu-south-1'],
      legacyStatusOnly: false,
      faults: {
        latencyMs: 0,
        listFunctionsRatePerSecond: 15,
        stsRatePerSecond: 0,
        errorRate: 0,
        resetRate: 0,
        emptyOrgPages: 0,
      },
    });
  });

  it.each([
    [{ accounts: -1 }, 'spec.accounts:'],
    [{ acounts: 3 }, 'spec.acounts: unknown field'],
    [{ faults: { errorRate: 2 } }, 'spec.faults.errorRate:'],
    [{ faults: { latencyMs: { min: 50, max: 10 } } }, 'spec.faults.latencyMs.max: min must not exceed max'],
    [{ regions: ['eu-south-1'] }, 'spec.regions[0]: must be a region AWS enables by default'],
    [{ optInRegions: ['us-east-1'] }, 'spec.optInRegions[0]: is enabled by default'],
    [{ regions: ['mars-1'] }, 'spec.regions[0]: must be a region name'],
    [{ functionsPerRegion: { min: 10, max: 5 } }, 'spec.functionsPerRegion.max: min must not exceed max'],
    [{ centralAccountId: '12345' }, 'spec.centralAccountId: must be 12 digits'],
    [{ accounts: [{ ou: 'Nowhere' }] }, 'spec.accounts[0].ou: names an OU not in organizationalUnits'],
    [
      { accounts: [{ functionsPerRegion: { 'eu-west-1': -1 } }] },
      'spec.accounts[0].functionsPerRegion.eu-west-1:',
    ],
    [
      { accounts: [{ optInRegions: ['af-south-1'] }] },
      'spec.accounts[0].optInRegions: names a region not in optInRegions',
    ],
    [{ accounts: [{ state: 'GONE' }] }, 'spec.accounts[0].state:'],
    [
      { accounts: 2, suspendedAccounts: 2, accountsWithoutRole: 1 },
      'spec.suspendedAccounts: suspendedAccounts',
    ],
    [{ accounts: [{}], accountsWithoutRole: 1 }, 'spec.accountsWithoutRole: is only for a numeric accounts'],
    [
      { runtimeMix: { supported: 0, deprecatingSoon: 0, deprecated: 0, unknown: 0, image: 0 } },
      'spec.runtimeMix:',
    ],
  ])('rejects %j with an error naming the field', (input, expected) => {
    expect(() => parseSpec(input)).toThrow(SpecError);
    expect(() => parseSpec(input)).toThrow(expected);
  });

  it('loads a JSON file and names the file and the field when a value is wrong', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ seed: 3, faults: { resetRate: -0.5 } }));

    const error = await loadSpec(path).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(SpecError);
    expect((error as Error).message).toContain(`${path}.faults.resetRate:`);
  });

  it('names the file when it is not JSON', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ "seed": ');

    await expect(loadSpec(path)).rejects.toThrow(`${path}: not valid JSON`);
  });

  it('loads a valid file with its values and defaults for the rest', async () => {
    const path = join(dir, 'good.json');
    await writeFile(
      path,
      JSON.stringify({ seed: 'team-demo', accounts: 12, faults: { emptyOrgPages: true } }),
    );

    const spec = await loadSpec(path);

    expect(spec.seed).toBe('team-demo');
    expect(spec.accounts).toBe(12);
    expect(spec.faults.emptyOrgPages).toBeGreaterThan(0);
    expect(spec.functionsPerRegion).toEqual({ min: 5, max: 40 });
  });

  it('keeps the default spec small: a handful of accounts in a few regions', () => {
    expect(DEFAULT_SPEC.accounts).toBe(5);
    expect(DEFAULT_SPEC.regions).toEqual(['us-east-1', 'eu-west-1', 'ap-southeast-2']);
    expect(DEFAULT_SPEC.optInRegions).toEqual(['eu-south-1']);
  });
});
