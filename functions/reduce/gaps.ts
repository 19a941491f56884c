/**
 * Role-coverage gaps: the accounts the plan found ACTIVE and scanned, where the member role is missing
 * or refuses the worker (every region access-denied), written as `gaps.csv`, and the StackSets command
 * that rolls the role out to exactly those accounts.
 *
 * The worker assumes the role once per account and marks every region of the account access-denied
 * when that fails, so "every region access-denied" is what a missing or untrusting role looks like.
 * An account denied in some regions only has a role: something else (an SCP, a region's policy)
 * refuses there, and rolling the role out again would not help, so it is not a gap.
 */
import type { CoverageEntry } from '../../shared/contracts.ts';
import { compareText } from '../shared/compare.ts';
import { csvRow } from './csv.ts';

export interface RoleGap {
  accountId: string;
  accountName: string | null;
  /** Regions tried, all access-denied. */
  regions: number;
  /** The error of the account's first region (they share one AssumeRole). */
  errorCode: string | null;
  message: string | null;
}

/**
 * Accounts where every scanned region was access-denied, sorted by account id. Skipped accounts (not
 * ACTIVE, or excluded) were never tried, so they are never gaps.
 */
export function findRoleGaps(coverage: Iterable<CoverageEntry>): RoleGap[] {
  const accounts = new Map<string, { gap: RoleGap; allDenied: boolean }>();
  for (const entry of coverage) {
    if (entry.status === 'account-skipped' || entry.region === null) continue;
    const denied = entry.status === 'access-denied';
    const seen = accounts.get(entry.accountId);
    if (seen) {
      seen.gap.regions += 1;
      seen.allDenied &&= denied;
      seen.gap.accountName ??= entry.accountName;
      continue;
    }
    accounts.set(entry.accountId, {
      allDenied: denied,
      gap: {
        accountId: entry.accountId,
        accountName: entry.accountName,
        regions: 1,
        errorCode: entry.errorCode,
        message: entry.message,
      },
    });
  }
  return [...accounts.values()]
    .filter((account) => account.allDenied)
    .map((account) => account.gap)
    .sort((a, b) => compareText(a.accountId, b.accountId));
}

export const GAPS_COLUMNS = [
  'accountId',
  'accountName',
  'regions',
  'errorCode',
  'message',
] as const satisfies readonly (keyof RoleGap)[];

/** gaps.csv: a header and one row per account (just the header when there is no gap). */
export function gapsCsv(gaps: readonly RoleGap[]): string {
  return csvRow(GAPS_COLUMNS) + gaps.map((gap) => csvRow(GAPS_COLUMNS.map((column) => gap[column]))).join('');
}

export interface StackSetCommandOptions {
  /** @default 'lambda-inventory-member-role' (the name the README creates) */
  stackSetName?: string;
  /**
   * OUs (or the root) the accounts are in; INTERSECTION keeps only the listed accounts of these.
   * @default the organization's root, looked up by the command itself
   */
  organizationalUnitIds?: readonly string[];
  /** IAM is global: one region is enough. @default 'us-east-1' */
  region?: string;
  /** Run from a delegated administrator account rather than the management account. */
  delegatedAdmin?: boolean;
}

export const DEFAULT_STACK_SET_NAME = 'lambda-inventory-member-role';

/** Resolves the root id when the command runs, so the command needs no editing. */
const ROOT_ID_LOOKUP = "$(aws organizations list-roots --query 'Roots[0].Id' --output text)";

const SHELL_SAFE = /^[A-Za-z0-9._:/=-]+$/;

/**
 * `aws cloudformation create-stack-instances` for a service-managed StackSet, deploying the member
 * role to exactly the gap accounts: service-managed StackSets take accounts only as a filter of OUs
 * (`AccountFilterType=INTERSECTION`), never alone. Returns null when there is no gap.
 *
 * StackSets never deploy to the organization's management account: if it is a gap, deploy the
 * template there as a plain stack.
 */
export function stackSetCommand(
  gaps: readonly RoleGap[],
  options: StackSetCommandOptions = {},
): string | null {
  if (gaps.length === 0) return null;
  const stackSetName = options.stackSetName ?? DEFAULT_STACK_SET_NAME;
  const region = options.region ?? 'us-east-1';
  const ous = options.organizationalUnitIds ?? [];
  for (const value of [stackSetName, region, ...ous]) {
    // the command is pasted into a shell: refuse anything that could change what it runs
    if (!SHELL_SAFE.test(value)) throw new RangeError(`not a plain name or id: ${JSON.stringify(value)}`);
  }
  const targets = [
    `OrganizationalUnitIds=${ous.length > 0 ? ous.join(',') : ROOT_ID_LOOKUP}`,
    `Accounts=${gaps.map((gap) => gap.accountId).join(',')}`,
    'AccountFilterType=INTERSECTION',
  ].join(',');
  return [
    'aws cloudformation create-stack-instances',
    `--stack-set-name ${stackSetName}`,
    `--deployment-targets "${targets}"`,
    `--regions ${region}`,
    ...(options.delegatedAdmin ? ['--call-as DELEGATED_ADMIN'] : []),
  ].join(' \\\n  ');
}
