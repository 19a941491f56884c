/**
 * Pure argument parsing: argv in, a typed command out, or a UsageError that names the bad flag.
 * Nothing here touches the network, the file system or the process.
 */
import { parseArgs } from 'node:util';
import { AccountId, formatIssues, OrganizationalUnitId, Region, RunId } from '../shared/contracts.ts';
import type * as z from '../shared/zod.ts';
import { UsageError } from './usage-error.ts';

export const DEFAULT_OUT_DIR = './inventory-data';
/** Percentage of targets that must be covered (scanned, or known to have no Lambda) for exit code 0. */
export const DEFAULT_MIN_COVERAGE = 90;

export interface RunCommand {
  kind: 'run';
  /** Present when `--simulate` starts the fleet simulator in-process; `spec` is its optional JSON spec. */
  simulate?: { spec?: string };
  accounts?: string[];
  regions?: string[];
  organization?: { includeOus: string[]; excludeOus: string[]; excludeAccounts: string[] };
  configPath?: string;
  out: string;
  bucket?: string;
  concurrency?: number;
  batchSize?: number;
  regionConcurrency?: number;
  toleratedFailurePercentage?: number;
  minCoverage: number;
  runId?: string;
  json: boolean;
}

export interface SimulateCommand {
  kind: 'simulate';
  spec?: string;
  port: number;
  host: string;
}

export type Command =
  | { kind: 'help'; topic?: 'run' | 'simulate' }
  | { kind: 'version' }
  | RunCommand
  | SimulateCommand;

export function parseCommand(argv: readonly string[]): Command {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && topic !== 'run' && topic !== 'simulate')
      throw new UsageError(`unknown command "${topic}"`);
    return { kind: 'help', topic };
  }
  if (name === '--version' || name === '-v') return { kind: 'version' };
  if (rest.includes('--help') || rest.includes('-h')) {
    if (name === 'run' || name === 'simulate') return { kind: 'help', topic: name };
  }
  switch (name) {
    case 'run':
      return parseRun(rest);
    case 'simulate':
      return parseSimulate(rest);
    default:
      throw new UsageError(`unknown command "${name}" (try --help)`);
  }
}

function parseRun(argv: readonly string[]): RunCommand {
  const { args, simulate } = extractOptionalValue(argv, '--simulate');
  const { values } = parse(args, {
    local: { type: 'boolean' },
    accounts: { type: 'string', multiple: true },
    regions: { type: 'string', multiple: true },
    organization: { type: 'boolean' },
    'include-ous': { type: 'string', multiple: true },
    'exclude-ous': { type: 'string', multiple: true },
    'exclude-accounts': { type: 'string', multiple: true },
    config: { type: 'string' },
    out: { type: 'string' },
    bucket: { type: 'string' },
    concurrency: { type: 'string' },
    'batch-size': { type: 'string' },
    'region-concurrency': { type: 'string' },
    'tolerated-failure-percentage': { type: 'string' },
    'min-coverage': { type: 'string' },
    'run-id': { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!values.local) {
    throw new UsageError(
      'run needs --local (running the deployed state machine from the CLI is not available yet)',
    );
  }
  if (values.out !== undefined && values.bucket !== undefined) {
    throw new UsageError('--out and --bucket cannot be used together: the report goes to one place');
  }
  const accounts = list(values.accounts, '--accounts', AccountId);
  const orgFlags = values['include-ous'] ?? values['exclude-ous'] ?? values['exclude-accounts'];
  if (orgFlags !== undefined && !values.organization) {
    throw new UsageError('--include-ous, --exclude-ous and --exclude-accounts need --organization');
  }
  if (values.organization && accounts !== undefined) {
    throw new UsageError('--accounts and --organization cannot be used together: choose one target source');
  }
  return {
    kind: 'run',
    simulate,
    accounts,
    regions: list(values.regions, '--regions', Region),
    organization: values.organization
      ? {
          includeOus: list(values['include-ous'], '--include-ous', OrganizationalUnitId) ?? [],
          excludeOus: list(values['exclude-ous'], '--exclude-ous', OrganizationalUnitId) ?? [],
          excludeAccounts: list(values['exclude-accounts'], '--exclude-accounts', AccountId) ?? [],
        }
      : undefined,
    configPath: values.config,
    out: values.out ?? DEFAULT_OUT_DIR,
    bucket: values.bucket,
    concurrency: integer(values.concurrency, '--concurrency', 1, 10_000),
    batchSize: integer(values['batch-size'], '--batch-size', 1, 200),
    regionConcurrency: integer(values['region-concurrency'], '--region-concurrency', 1, 64),
    toleratedFailurePercentage: integer(
      values['tolerated-failure-percentage'],
      '--tolerated-failure-percentage',
      0,
      100,
    ),
    minCoverage: integer(values['min-coverage'], '--min-coverage', 0, 100) ?? DEFAULT_MIN_COVERAGE,
    runId: one(values['run-id'], '--run-id', RunId),
    json: values.json ?? false,
  };
}

function parseSimulate(argv: readonly string[]): SimulateCommand {
  const { values } = parse(argv, {
    spec: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
  });
  return {
    kind: 'simulate',
    spec: values.spec,
    port: integer(values.port, '--port', 0, 65_535) ?? 4566,
    host: values.host ?? '127.0.0.1',
  };
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

function parse<T extends OptionSpec>(args: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0] ?? String(error));
  }
}

/** `--simulate` takes an optional value: `--simulate`, `--simulate spec.json` or `--simulate=spec.json`. */
function extractOptionalValue(argv: readonly string[], flag: string) {
  const args: string[] = [];
  let simulate: { spec?: string } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === flag) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        simulate = { spec: next };
        i++;
      } else simulate = {};
    } else if (arg.startsWith(`${flag}=`)) {
      const spec = arg.slice(flag.length + 1);
      if (spec === '') throw new UsageError(`${flag}= needs a spec file path`);
      simulate = { spec };
    } else args.push(arg);
  }
  return { args, simulate };
}

/** Comma-separated and/or repeated values, each checked with the contract schema. */
function list(raw: string[] | undefined, flag: string, schema: z.ZodMiniType<string>): string[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.flatMap((value) => value.split(',')).map((value) => value.trim());
  if (items.some((item) => item === '')) throw new UsageError(`${flag}: empty value in "${raw.join(',')}"`);
  return [...new Set(items.map((item) => one(item, flag, schema) as string))];
}

function one(raw: string | undefined, flag: string, schema: z.ZodMiniType<string>): string | undefined {
  if (raw === undefined) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new UsageError(`${flag}: "${raw}" ${formatIssues(parsed.error).replace(/^\(root\): /, '')}`);
  return parsed.data;
}

function integer(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`${flag}: "${raw}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}
