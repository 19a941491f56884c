/**
 * Organizations over AWS JSON 1.1: `POST /` with `X-Amz-Target: AWSOrganizationsV20161128.<Op>`,
 * JSON bodies, errors as `{"__type", "Message"}`. Lists come in pages of at most 20 with NextToken,
 * and (like AWS) may come back empty with a NextToken when more results exist.
 */
import type { FaultInjector } from './faults.ts';
import type { Fleet, FleetAccount } from './fleet.ts';
import {
  type AuthFailure,
  type Call,
  decodeToken,
  encodeToken,
  header,
  jsonReply,
  type Reply,
  type ServiceFrontEnd,
  type SimRequest,
} from './http.ts';

const TARGET_PREFIX = 'AWSOrganizationsV20161128.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_RESULTS = 20;
const PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

export interface OrganizationsDependencies {
  fleet: Fleet;
  faults: FaultInjector;
  legacyStatusOnly: boolean;
}

class OrganizationsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'OrganizationsError';
  }
}

function organizationsError(
  status: number,
  code: string,
  message: string,
  request: SimRequest,
  reason?: string,
) {
  return jsonReply(
    status,
    { __type: code, Message: message, ...(reason ? { Reason: reason } : {}) },
    request.requestId,
    CONTENT_TYPE,
  );
}

function invalidInput(reason: string, message: string): OrganizationsError {
  return new OrganizationsError(400, 'InvalidInputException', message, reason);
}

/** The legacy Status knew no CLOSED: closed accounts showed as SUSPENDED. */
function legacyStatus(state: FleetAccount['state']): string {
  return state === 'CLOSED' ? 'SUSPENDED' : state;
}

