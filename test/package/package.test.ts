/**
 * The published package, as a user gets it: `npm pack` (whose prepack builds dist/), installed from
 * the tarball into an empty folder, then `npx lambda-inventory` run there. It proves that the bin runs
 * the compiled JavaScript with the runtime dependencies alone: no tsx, no TypeScript sources.
 */
import { access, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatestPointer, Summary } from '../../shared/contracts.ts';
import { cleanEnv, installOffline, run } from './offline-install.ts';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));
const MINUTES = 60_000;

interface PackResult {
  filename: string;
  version: string;
  files: { path: string }[];
}

let dir: string;
let app: string;
let packed: PackResult;

/** Runs the installed CLI the way a user would, from the folder it is installed in. */
async function npx(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['--no', '--', 'lambda-inventory', ...args], {
      cwd: app,
      env: cleanEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { exitCode: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lambda-inventory-package-'));
  app = join(dir, 'app');
  await mkdir(app);
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: REPOSITORY,
    env: cleanEnv(),
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: Error & { stdout?: string }) => {
    // tsc reports a failed build (prepack) on stdout
    throw new Error(`${error.message}\n${error.stdout ?? ''}`);
  });
  // prepack's build output comes before npm's JSON
  const [result] = JSON.parse(stdout.slice(stdout.search(/^\[$/m))) as PackResult[];
  if (!result) throw new Error(`npm pack reported no package: ${stdout}`);
  packed = result;
  await installOffline(REPOSITORY, join(dir, packed.filename), app);
}, 10 * MINUTES);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed lambda-inventory', () => {
  it('holds the bin and the compiled dist/, with the runtime data, and no sources or tests', () => {
    const paths = packed.files.map((file) => file.path);

    expect(paths).toContain('bin/lambda-inventory.js');
    expect(paths).toContain('dist/cli/main.js');
    expect(paths).toContain('dist/functions/shared/runtimes.json');
    expect(paths.filter((path) => path.endsWith('.ts'))).toEqual([]);
    expect(paths.filter((path) => !/^(bin\/|dist\/|package\.json$|README\.md$|LICENSE)/.test(path))).toEqual(
      [],
    );
  });

  it('installs without tsx: the bin runs the compiled JavaScript', async () => {
    const installed = join(app, 'node_modules');

    expect(await exists(join(installed, 'lambda-inventory', 'dist', 'cli', 'main.js'))).toBe(true);
    expect(await exists(join(installed, 'tsx'))).toBe(false);
    expect(await exists(join(installed, 'typescript'))).toBe(false);
  });

  it('runs on the Node of this test run (CI runs it on each supported version)', async () => {
    const { stdout } = await run('node', ['--version'], { cwd: app, env: cleanEnv() });

    expect(stdout.trim()).toBe(process.version);
  });

  it('prints its help and version from the folder it is installed in', async () => {
    const help = await npx(['--help']);
    const version = await npx(['--version']);

    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('Usage: lambda-inventory <command> [options]');
    expect(version).toMatchObject({ exitCode: 0, stdout: `${packed.version}\n` });
  });

  it(
    'runs a simulated inventory that writes its report folder with summary.json',
    async () => {
      const out = join(app, 'inventory-data');

      // the demo fleet has gaps on purpose (npm start's threshold)
      const cli = await npx(['run', '--local', '--simulate', '--min-coverage', '75', '--out', out]);

      expect(cli.stderr).not.toMatch(/^lambda-inventory:/m);
      expect(cli.exitCode).toBe(0);
      const latest = LatestPointer.parse(
        JSON.parse(await readFile(join(out, 'reports', 'latest.json'), 'utf8')),
      );
      const summary = Summary.parse(JSON.parse(await readFile(join(out, latest.keys.summaryJson), 'utf8')));
      expect(summary.runId).toBe(latest.runId);
      expect(await readdir(join(out, latest.keys.prefix))).toContain('summary.json');
      expect(cli.stdout).toContain(`Run ${latest.runId}: ${summary.functionCount} functions in `);
    },
    5 * MINUTES,
  );
});
