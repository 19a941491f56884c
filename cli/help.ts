/** The main help: the commands come from the table, each with its one-line summary. */
import { COMMANDS } from './commands/index.ts';

export function mainHelp(): string {
  const rows = [
    ...Object.values(COMMANDS).map((command) => [command.usage, command.summary]),
    ['help [command]', 'show help for a command'],
  ];
  const width = Math.max(...rows.map(([usage]) => (usage as string).length));
  return `lambda-inventory: an inventory of every AWS Lambda function across the accounts and regions of an organization

Usage: lambda-inventory <command> [options]

Commands:
${rows.map(([usage, summary]) => `  ${(usage as string).padEnd(width)}  ${summary}`).join('\n')}

Options:
  -h, --help      show help
  -v, --version   show the version

Exit codes: 0 ok; 1 the run failed or coverage is below --min-coverage; 2 bad usage or input.`;
}
