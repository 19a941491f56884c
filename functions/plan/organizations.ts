/**
 * AWS Organizations discovery: which accounts exist, and which of them sit under the OUs the filters
 * name. Every listing is paginated (pages of at most 20, and a page may be empty yet carry a
 * NextToken); the SDK paginators keep going while a token comes back.
 */
import {
  type Account,
  type OrganizationsClient,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
} from '@aws-sdk/client-organizations';
import type { OrganizationFilter } from '../../shared/contracts.ts';
import { InvalidTargetsError } from '../../shared/errors.ts';
import { type Screening, screenAccounts } from './plan-targets.ts';

const PAGE_SIZE = 20;

/** Lists the accounts the filters select, keeps the ACTIVE ones and says why each other one is skipped. */
export async function discoverAccounts(
  client: OrganizationsClient,
  filter: OrganizationFilter,
): Promise<Screening> {
  const walker = new OrganizationWalker(client);
  const candidates: Account[] = [];
  if (filter.includeOus.length > 0) {
    for (const ou of filter.includeOus) candidates.push(...(await walker.accountsUnder(ou, 'includeOus')));
  } else {
    candidates.push(...(await listAccounts(client)));
  }
  const excludedOuOf = new Map<string, string>();
  for (const ou of filter.excludeOus) {
    for (const account of await walker.accountsUnder(ou, 'excludeOus')) {
      if (account.Id && !excludedOuOf.has(account.Id)) excludedOuOf.set(account.Id, ou);
    }
  }
  return screenAccounts(
    candidates.map((account) => ({
      account,
      excludedOu: account.Id ? excludedOuOf.get(account.Id) : undefined,
    })),
    filter,
  );
}

async function listAccounts(client: OrganizationsClient): Promise<Account[]> {
  const accounts: Account[] = [];
  for await (const page of paginateListAccounts({ client, pageSize: PAGE_SIZE }, {})) {
    accounts.push(...(page.Accounts ?? []));
  }
  return accounts;
}

/**
 * Walks OUs recursively, one call at a time (Organizations allows only a few requests per second),
 * and remembers each subtree: an excluded OU inside an included one is listed once.
 */
class OrganizationWalker {
  private readonly subtrees = new Map<string, Promise<Account[]>>();

  constructor(private readonly client: OrganizationsClient) {}

  async accountsUnder(ouId: string, filterName: string): Promise<Account[]> {
    try {
      return await this.subtree(ouId);
    } catch (error) {
      if ((error as Error).name === 'ParentNotFoundException') {
        throw new InvalidTargetsError(`organization.${filterName}: ${ouId} is not in the organization`);
      }
      throw error;
    }
  }

  private subtree(parentId: string): Promise<Account[]> {
    let subtree = this.subtrees.get(parentId);
    if (!subtree) {
      subtree = this.walk(parentId);
      this.subtrees.set(parentId, subtree);
    }
    return subtree;
  }

  private async walk(parentId: string): Promise<Account[]> {
    const accounts: Account[] = [];
    for await (const page of paginateListAccountsForParent(
      { client: this.client, pageSize: PAGE_SIZE },
      { ParentId: parentId },
    )) {
      accounts.push(...(page.Accounts ?? []));
    }
    for await (const page of paginateListOrganizationalUnitsForParent(
      { client: this.client, pageSize: PAGE_SIZE },
      { ParentId: parentId },
    )) {
      for (const ou of page.OrganizationalUnits ?? []) {
        if (ou.Id) accounts.push(...(await this.subtree(ou.Id)));
      }
    }
    return accounts;
  }
}
