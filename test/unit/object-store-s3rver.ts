/**
 * s3rver (a real S3 protocol server) on a random loopback port, with its data in a temporary folder.
 *
 * It runs in a child process started with `--openssl-legacy-provider`: s3rver 3.7 encrypts
 * ListObjectsV2 continuation tokens with DES, which the OpenSSL 3 of Node >= 17 offers only through
 * the legacy provider (without it, every listing past 1,000 keys fails with a 500 InternalError).
 * The test process itself keeps Node's default crypto.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const SERVER_SCRIPT = `
const S3rver = require(process.env.S3RVER_MODULE);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: process.env.S3RVER_VERBOSE !== '1',
  directory: process.env.S3RVER_DIRECTORY,
});
server.run().then(({ port }) => process.stdout.write(JSON.stringify({ port }) + '\\n'));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
`;

export interface RunningS3rver {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startS3rver(): Promise<RunningS3rver> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', SERVER_SCRIPT], {
    env: {
      ...process.env,
      S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver'),
      S3RVER_DIRECTORY: directory,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await firstLinePort(child);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}

async function firstLinePort(child: ChildProcess): Promise<number> {
  if (!child.stdout) throw new Error('s3rver child has no stdout');
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`s3rver exited with code ${code} before listening`);
  });
  const listening = (async () => {
    for await (const line of lines) {
      const { port } = JSON.parse(line) as { port: number };
      return port;
    }
    throw new Error('s3rver closed its output before listening');
  })();
  return Promise.race([listening, exited]);
}
