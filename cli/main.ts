/**
 * The CLI: parse, dispatch, and turn errors into exit codes (0 ok, 1 run failed or incomplete,
 * 2 bad usage or input) with one clear line on stderr.
 */
import { createRequire } from 'node:module';
import { ValidationError } from '../shared/contracts.ts';
import { InvalidTargetsError } from '../shared/errors.ts';
import { type Command, parseCommand } from './args.ts';
import { runCommand } from './commands/run.ts';
import { simulateCommand } from './commands/simulate.ts';
import { HELP } from './help.ts';
import { UsageError } from './usage-error.ts';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export async function main(argv: readonly string[], io: Io = process): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    return fail(io, error);
  }
  try {
    switch (command.kind) {
      case 'help':
        io.stdout.write(`${HELP[command.topic ?? 'main']}\n`);
        return EXIT.ok;
      case 'version':
        io.stdout.write(`${createRequire(import.meta.url)('../package.json').version}\n`);
        return EXIT.ok;
      case 'run':
        return await runCommand(command, io);
      case 'simulate':
        return await simulateCommand(command, io);
    }
  } catch (error) {
    return fail(io, error);
  }
}

/** Input problems exit 2; anything else is a failed run (1). Either way: one line on stderr. */
function fail(io: Io, error: unknown): number {
  const usage =
    error instanceof UsageError || error instanceof ValidationError || error instanceof InvalidTargetsError;
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`lambda-inventory: ${message.split('\n')[0]}\n`);
  return usage ? EXIT.usage : EXIT.failed;
}
