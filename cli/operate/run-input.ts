/**
 * The execution input of `start` from the same target flags as `run --local` (all optional: what is
 * not given, the deployed configuration decides), checked with the `RunInput` contract before any call.
 */
import {
  AccountId,
  formatIssues,
  OrganizationalUnitId,
  Region,
  RunId,
  RunInput,
  type RunInputRaw,
} from '../../shared/contracts.ts';
import { list, type OptionSpec, type OptionValues, one } from '../options.ts';
import { UsageError } from '../usage-error.ts';

export const TARGET_FLAGS = {
  accounts: { type: 'string', multiple: true },
  regions: { type: 'string', multiple: true },
  organization: { type: 'boolean' },
  'include-ous': { type: 'string', multiple: true },
  'exclude-ous': { type: 'string', multiple: true },
  'exclude-accounts': { type: 'string', multiple: true },
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
  const accounts = list(values.accounts, '--accounts', AccountId);
  const orgFlags = values['include-ous'] ?? values['exclude-ous'] ?? values['exclude-accounts'];
  if (orgFlags !== undefined && !values.organization) {
    throw new UsageError('--include-ous, --exclude-ous and --exclude-accounts need --organization');
  }
  if (values.organization && accounts !== undefined) {
    throw new UsageError('--accounts and --organization cannot be used together: choose one target source');
  }
  const input: RunInputRaw = {
    runId: one(values['run-id'], '--run-id', RunId),
    accounts,
    regions: list(values.regions, '--regions', Region),
    organization: values.organization
      ? {
          includeOus: list(values['include-ous'], '--include-ous', OrganizationalUnitId) ?? [],
          excludeOus: list(values['exclude-ous'], '--exclude-ous', OrganizationalUnitId) ?? [],
          excludeAccounts: list(values['exclude-accounts'], '--exclude-accounts', AccountId) ?? [],
        }
      : undefined,
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
