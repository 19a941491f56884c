/**
 * Flag parsing shared by every command: node:util's parseArgs behind a first pass that says what is
 * wrong in the CLI's own words (node's messages call `--concurrency -1` "ambiguous" and suggest
 * positionals the CLI does not take), plus readers that check values with the contract schemas.
 * Pure: argv in, values out, or a UsageError that names the flag.
 */
import { parseArgs } from 'node:util';
import { formatIssues } from '../shared/contracts.ts';
import type * as z from '../shared/zod.ts';
import { UsageError } from './usage-error.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** A string option that may also stand alone (`--simulate` or `--simulate spec.json`): alone, its value is ''. */
  optionalValue?: boolean;
}

type Specs = Record<string, OptionSpec>;

/** What parseArgs returns for `specs`: a string, strings or a boolean per option, undefined when absent. */
export type OptionValues<T extends Specs> = {
  [K in keyof T]?: T[K]['type'] extends 'boolean'
    ? boolean
    : T[K]['multiple'] extends true
      ? string[]
      : string;
};

export function parseOptions<T extends Specs>(argv: readonly string[], specs: T): OptionValues<T> {
  const args = normalize(argv, specs);
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      { type: spec.type, multiple: spec.multiple ?? false },
    ]),
  );
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as OptionValues<T>;
  } catch (error) {
    // normalize() catches what it can name better; this is the safety net
    throw new UsageError((error as Error).message.split('\n')[0] ?? String(error));
  }
}

/**
 * Rewrites every string option as `--name=value`, so that a value which starts with a dash (a
 * negative number) reaches the value's own check, and rejects what parseArgs would describe poorly.
 */
function normalize(argv: readonly string[], specs: Specs): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (!token.startsWith('-') || token === '-' || token === '--') {
      throw new UsageError(`unexpected argument "${token}"`);
    }
    const equals = token.indexOf('=');
    const flag = equals === -1 ? token : token.slice(0, equals);
    const spec = flag.startsWith('--') ? specs[flag.slice(2)] : undefined;
    if (spec === undefined) throw new UsageError(`unknown option ${flag}`);
    if (spec.type === 'boolean') {
      if (equals !== -1) throw new UsageError(`${flag} takes no value`);
      args.push(token);
      continue;
    }
    if (equals !== -1) {
      if (equals === token.length - 1) throw new UsageError(`${flag} needs a value`);
      args.push(token);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && (!next.startsWith('-') || isNegativeNumber(next))) {
      args.push(`${flag}=${next}`);
      i++;
    } else if (spec.optionalValue) {
      args.push(`${flag}=`);
    } else {
      throw new UsageError(`${flag} needs a value`);
    }
  }
  return args;
}

function isNegativeNumber(token: string): boolean {
  return /^-\d/.test(token);
}

/** Comma-separated and/or repeated values, each checked with the contract schema; duplicates dropped. */
export function list(
  raw: string[] | undefined,
  flag: string,
  schema: z.ZodMiniType<string>,
): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.flatMap((value) => value.split(',')).map((value) => value.trim());
  if (items.some((item) => item === '')) throw new UsageError(`${flag}: empty value in "${raw.join(',')}"`);
  return [...new Set(items.map((item) => one(item, flag, schema) as string))];
}

export function one(
  raw: string | undefined,
  flag: string,
  schema: z.ZodMiniType<string>,
): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(`${flag}: "${raw}" ${formatIssues(parsed.error).replace(/^\(root\): /, '')}`);
  return parsed.data;
}

/** A percentage from 0 to 100, fractions allowed (`2.5`), as the config's percentages are. */
export function percentage(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || value > 100) {
    throw new UsageError(`${flag}: "${raw}" must be a number from 0 to 100`);
  }
  return value;
}

export function integer(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`${flag}: "${raw}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}
