/**
 * The plan's pure core: where the targets come from, which discovered accounts are kept, and the
 * account x region crossing the Distributed Map reads. No I/O here.
 */
import { createHash } from 'node:crypto';
import type { Account } from '@aws-sdk/client-organizations';
import {
  type AccountRef,
  type OrganizationFilter,
  type PlanSettings,
  RunId,
  type RunInput,
  type SkippedAccount,
  type Target,
  ValidationError,
} from '../../shared/contracts.ts';
import { compareText } from '../shared/compare.ts';

export type TargetSourceChoice =
  | { source: 'accounts'; accounts: AccountRef[] }
  | { source: 'organization'; filter: OrganizationFilter };

/**
 * The execution input wins over the deployed settings: explicit accounts first, then organization
 * filters (which replace the deployed ones as a whole), then whatever was deployed. Organization
 * filters need a deployment that discovers accounts: only then may the plan call Organizations.
 */
export function chooseTargetSource(input: RunInput, settings: PlanSettings): TargetSourceChoice {
  const { targets } = settings;
  if (input.accounts) return { source: 'accounts', accounts: input.accounts };
  if (input.organization) {
    if (targets.source === 'accounts') {
      throw new ValidationError(
        'input.organization: Organizations discovery is not deployed (targets.source is "accounts"); give input.accounts instead',
      );
    }
    return { source: 'organization', filter: input.organization };
  }
  if (targets.source === 'accounts') return { source: 'accounts', accounts: targets.accounts };
  const { source: _source, ...filter } = targets;
  return { source: 'organization', filter };
}

/** Regions from the input, else the deployed ones; unique and sorted, as targets are ordered. */
export function chooseRegions(input: RunInput, settings: PlanSettings): string[] {
  return [...new Set(input.regions ?? settings.regions)].sort(compareText);
}

const RUN_ID_MAX_LENGTH = 48;

/** An execution name made safe for a RunId: other characters become '-', it starts alphanumeric, 48 chars at most. */
export function safeRunId(executionName: string): string {
  return executionName
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, RUN_ID_MAX_LENGTH);
}

export function runIdFor(input: RunInput, executionName: string): string {
  if (input.runId) return input.runId;
  const runId = safeRunId(executionName);
  if (!RunId.safeParse(runId).success) {
    throw new ValidationError(`execution.name: "${executionName}" has no characters usable as a run id`);
  }
  return runId;
}

const SCAN_ID_LENGTH = 12;

/**
 * The scan's id: execution names are unique per state machine, and a local rerun that reuses a name
 * starts at another time, so each execution gets its own partials even under a reused run id. The
 * same execution always gets the same id, so a retried plan names the same partials.
 */
export function scanIdFor(executionName: string, startTime: string): string {
  return createHash('sha256').update(`${executionName}|${startTime}`).digest('hex').slice(0, SCAN_ID_LENGTH);
}

/** Every account of the organization as the plan saw it, and the OU filter that put it out of scope, if any. */
export interface DiscoveredAccount {
  account: Account;
  excludedOu?: string;
}

export interface Screening {
  kept: AccountRef[];
  skipped: SkippedAccount[];
}

/** `State` is the current field; older endpoints and emulators still send only the retired `Status`. */
export function accountState(account: Pick<Account, 'State' | 'Status'>): string | undefined {
  return account.State ?? account.Status;
}

/** Keeps ACTIVE accounts the filters allow; every other account is skipped with the reason why. */
export function screenAccounts(discovered: DiscoveredAccount[], filter: OrganizationFilter): Screening {
  const excludedAccounts = new Set(filter.excludeAccounts);
  const kept: AccountRef[] = [];
  const skipped: SkippedAccount[] = [];
  const seen = new Set<string>();
  for (const { account, excludedOu } of discovered) {
    const accountId = account.Id;
    if (!accountId || seen.has(accountId)) continue;
    seen.add(accountId);
    const accountName = account.Name || undefined;
    const state = accountState(account);
    const reason = excludedAccounts.has(accountId)
      ? 'excluded by excludeAccounts'
      : excludedOu
        ? `under excluded OU ${excludedOu}`
        : state === 'ACTIVE'
          ? undefined
          : state
            ? `state ${state}`
            : 'state unknown (neither State nor Status reported)';
    if (reason)
      skipped.push({
        accountId,
        ...(accountName ? { accountName } : {}),
        ...(state ? { state } : {}),
        reason,
      });
    else kept.push({ id: accountId, ...(accountName ? { name: accountName } : {}) });
  }
  return { kept, skipped: skipped.sort((a, b) => compareText(a.accountId, b.accountId)) };
}

/**
 * Targets per batch, rounded to whole accounts: every account has one target per region (the targets
 * are the full cross product, ordered by account), so a multiple of the region count keeps each
 * account's regions in one batch, and the worker assumes its role once. An account with more regions
 * than the configured size still gets one batch of its own.
 */
export function accountAlignedBatchSize(configured: number, regionCount: number): number {
  return Math.max(1, Math.floor(configured / regionCount)) * regionCount;
}

/**
 * Every account in every region, once, ordered by account then region: the Map batches neighbours
 * together, so a batch mostly holds one account's regions and the worker assumes its role once.
 */
export function crossTargets(accounts: AccountRef[], regions: string[]): Target[] {
  const names = new Map<string, string | undefined>();
  for (const account of accounts) {
    // the same account given twice counts once; the first name given is kept
    const name = 'name' in account ? account.name : undefined;
    if (names.get(account.id) === undefined) names.set(account.id, name);
  }
  const uniqueRegions = [...new Set(regions)].sort(compareText);
  return [...names.keys()].sort(compareText).flatMap((accountId) =>
    uniqueRegions.map((region): Target => {
      const accountName = names.get(accountId);
      return accountName === undefined ? { accountId, region } : { accountId, accountName, region };
    }),
  );
}
