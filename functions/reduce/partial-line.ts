/**
 * Parses one line of a worker partial. Function lines (all but a few per target) are checked by hand
 * against `ScannedFunction`, field by field: a zod parse per line cost more than the rest of reduce
 * together. The check is exact, as strict as the schema (test/unit/reduce-partial-line.test.ts holds
 * the two side by side), and returns the parsed object itself instead of a copy. Target lines are
 * few and go through the schema.
 *
 * Error reasons name the field, never its value: a malformed line may carry what must not be logged.
 */
import {
  AccountId,
  formatIssues,
  PartialLine,
  Region,
  type ScannedFunction,
  type TargetResult,
} from '../../shared/contracts.ts';
import * as z from '../../shared/zod.ts';

export type ParsedLine =
  | { ok: true; kind: 'target'; target: TargetResult }
  | { ok: true; kind: 'function'; function: ScannedFunction }
  | { ok: false; reason: string };

type FieldCheck = 'string' | 'string?' | 'int?' | 'strings' | 'accountId' | 'region' | 'packageType';

/** Every field of ScannedFunction and what it must hold; `?` means null is allowed. */
const FUNCTION_FIELDS = {
  accountId: 'accountId',
  accountName: 'string?',
  region: 'region',
  functionName: 'string',
  functionArn: 'string',
  runtime: 'string?',
  packageType: 'packageType',
  architectures: 'strings',
  memorySize: 'int?',
  timeout: 'int?',
  ephemeralStorage: 'int?',
  codeSize: 'int?',
  handler: 'string?',
  lastModified: 'string?',
  role: 'string?',
  layers: 'strings',
  tracingMode: 'string?',
  snapStart: 'string?',
  environmentVariableNames: 'strings',
  version: 'string?',
} as const satisfies Record<keyof ScannedFunction, FieldCheck>;

/** ScannedFunction's fields in contract order: the order the worker writes them and inventory.json keeps. */
export const FIELD_NAMES = Object.keys(FUNCTION_FIELDS) as (keyof ScannedFunction)[];

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const expected = (what: string, value: unknown) =>
  `Invalid input: expected ${what}, received ${typeOf(value)}`;

/**
 * Account ids and regions recur on every line of a target: each distinct value is checked by its
 * schema once and remembered, so the check stays the schema's own at the cost of a set lookup.
 */
class KnownGood {
  private readonly seen = new Set<string>();
  constructor(private readonly schema: z.core.$ZodType) {}

  /** The schema's complaint about `value`, or undefined when it is valid. */
  problem(value: unknown): string | undefined {
    if (typeof value === 'string' && this.seen.has(value)) return undefined;
    const parsed = z.safeParse(this.schema, value);
    if (!parsed.success) return parsed.error.issues[0]?.message ?? 'Invalid input';
    this.seen.add(value as string);
    return undefined;
  }
}

/** Holds the validated-value caches: one per reduce, so that they never outlive the run. */
export class PartialLineParser {
  private readonly accountIds = new KnownGood(AccountId);
  private readonly regions = new KnownGood(Region);

  /** The line's content, or why it is not a valid partial line. */
  parse(line: string): ParsedLine {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (error) {
      return { ok: false, reason: `not JSON (${(error as Error).message})` };
    }
    return this.check(json);
  }

  /** The content of a line already parsed as JSON, or why it is not a valid partial line. */
  check(json: unknown): ParsedLine {
    if (isPlainObject(json) && json.kind === 'function') {
      const reason = this.functionLineProblem(json);
      return reason === undefined
        ? { ok: true, kind: 'function', function: json.function as ScannedFunction }
        : { ok: false, reason };
    }
    const parsed = z.safeParse(PartialLine, json);
    if (!parsed.success) return { ok: false, reason: formatIssues(parsed.error) };
    if (parsed.data.kind === 'function')
      return { ok: true, kind: 'function', function: parsed.data.function };
    return { ok: true, kind: 'target', target: parsed.data.target };
  }

  private functionLineProblem(line: Record<string, unknown>): string | undefined {
    for (const key in line) {
      if (key !== 'kind' && key !== 'function') return `(root): Unrecognized key: "${key}"`;
    }
    const fn = line.function;
    if (!isPlainObject(fn)) return `function: ${expected('object', fn)}`;
    for (const key in fn) {
      if (!Object.hasOwn(FUNCTION_FIELDS, key)) return `function: Unrecognized key: "${key}"`;
    }
    // a missing field reads as undefined, which no check accepts: no key count is needed
    for (const name of FIELD_NAMES) {
      const problem = this.fieldProblem(FUNCTION_FIELDS[name], fn[name]);
      if (problem !== undefined) return `function.${name}: ${problem}`;
    }
    return undefined;
  }

  private fieldProblem(check: FieldCheck, value: unknown): string | undefined {
    switch (check) {
      case 'string':
        return typeof value === 'string' ? undefined : expected('string', value);
      case 'string?':
        return value === null || typeof value === 'string' ? undefined : expected('string or null', value);
      case 'int?':
        return value === null || Number.isSafeInteger(value) ? undefined : expected('integer or null', value);
      case 'strings':
        if (!Array.isArray(value)) return expected('array', value);
        for (const item of value) if (typeof item !== 'string') return expected('array of strings', item);
        return undefined;
      case 'packageType':
        return value === 'Zip' || value === 'Image'
          ? undefined
          : 'Invalid option: expected one of "Zip"|"Image"';
      case 'accountId':
        return this.accountIds.problem(value);
      case 'region':
        return this.regions.problem(value);
    }
  }
}
