#!/usr/bin/env node
// Compiles what the CLI needs at run time to dist/ (tsconfig.build.json), from a clean folder so that
// a renamed or deleted module never lingers in the package.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: new URL('..', import.meta.url),
  stdio: 'inherit',
});
process.exit(build.status ?? 1);
