/**
 * The table of commands. A command is one module in this folder, exporting its `help` text, a pure
 * `parse(argv)` and `execute(options, io)`, plus one entry here. A module loads only when its command
 * runs: `--help` does not pay for the local engine and aws-cdk-lib.
 */
import type { Io } from '../io.ts';

export interface CommandModule<T> {
  help: string;
  /** The arguments after the command's name in, its options out, or a UsageError naming the flag. */
  parse(argv: readonly string[]): T;
  /** Resolves to the exit code. */
  execute(options: T, io: Io): Promise<number>;
}

export interface LoadedCommand {
  help: string;
  run(argv: readonly string[], io: Io): Promise<number>;
}

export interface CommandEntry {
  /** How the main help writes the command (`run --local`). */
  usage: string;
  summary: string;
  load(): Promise<LoadedCommand>;
}

function command<T>(usage: string, summary: string, load: () => Promise<CommandModule<T>>): CommandEntry {
  return {
    usage,
    summary,
    load: async () => {
      const module = await load();
      return { help: module.help, run: (argv, io) => module.execute(module.parse(argv), io) };
    },
  };
}

export const COMMANDS = {
  run: command(
    'run --local',
    'run the inventory workflow on this machine (no deployment needed)',
    () => import('./run.ts'),
  ),
  simulate: command(
    'simulate',
    'start the fleet simulator (a fake AWS for demos, tests and other SDK clients)',
    () => import('./simulate.ts'),
  ),
  report: command(
    'report',
    "show a run's inventory from the report folder or bucket (--list, --gaps, filters)",
    () => import('./report.ts'),
  ),
  diff: command(
    'diff',
    'what changed between two runs (default: the latest and the one before)',
    () => import('./diff.ts'),
  ),
  estimate: command('estimate', 'the cloud cost of one run, line by line', () => import('./estimate.ts')),
  serve: command(
    'serve',
    'a local Step Functions endpoint running the workflow (for start, status, the AWS CLI, any SDK)',
    () => import('./serve.ts'),
  ),
  start: command(
    'start',
    'start the deployed state machine (--wait follows it to the summary)',
    () => import('./start.ts'),
  ),
  status: command(
    'status',
    "an execution's progress, or its summary once it has ended",
    () => import('./status.ts'),
  ),
  runs: command(
    'runs',
    'recent executions with their functions, coverage and deprecated counts',
    () => import('./runs.ts'),
  ),
  retry: command(
    'retry',
    'start a run over the targets an earlier run did not scan',
    () => import('./retry.ts'),
  ),
  redrive: command('redrive', 'redrive a failed execution', () => import('./redrive.ts')),
} satisfies Record<string, CommandEntry>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}
