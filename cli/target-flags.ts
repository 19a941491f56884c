/**
 * The target flags every command that starts a run shares (`run --local`, `serve`, `start`): which
 * accounts (a list or Organizations discovery with its filters) and which regions.
 */

import type { OrganizationFilter } from '../shared/contracts.ts';
import { AccountId, OrganizationalUnitId, Region } from '../shared/contracts.ts';
import { list, type OptionSpec, type OptionValues } from './options.ts';
import { UsageError } from './usage-error.ts';

export const TARGET_SOURCE_FLAGS = {
  accounts: { type: 'string', multiple: true },
  regions: { type: 'string', multiple: true },
  organization: { type: 'boolean' },
  'include-ous': { type: 'string', multiple: true },
  'exclude-ous': { type: 'string', multiple: true },
  'exclude-accounts': { type: 'string', multiple: true },
} as const satisfies Record<string, OptionSpec>;

export interface TargetFlags {
  accounts?: string[] | undefined;
  regions?: string[] | undefined;
  organization?: OrganizationFilter | undefined;
}

/** Checks the target flags: one source of accounts, OU filters only with --organization. */
export function parseTargetFlags(values: OptionValues<typeof TARGET_SOURCE_FLAGS>): TargetFlags {
  const accounts = list(values.accounts, '--accounts', AccountId);
  const orgFlags = values['include-ous'] ?? values['exclude-ous'] ?? values['exclude-accounts'];
  if (orgFlags !== undefined && !values.organization) {
    throw new UsageError('--include-ous, --exclude-ous and --exclude-accounts need --organization');
  }
  if (values.organization && accounts !== undefined) {
    throw new UsageError('--accounts and --organization cannot be used together: choose one target source');
  }
  return {
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
}
