import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';

async function runCli(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk) => out.push(String(chunk)));
  stderr.on('data', (chunk) => err.push(String(chunk)));
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
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
