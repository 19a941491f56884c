import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/commands/index.ts';
import { main } from '../../cli/main.ts';
import { type FleetSpec, generateFleet } from '../../simulator/index.ts';
import { captureIo } from './support.ts';

const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function runCli(argv: string[]) {
  const captured = captureIo();
  const code = await main(argv, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

const dir = mkdtempSync(join(tmpdir(), 'lambda-inventory-cli-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('lambda-inventory bad input', () => {
  it.each([
    [
      'a config file that is not JSON',
      () => ['--config', file('broken.json', '{targets')],
      /--config: .*broken\.json is not valid JSON/,
    ],
    [
      'a config value out of range',
      () => [
        '--config',
        file(
          'range.json',
          JSON.stringify({ targets: { source: 'organization' }, map: { maxConcurrency: 0 } }),
        ),
      ],
      /--config .*range\.json: invalid inventory config: map\.maxConcurrency/,
    ],
    [
      'a config file that does not exist',
      () => ['--config', join(dir, 'missing.json')],
      /--config: cannot read/,
    ],
    ['no target source at all', () => [], /no targets: give --accounts, --organization or --config/],
    [
      'a simulator spec that does not exist',
      () => ['--simulate', join(dir, 'no-spec.json')],
      /--simulate .*no-spec\.json/,
    ],
    [
      'a simulator spec with a bad field',
      () => ['--simulate', file('spec.json', JSON.stringify({ accounts: -1 }))],
      /--simulate .*spec\.json: .*accounts/,
    ],
  ])('exits 2 with one line on stderr for %s, writing nothing', async (_, extra, message) => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);

    const result = await runCli(['run', '--local', '--out', out, ...extra()]);

    expect(result.code).toBe(2);
    const lines = result.stderr
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('lambda-inventory:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('prints help and exits 0', async () => {
    const result = await runCli(['run', '--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: lambda-inventory run --local [options]');
  });
});

describe('lambda-inventory', () => {
  it('lists every command of the table in its help', async () => {
    const result = await runCli(['--help']);

    expect(result.code).toBe(0);
    for (const command of Object.values(COMMANDS)) {
      expect(result.stdout).toMatch(
        new RegExp(`^ {2}${literally(command.usage)} +${literally(command.summary)}$`, 'm'),
      );
    }
  });

  it('prints the version of its package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

    const result = await runCli(['--version']);

    expect(result).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([
    [['--concurrency', '-1'], '--concurrency: "-1" must be a whole number from 1 to 10000'],
    [['--min-coverage', '-5'], '--min-coverage: "-5" must be a whole number from 0 to 100'],
    [['--out', '--json'], '--out needs a value'],
  ])('says what %j expects, in one line, exit 2', async (flags, message) => {
    const result = await runCli(['run', '--local', '--simulate', ...flags]);

    expect(result).toEqual({ code: 2, stdout: '', stderr: `lambda-inventory: ${message}\n` });
  });
});

/** Powertools names itself in the SDK's user agent (AWS_SDK_UA_APP_ID) when it loads: not the CLI's doing. */
function withoutUserAgent(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'AWS_SDK_UA_APP_ID'));
}

describe('lambda-inventory run --local --simulate', () => {
  const fleetSpec = (seed: string): FleetSpec => ({
    seed,
    regions: ['us-east-1', 'eu-west-1'],
    optInRegions: [],
    accounts: 3,
    suspendedAccounts: 0,
    accountsWithoutRole: 0,
    functionsPerRegion: { min: 1, max: 5 },
    heavyRegions: { count: 0 },
  });

  it('runs two simulated fleets at once, each against its own simulator, and leaves process.env as it was', async () => {
    // Prepare
    const specs = [fleetSpec('cli-one'), fleetSpec('cli-two')];
    const expected = specs.map((spec) =>
      Object.fromEntries(
        generateFleet(spec).accounts.map((account) => [
          account.id,
          Object.values(account.functions).reduce((sum, list) => sum + list.length, 0),
        ]),
      ),
    );
    const environment = withoutUserAgent(process.env);

    // Act
    const results = await Promise.all(
      specs.map((spec, i) =>
        runCli([
          'run',
          '--local',
          '--simulate',
          file(`fleet-${i}.json`, JSON.stringify(spec)),
          '--out',
          join(dir, `concurrent-${i}`),
          '--json',
        ]),
      ),
    );

    // Assess
    const outcomes = results.map((result) => ({
      code: result.code,
      errors: result.stderr.split('\n').filter((line) => line.startsWith('lambda-inventory:')),
    }));
    expect(outcomes).toEqual([
      { code: 0, errors: [] },
      { code: 0, errors: [] },
    ]);
    const byAccount = results.map((result) => JSON.parse(result.stdout).summary.byAccount);
    expect(byAccount).toEqual(expected);
    expect(withoutUserAgent(process.env)).toEqual(environment);
  }, 120_000);
});
