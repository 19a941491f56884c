#!/usr/bin/env node
// Runs vitest and closes with the plain line `N passed, N failed` that CI reads (vitest's own summary
// is not recognised there). Arguments other than these go to vitest (test paths, filters):
//   --node <bin folder>  run vitest, and everything the tests start (the CLI, npm), with another Node
//   --tally <file>       add this pass's counts to <file> and print them with the Node version and the
//                        paths; the closing line is then `--total`'s
//   --total <file>       print the sum of the tallied passes as the closing line
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This script's own options (each with a value) come out; the rest is for vitest. */
const OWN = ['--node', '--tally', '--total'];
const values = {};
const vitestArgs = [];
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (OWN.includes(arg)) values[arg.slice(2)] = process.argv[++i];
  else vitestArgs.push(arg);
}

if (typeof values.total === 'string') {
  const passes = existsSync(values.total)
    ? readFileSync(values.total, 'utf8').trim().split('\n').filter(Boolean).map(JSON.parse)
    : [];
  const passed = passes.reduce((sum, pass) => sum + pass.passed, 0);
  const failed = passes.reduce((sum, pass) => sum + pass.failed, 0);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || passes.length === 0 ? 1 : 0);
}

const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const node = typeof values.node === 'string' ? join(values.node, 'node') : process.execPath;
if (!existsSync(node)) {
  console.error(`test: no Node at ${node}`);
  process.exit(2);
}
// child processes that call `node`, `npm` or `npx` by name get the same Node
const PATH =
  typeof values.node === 'string' ? `${values.node}${delimiter}${process.env.PATH}` : process.env.PATH;

const dir = mkdtempSync(join(tmpdir(), 'lambda-inventory-test-'));
const resultsFile = join(dir, 'results.json');
const run = spawnSync(
  node,
  [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${resultsFile}`, ...vitestArgs],
  { stdio: 'inherit', env: { ...process.env, PATH } },
);

let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + (results.numRuntimeErrorTestSuites ?? 0);
} catch {
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });
if (run.status !== 0 && failed === 0) failed = 1;

if (typeof values.tally === 'string') {
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  appendFileSync(values.tally, `${JSON.stringify({ node: version, args: vitestArgs, passed, failed })}\n`);
  // not the closing line's shape, so that only --total's is read as the result
  console.log(`node ${version}, ${vitestArgs.join(' ') || 'all tests'}: ${passed} passed, ${failed} failed`);
} else {
  console.log(`${passed} passed, ${failed} failed`);
}
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
