/** Timed child processes of the benchmark: `npm start`'s command and the deployment facts. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeploymentFacts } from './deployment-facts.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CommandRun {
  command: string;
  seconds: number;
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` with a shell in the repository, as npm runs a script (node_modules/.bin first on PATH). */
export function timeCommand(command: string, env: NodeJS.ProcessEnv = process.env): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: ROOT,
      env: { ...env, PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (exitCode) =>
      resolve({ command, seconds: (performance.now() - started) / 1_000, exitCode, stdout, stderr }),
    );
  });
}

/** The `start` script of package.json as it is now. */
export async function startScript(): Promise<string> {
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const start = manifest.scripts?.start;
  if (!start) throw new Error('package.json has no start script');
  return start;
}

/** Worker bundle size and memory sizes, from the CDK app built in a child process. */
export async function deploymentFacts(): Promise<DeploymentFacts> {
  const run = await timeCommand(
    `node --import tsx ${JSON.stringify(join(ROOT, 'bench', 'deployment-facts.ts'))}`,
  );
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.exitCode !== 0 || !last.startsWith('{')) {
    throw new Error(
      `bundling the worker failed (exit ${run.exitCode}): ${run.stderr.trim().split('\n').at(-1)}`,
    );
  }
  return JSON.parse(last) as DeploymentFacts;
}
