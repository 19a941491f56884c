/**
 * The bench scripts' command lines: node's parseArgs, with `--help` printing the script's usage and an
 * unknown option or a bad value answered by one line naming it, the usage and exit code 2, instead of
 * a stack trace.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

export class BenchUsage {
  /** `usage`: the script's command lines, as its header comment gives them. */
  constructor(private readonly usage: string) {}

  parse<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
    const args = config.args ?? process.argv.slice(2);
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`usage:\n${this.usage}\n`);
      process.exit(0);
    }
    try {
      return parseArgs(config);
    } catch (error) {
      return this.fail((error as Error).message);
    }
  }

  /** The value of option `--name`: a whole number from `min`. */
  wholeNumber(name: string, raw: string | undefined, min: number): number {
    const value = Number(raw);
    if (raw === undefined || raw.trim() === '' || !Number.isInteger(value) || value < min)
      this.fail(`--${name}: a whole number from ${min}, got "${raw ?? ''}"`);
    return value;
  }

  fail(message: string): never {
    process.stderr.write(`${message}\nusage:\n${this.usage}\n`);
    process.exit(2);
  }
}
