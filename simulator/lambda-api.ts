/**
 * Lambda over REST-JSON: `GET /2015-03-31/functions/` with Marker / MaxItems, JSON bodies, errors as
 * status + `x-amzn-ErrorType` header + `{"Type", "message"}` body.
 */
import type { Counters } from './counters.ts';
import type { Fleet } from './fleet.ts';
import {
  type AuthFailure,
  type Call,
  decodeToken,
  encodeToken,
  jsonReply,
  type Reply,
  type ServiceFrontEnd,
  type SimRequest,
} from './http.ts';
import type { RateLimiter } from './quotas.ts';
import { isDefaultEnabledRegion } from './regions.ts';

const PAGE_SIZE = 50;
const LIST_FUNCTIONS_PATH = /^\/2015-03-31\/functions\/?$/;

export interface LambdaDependencies {
  fleet: Fleet;
  limiter: RateLimiter;
  counters: Counters;
  now: () => number;
}

function lambdaError(
  status: number,
  code: string,
  message: string,
  request: SimRequest,
  extra: Record<string, string> = {},
  headers: Record<string, string> = {},
): Reply {
  const type = status >= 500 ? 'Service' : 'User';
  return jsonReply(status, { ...extra, Type: type, message }, request.requestId, 'application/json', {
    'x-amzn-errortype': code,
    ...headers,
  });
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';

export function createLambdaFrontEnd(deps: LambdaDependencies): ServiceFrontEnd {
  const { fleet, limiter, counters, now } = deps;

  function listFunctions(call: Call): Reply {
    const { request, caller, region } = call;
    const account = fleet.account(caller.accountId);
    const enabled =
      account !== undefined && (account.enabledRegions.includes(region) || isDefaultEnabledRegion(region));
    // an opt-in region the account has not enabled does not know the account's credentials at all
    if (!enabled) return lambdaError(403, 'UnrecognizedClientException', INVALID_TOKEN, request);

    const admission = limiter.admit(`${caller.accountId}/${region}`, now());
    if (!admission.admitted) {
      counters.throttle('lambda:ListFunctions');
      return lambdaError(
        429,
        'TooManyRequestsException',
        'Rate exceeded',
        request,
        { Reason: 'CallerRateLimitExceeded' },
        { 'retry-after': String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000))) },
      );
    }

    const query = request.url.searchParams;
    const maxItemsText = query.get('MaxItems');
    const maxItems = maxItemsText === null ? PAGE_SIZE : Number(maxItemsText);
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) {
      return lambdaError(
        400,
        'InvalidParameterValueException',
        `MaxItems must be an integer between 1 and 10000: ${maxItemsText}`,
        request,
      );
    }
    const functions = account.functions[region] ?? [];
    let offset = 0;
    const marker = query.get('Marker');
    if (marker !== null) {
      const state = decodeToken(marker);
      const valid =
        state?.a === caller.accountId &&
        state.r === region &&
        typeof state.o === 'number' &&
        Number.isInteger(state.o) &&
        state.o > 0 &&
        state.o <= functions.length;
      if (!valid) {
        return lambdaError(400, 'InvalidParameterValueException', `Invalid marker: ${marker}`, request);
      }
      offset = state.o as number;
    }
    const end = offset + Math.min(maxItems, PAGE_SIZE);
    const page = functions.slice(offset, end);
    const body: { Functions: typeof page; NextMarker?: string } = { Functions: page };
    if (end < functions.length) body.NextMarker = encodeToken({ a: caller.accountId, r: region, o: end });
    return jsonReply(200, body, request.requestId);
  }

  const operation = (request: SimRequest) =>
    request.method === 'GET' && LIST_FUNCTIONS_PATH.test(request.url.pathname) ? 'ListFunctions' : 'Unknown';

  return {
    operation,

    handle(call) {
      if (operation(call.request) === 'ListFunctions') return listFunctions(call);
      return lambdaError(
        404,
        'UnknownOperationException',
        `The simulator serves only ListFunctions, not ${call.request.method} ${call.request.url.pathname}`,
        call.request,
      );
    },

    authError(failure: AuthFailure, message: string, request: SimRequest) {
      switch (failure) {
        case 'missing':
          return lambdaError(
            403,
            'MissingAuthenticationTokenException',
            'Missing Authentication Token',
            request,
          );
        case 'malformed':
          return lambdaError(403, 'IncompleteSignatureException', message, request);
        case 'invalid-token':
          return lambdaError(403, 'UnrecognizedClientException', INVALID_TOKEN, request);
        case 'expired-token':
          return lambdaError(
            403,
            'ExpiredTokenException',
            'The security token included in the request is expired',
            request,
          );
      }
    },

    internalError: (request) => lambdaError(500, 'ServiceException', 'An internal error occurred.', request),
  };
}