export function createOrganizationsFrontEnd(deps: OrganizationsDependencies): ServiceFrontEnd {
  const { fleet, faults, legacyStatusOnly } = deps;

  function page<T>(
    items: readonly T[],
    input: Record<string, unknown>,
    listing: string,
  ): { items: T[]; next?: string } {
    const maxResults = input.MaxResults ?? MAX_RESULTS;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults)) {
      throw invalidInput('INVALID_INPUT', 'MaxResults must be an integer.');
    }
    if (maxResults < 1) throw invalidInput('MIN_VALUE_EXCEEDED', 'MaxResults must be at least 1.');
    if (maxResults > MAX_RESULTS)
      throw invalidInput('MAX_VALUE_EXCEEDED', `MaxResults must be at most ${MAX_RESULTS}.`);
    let offset = 0;
    let servedEmpty = false;
    if (input.NextToken !== undefined && input.NextToken !== null) {
      const state = typeof input.NextToken === 'string' ? decodeToken(input.NextToken) : undefined;
      const valid =
        state?.l === listing &&
        typeof state.o === 'number' &&
        Number.isInteger(state.o) &&
        state.o >= 0 &&
        state.o < items.length;
      if (!valid) throw invalidInput('INVALID_NEXT_TOKEN', 'You specified an invalid value for nextToken.');
      offset = state.o as number;
      servedEmpty = state.e === 1;
    }
    // an empty page is served at most once per position, so a run always ends
    if (!servedEmpty && offset < items.length && faults.emptyPage()) {
      return { items: [], next: encodeToken({ l: listing, o: offset, e: 1 }) };
    }
    const end = offset + maxResults;
    return {
      items: items.slice(offset, end),
      ...(end < items.length ? { next: encodeToken({ l: listing, o: end }) } : {}),
    };
  }

  function parent(input: Record<string, unknown>): string {
    const parentId = input.ParentId;
    if (parentId === undefined || parentId === null)
      throw invalidInput('INPUT_REQUIRED', 'ParentId is required.');
    if (typeof parentId !== 'string' || !PARENT_ID.test(parentId)) {
      throw invalidInput('INVALID_PATTERN', `ParentId has an invalid pattern: ${String(parentId)}`);
    }
    if (parentId !== fleet.rootId && !fleet.ous.some((ou) => ou.id === parentId)) {
      throw new OrganizationsError(
        400,
        'ParentNotFoundException',
        "We can't find a root or OU with the ParentId that you specified.",
      );
    }
    return parentId;
  }

  function accountShape(account: FleetAccount) {
    return {
      Id: account.id,
      Arn: account.arn,
      Email: account.email,
      Name: account.name,
      ...(legacyStatusOnly ? {} : { State: account.state }),
      Status: legacyStatus(account.state),
      JoinedMethod: account.joinedMethod,
      JoinedTimestamp: account.joinedTimestamp,
    };
  }

  function listed<T>(key: string, result: { items: T[]; next?: string }) {
    return { [key]: result.items, ...(result.next ? { NextToken: result.next } : {}) };
  }

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    DescribeOrganization: () => {
      const management = fleet.account(fleet.centralAccountId);
      return {
        Organization: {
          Id: fleet.organizationId,
          Arn: fleet.organizationArn,
          FeatureSet: 'ALL',
          MasterAccountArn: management?.arn,
          MasterAccountId: fleet.centralAccountId,
          MasterAccountEmail: management?.email,
          AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
        },
      };
    },
    ListRoots: (input) =>
      listed(
        'Roots',
        page(
          [
            {
              Id: fleet.rootId,
              Arn: fleet.rootArn,
              Name: 'Root',
              PolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
            },
          ],
          input,
          'roots',
        ),
      ),
    ListOrganizationalUnitsForParent: (input) => {
      const parentId = parent(input);
      const children = fleet.ous
        .filter((ou) => ou.parentId === parentId)
        .map((ou) => ({ Id: ou.id, Arn: ou.arn, Name: ou.name }));
      return listed('OrganizationalUnits', page(children, input, `ous:${parentId}`));
    },
    ListAccountsForParent: (input) => {
      const parentId = parent(input);
      const accounts = fleet.accounts.filter((account) => account.ouId === parentId).map(accountShape);
      return listed('Accounts', page(accounts, input, `accounts:${parentId}`));
    },
    ListAccounts: (input) => listed('Accounts', page(fleet.accounts.map(accountShape), input, 'accounts')),
  };

  const operation = (request: SimRequest) => {
    const target = header(request, 'x-amz-target') ?? '';
    return target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : 'Unknown';
  };

  return {
    operation,

    handle(call: Call): Reply {
      const { request, caller } = call;
      const name = operation(request);
      const handler = operations[name];
      if (request.method !== 'POST' || !handler) {
        return organizationsError(
          400,
          'UnknownOperationException',
          `Operation ${header(request, 'x-amz-target') ?? '(no X-Amz-Target)'} is not supported.`,
          request,
        );
      }
      let input: unknown;
      try {
        input = request.body === '' ? {} : JSON.parse(request.body);
      } catch {
        return organizationsError(400, 'SerializationException', 'Request body is not valid JSON.', request);
      }
      if (input === null || typeof input !== 'object' || Array.isArray(input)) {
        return organizationsError(
          400,
          'SerializationException',
          'Request body must be a JSON object.',
          request,
        );
      }
      // only the management account (or a delegated administrator) may read the organization
      if (caller.kind !== 'central') {
        return organizationsError(
          400,
          'AccessDeniedException',
          "You don't have permissions to access this resource.",
          request,
        );
      }
      try {
        return jsonReply(200, handler(input as Record<string, unknown>), request.requestId, CONTENT_TYPE);
      } catch (error) {
        if (!(error instanceof OrganizationsError)) throw error;
        return organizationsError(error.status, error.code, error.message, request, error.reason);
      }
    },

    authError(failure: AuthFailure, message: string, request: SimRequest) {
      switch (failure) {
        case 'missing':
          return organizationsError(
            403,
            'MissingAuthenticationTokenException',
            'Missing Authentication Token',
            request,
          );
        case 'malformed':
          return organizationsError(403, 'IncompleteSignatureException', message, request);
        case 'invalid-token':
          return organizationsError(
            400,
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
            request,
          );
        case 'expired-token':
          return organizationsError(
            400,
            'ExpiredTokenException',
            'The security token included in the request is expired',
            request,
          );
      }
    },

    internalError: (request) =>
      organizationsError(
        500,
        'ServiceException',
        'AWS Organizations can\u2019t complete your request because of an internal service error.',
        request,
      ),
  };
}
