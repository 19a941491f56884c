/**
 * A small AWS Organizations behind aws-sdk-client-mock: an OU tree served with the API's paging
 * (a page size smaller than the real 20, and an empty page that still carries a NextToken).
 */
import {
  type Account,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
  ParentNotFoundException,
} from '@aws-sdk/client-organizations';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export interface OrgUnit {
  id: string;
  accounts: Account[];
  children?: OrgUnit[];
}

export function account(id: string, name: string, state: Account['State'] = 'ACTIVE'): Account {
  return { Id: id, Name: name, State: state, Arn: `arn:aws:organizations::111111111111:account/o-abc/${id}` };
}

/** An account as older endpoints describe it: the retired `Status` field only. */
export function legacyAccount(id: string, name: string, status: Account['Status']): Account {
  return { Id: id, Name: name, Status: status };
}

const API_MAX_PAGE = 20;

/** Pages of `pageSize` items, with an empty page after the first one (AWS may send those). */
function paginate<T>(items: T[], pageSize: number): T[][] {
  const pages: T[][] = [];
  for (let start = 0; start < items.length; start += pageSize)
    pages.push(items.slice(start, start + pageSize));
  if (pages.length === 0) return [[]];
  pages.splice(1, 0, []);
  return pages;
}

function page<T>(items: T[], pageSize: number, input: { NextToken?: string; MaxResults?: number }) {
  if ((input.MaxResults ?? API_MAX_PAGE) > API_MAX_PAGE)
    throw new Error(`MaxResults ${input.MaxResults} > 20`);
  const pages = paginate(items, pageSize);
  const index = Number(input.NextToken ?? 0);
  return { items: pages[index] ?? [], NextToken: index + 1 < pages.length ? String(index + 1) : undefined };
}

/** Serves `root` through the mocked client. */
export function fakeOrganization(
  organizations: AwsClientStub<OrganizationsClient>,
  root: OrgUnit,
  pageSize = 2,
): void {
  const units = new Map<string, OrgUnit>();
  const index = (unit: OrgUnit): void => {
    units.set(unit.id, unit);
    for (const child of unit.children ?? []) index(child);
  };
  index(root);
  const unitOf = (id: string) => {
    const unit = units.get(id);
    if (!unit) throw new ParentNotFoundException({ message: `parent ${id} not found`, $metadata: {} });
    return unit;
  };

  organizations.on(ListAccountsCommand).callsFake((input) => {
    const { items, NextToken } = page(
      [...units.values()].flatMap((unit) => unit.accounts),
      pageSize,
      input,
    );
    return { Accounts: items, NextToken };
  });
  organizations.on(ListAccountsForParentCommand).callsFake((input) => {
    const { items, NextToken } = page(unitOf(input.ParentId).accounts, pageSize, input);
    return { Accounts: items, NextToken };
  });
  organizations.on(ListOrganizationalUnitsForParentCommand).callsFake((input) => {
    const children = (unitOf(input.ParentId).children ?? []).map((child) => ({
      Id: child.id,
      Name: child.id,
    }));
    const { items, NextToken } = page(children, pageSize, input);
    return { OrganizationalUnits: items, NextToken };
  });
}
