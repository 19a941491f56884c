/**
 * The CLI: parse the command line, run the command, and turn errors into exit codes (0 ok, 1 run
 * failed or incomplete, 2 bad usage or input) with one clear line on stderr.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ValidationError } from '../shared/contracts.ts';
import { InvalidTargetsError } from '../shared/errors.ts';
import { parseCommandLine } from './args.ts';
import { COMMANDS } from './commands/index.ts';
import { mainHelp } from './help.ts';
import { EXIT, type Io } from './io.ts';
import { UsageError } from './usage-error.ts';

export type { Io } from './io.ts';

export async function main(argv: readonly string[], io: Io = process): Promise<number> {
  if (io === process) process.stdout.on('error', endOnClosedPipe);
  try {
    const line = parseCommandLine(argv);
    switch (line.kind) {
      case 'help': {
        const text = line.command ? (await COMMANDS[line.command].load()).help : mainHelp();
        io.stdout.write(`${text}\n`);
        return EXIT.ok;
      }
      case 'version':
        io.stdout.write(`${packageVersion()}\n`);
        return EXIT.ok;
      case 'command':
        return await (await COMMANDS[line.name].load()).run(line.argv, io);
    }
  } catch (error) {
    return fail(io, error);
  }
}

/** `report --format csv | head`: a reader that stops early is not a failure of this command. */
function endOnClosedPipe(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
  process.exit(EXIT.ok);
}

/** Input problems exit 2; anything else is a failed run (1). Either way: one line on stderr. */
function fail(io: Io, error: unknown): number {
  const usage =
    error instanceof UsageError || error instanceof ValidationError || error instanceof InvalidTargetsError;
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`lambda-inventory: ${message.split('\n')[0]}\n`);
  return usage ? EXIT.usage : EXIT.failed;
}

/** From the package.json above this module: one folder up in the repository, two in the built package. */
function packageVersion(): string {
  const manifest = ['../package.json', '../../package.json']
    .map((path) => new URL(path, import.meta.url))
    .filter((url) => existsSync(url))
    .map((url) => JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string })
    .find((candidate) => candidate.name === 'lambda-inventory');
  if (!manifest?.version) throw new Error('cannot find the package.json of lambda-inventory');
  return manifest.version;
}
