/**
 * The execution input of `start` from the same target flags as `run --local` (all optional: what is
 * not given, the deployed configuration decides), checked with the `RunInput` contract before any call.
 */
import { formatIssues, RunId, RunInput, type RunInputRaw } from '../../shared/contracts.ts';
import { type OptionSpec, type OptionValues, one } from '../options.ts';
import { parseTargetFlags, TARGET_SOURCE_FLAGS } from '../target-flags.ts';
import { UsageError } from '../usage-error.ts';

export const TARGET_FLAGS = {
  ...TARGET_SOURCE_FLAGS,
  'run-id': { type: 'string' },
} as const satisfies Record<string, OptionSpec>;

export const TARGET_HELP = `Targets (optional: without them the deployed configuration decides):
  --accounts <ids>               account ids, comma-separated or repeated
  --organization                 discover accounts with AWS Organizations
    --include-ous <ids>          only accounts under these OUs (recursively)
    --exclude-ous <ids>          drop accounts under these OUs
    --exclude-accounts <ids>     drop these accounts
  --regions <codes>              regions to scan
  --run-id <id>                  name the run (default: from the execution)`;

export function parseRunInput(values: OptionValues<typeof TARGET_FLAGS>): RunInput {
  const targets = parseTargetFlags(values);
  const input: RunInputRaw = {
    runId: one(values['run-id'], '--run-id', RunId),
    ...targets,
  };
  return checkedInput(input);
}

/** The input as the state machine receives it: validated, with absent fields left out. */
export function checkedInput(input: RunInputRaw): RunInput {
  const defined = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  const parsed = RunInput.safeParse(defined);
  if (!parsed.success) throw new UsageError(`invalid execution input: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
