/**
 * The command line's first word: help, version, or which command gets the rest. Each command parses
 * its own flags (cli/commands/<name>.ts). Pure: nothing here touches the network, the file system or
 * the process.
 */
import { type CommandName, isCommandName } from './commands/index.ts';
import { UsageError } from './usage-error.ts';

export type CommandLine =
  | { kind: 'help'; command?: CommandName }
  | { kind: 'version' }
  | { kind: 'command'; name: CommandName; argv: string[] };

const HELP_FLAGS = ['--help', '-h'];

export function parseCommandLine(argv: readonly string[]): CommandLine {
  const [first, ...rest] = argv;
  if (first === undefined || HELP_FLAGS.includes(first)) return { kind: 'help' };
  if (first === '--version' || first === '-v') return { kind: 'version' };
  if (first === 'help') {
    const topic = rest[0];
    if (topic === undefined) return { kind: 'help' };
    return { kind: 'help', command: commandName(topic) };
  }
  const name = commandName(first);
  if (rest.some((arg) => HELP_FLAGS.includes(arg))) return { kind: 'help', command: name };
  return { kind: 'command', name, argv: rest };
}

function commandName(word: string): CommandName {
  if (isCommandName(word)) return word;
  if (word.startsWith('-')) throw new UsageError(`unknown option ${word} (try --help)`);
  throw new UsageError(`unknown command "${word}" (try --help)`);
}
