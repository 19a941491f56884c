/**
 * The bench scripts' command lines (bench/args.ts), through a real script in a child process: usage on
 * --help, and one clear line with exit code 2 for an unknown option or a bad value, before any work.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bench = (...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', 'bench/client-settings.ts', ...args], { timeout: 30_000 });

describe('bench command lines', () => {
  it('print the usage on --help and exit 0', async () => {
    const { stdout } = await bench('--help');
    expect(stdout).toBe('usage:\n  npx tsx bench/client-settings.ts [--targets 3400] [--runs 3]\n');
  });

  it.each([
    [['--nope'], "Unknown option '--nope'"],
    [['--targets', 'many'], '--targets: a whole number from 1, got "many"'],
    [['--runs', '0'], '--runs: a whole number from 1, got "0"'],
  ])('refuse %j in one line with the usage, exit code 2 and no stack trace', async (args, message) => {
    const failure = await bench(...args).then(
      () => expect.fail('the script ran'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failure.code).toBe(2);
    expect(failure.stdout).toBe('');
    expect(failure.stderr.split('\n')[0]).toBe(message);
    expect(failure.stderr).toContain('usage:\n  npx tsx bench/client-settings.ts');
    expect(failure.stderr).not.toMatch(/\n\s+at /);
  });
});
