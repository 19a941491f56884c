import { PassThrough } from 'node:stream';
import type { Io } from '../../cli/io.ts';

/** An Io whose output the test reads back. */
export function captureIo(): { io: Io; stdout(): string; stderr(): string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk) => out.push(String(chunk)));
  stderr.on('data', (chunk) => err.push(String(chunk)));
  return { io: { stdout, stderr }, stdout: () => out.join(''), stderr: () => err.join('') };
}
