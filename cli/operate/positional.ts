import { UsageError } from '../usage-error.ts';

/** `<command> <what> [options]`: the one operand comes first, then the flags. */
export function leadingOperand(argv: readonly string[], what: string): [string, string[]] {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('-')) throw new UsageError(`missing ${what}`);
  return [first, rest];
}
