import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript script of the repository, without types
import { BUILD_STAMP, buildIsCurrent, runCurrent } from '../../scripts/current-build.mjs';

const buildIsCurrentIn = buildIsCurrent as (root: string) => boolean;
const runCurrentIn = runCurrent as (
  path: string,
  name: string,
  args: string[],
  root: string,
) => Promise<number>;

/**
 * A repository of one module, `cli/tool`, whose function `run` exits 3 from the sources and 4 from
 * the build, each after writing which one ran.
 */
async function repository(): Promise<string> {
  const root = `${await mkdtemp(join(tmpdir(), 'lambda-inventory-build-'))}${sep}`;
  await mkdir(join(root, 'cli'));
  await mkdir(join(root, 'dist', 'cli'), { recursive: true });
  const module = (exitCode: number, from: string) =>
    `import { writeFileSync } from 'node:fs';\nexport function run(args${from === 'sources' ? ': string[]' : ''}) { writeFileSync(${JSON.stringify(join(root, 'ran'))}, '${from} ' + args.join(' ')); return ${exitCode}; }\n`;
  await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
  await writeFile(join(root, 'cli', 'tool.ts'), module(3, 'sources'));
  await writeFile(join(root, 'dist', 'cli', 'tool.js'), module(4, 'build'));
  return root;
}

/** Sets a file's modification time `seconds` from now. */
const age = (path: string, seconds: number) => {
  const when = new Date(Date.now() + seconds * 1_000);
  return utimes(path, when, when);
};

describe('scripts/current-build.mjs', () => {
  let root: string;

  beforeEach(async () => {
    root = await repository();
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('runs the build when its stamp is newer than every source file', async () => {
    // Prepare
    for (const path of ['cli/tool.ts', 'cli', 'package.json']) await age(join(root, path), -60);
    await writeFile(join(root, BUILD_STAMP), 'now\n');

    // Act
    const exitCode = await runCurrentIn('cli/tool', 'run', ['a', 'b'], root);

    // Assess
    expect(buildIsCurrentIn(root)).toBe(true);
    expect(exitCode).toBe(4);
    expect(await readFile(join(root, 'ran'), 'utf8')).toBe('build a b');
  });

  it('runs the sources through tsx when a source file is newer than the build', async () => {
    // Prepare
    await writeFile(join(root, BUILD_STAMP), 'then\n');
    await age(join(root, BUILD_STAMP), -60);

    // Act
    const exitCode = await runCurrentIn('cli/tool', 'run', ['a', 'b'], root);

    // Assess
    expect(buildIsCurrentIn(root)).toBe(false);
    expect(exitCode).toBe(3);
    expect(await readFile(join(root, 'ran'), 'utf8')).toBe('sources a b');
  });

  it('runs the sources when no build completed (no stamp)', async () => {
    // Act
    const exitCode = await runCurrentIn('cli/tool', 'run', [], root);

    // Assess
    expect(buildIsCurrentIn(root)).toBe(false);
    expect(exitCode).toBe(3);
  });
});
