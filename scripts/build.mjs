#!/usr/bin/env node
// Compiles what the CLI needs at run time to dist/ (tsconfig.build.json), from a clean folder so that
// a renamed or deleted module never lingers in the package. A stamp written after a successful build
// tells scripts/current-build.mjs that dist/ is newer than everything it was built from.
//   --optional  a failed build is reported and exits 0 (`prepare`: the install goes on, and the CLI
//               then runs from the sources)
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { BUILD_STAMP } from './current-build.mjs';

const optional = process.argv.includes('--optional');
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
  cwd: new URL('..', import.meta.url),
  stdio: 'inherit',
});
if (build.status === 0) {
  writeFileSync(new URL(`../${BUILD_STAMP}`, import.meta.url), `${new Date().toISOString()}\n`);
} else if (optional) {
  console.warn('lambda-inventory: the build failed; the CLI runs from the sources');
}
process.exit(build.status === 0 || optional ? 0 : (build.status ?? 1));
