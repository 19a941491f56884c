/**
 * STS over the AWS query protocol: form-encoded `Action=...&Version=2011-06-15` requests, XML
 * responses in the 2011-06-15 namespace, XML `ErrorResponse` errors.
 */
import type { Counters } from './counters.ts';
import type { CredentialStore } from './credentials.ts';
import type { Fleet } from './fleet.ts';
import {
  type AuthFailure,
  type Call,
  escapeXml,
  type Reply,
  type ServiceFrontEnd,
  type SimRequest,
  xmlReply,
} from './http.ts';
import type { RateLimiter } from './quotas.ts';

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*)([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]*$/;
/** IAM's default MaxSessionDuration for a role: one hour */
const MAX_SESSION_SECONDS = 3600;

export interface StsDependencies {
  fleet: Fleet;
  credentials: CredentialStore;
  limiter: RateLimiter;
  counters: Counters;
  now: () => number;
}

function params(request: SimRequest): URLSearchParams {
  const merged = new URLSearchParams(request.url.search);
  for (const [name, value] of new URLSearchParams(request.body)) merged.set(name, value);
  return merged;
}

function stsError(
  status: number,
  code: string,
  message: string,
  request: SimRequest,
  type: 'Sender' | 'Receiver' = 'Sender',
): Reply {
  return xmlReply(
    status,
    `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${request.requestId}</RequestId></ErrorResponse>`,
    request.requestId,
  );
}

function stsResult(operation: string, fields: string, request: SimRequest): Reply {
  return xmlReply(
    200,
    `<${operation}Response xmlns="${NAMESPACE}"><${operation}Result>${fields}</${operation}Result><ResponseMetadata><RequestId>${request.requestId}</RequestId></ResponseMetadata></${operation}Response>`,
    request.requestId,
  );
}

/** Constraint messages worded as AWS words them ("1 validation error detected: ..."). */
function validateAssumeRole(query: URLSearchParams): string[] {
  const problems: string[] = [];
  const roleArn = query.get('RoleArn');
  const sessionName = query.get('RoleSessionName');
  const duration = query.get('DurationSeconds');
  if (roleArn === null)
    problems.push("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  else if (roleArn.length < 20 || roleArn.length > 2048) {
    problems.push(
      `Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048`,
    );
  }
  if (sessionName === null) {
    problems.push("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  } else if (sessionName.length < 2 || sessionName.length > 64) {
    problems.push(
      `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64`,
    );
  } else if (!SESSION_NAME.test(sessionName)) {
    problems.push(
      `Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
  if (duration !== null) {
    const seconds = Number(duration);
    if (!Number.isInteger(seconds)) {
      problems.push(
        `Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must be an integer`,
      );
    } else if (seconds < 900) {
      problems.push(
        `Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900`,
      );
    } else if (seconds > 43200) {
      problems.push(
        `Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200`,
      );
    }
  }
  return problems;
}

export function createStsFrontEnd(deps: StsDependencies): ServiceFrontEnd {
  const { fleet, credentials, limiter, counters, now } = deps;

  function assumeRole(call: Call, query: URLSearchParams): Reply {
    const { request, caller } = call;
    const throttle = limiter.admit(caller.accountId, now());
    if (!throttle.admitted) {
      counters.throttle('sts:AssumeRole');
      return stsError(400, 'Throttling', 'Rate exceeded', request);
    }
    const problems = validateAssumeRole(query);
    if (problems.length > 0) {
      const count = `${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: `;
      return stsError(400, 'ValidationError', count + problems.join('; '), request);
    }
    const roleArn = query.get('RoleArn') as string;
    const sessionName = query.get('RoleSessionName') as string;
    const durationSeconds = Number(query.get('DurationSeconds') ?? MAX_SESSION_SECONDS);
    const arn = ROLE_ARN.exec(roleArn);
    if (!arn) return stsError(400, 'ValidationError', `${roleArn} is invalid`, request);
    const [, accountId, path, roleName] = arn as unknown as [string, string, string, string];
    counters.assumeRole(accountId);

    const account = fleet.account(accountId);
    // the member role trusts only the central account; a suspended or closed account answers like a
    // missing role, because its roles can no longer be assumed
    const assumable =
      caller.kind === 'central' &&
      account !== undefined &&
      account.state === 'ACTIVE' &&
      account.hasRole &&
      path === '' &&
      roleName === fleet.memberRoleName;
    if (!assumable) {
      return stsError(
        403,
        'AccessDenied',
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        request,
      );
    }
    if (durationSeconds > MAX_SESSION_SECONDS) {
      return stsError(
        400,
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
        request,
      );
    }
    const session = credentials.issue({ accountId, roleName, sessionName, durationSeconds, now: now() });
    return stsResult(
      'AssumeRole',
      `<AssumedRoleUser><AssumedRoleId>${escapeXml(session.userId)}</AssumedRoleId><Arn>${escapeXml(session.arn)}</Arn></AssumedRoleUser>` +
        `<Credentials><AccessKeyId>${session.accessKeyId}</AccessKeyId><SecretAccessKey>${session.secretAccessKey}</SecretAccessKey>` +
        `<SessionToken>${session.sessionToken}</SessionToken><Expiration>${new Date(session.expiresAt).toISOString().replace('.000Z', 'Z')}</Expiration></Credentials>`,
      request,
    );
  }

  return {
    operation: (request) => params(request).get('Action') ?? 'Unknown',

    handle(call) {
      const query = params(call.request);
      const action = query.get('Action');
      if (action === 'AssumeRole') return assumeRole(call, query);
      if (action === 'GetCallerIdentity') {
        const { caller } = call;
        return stsResult(
          'GetCallerIdentity',
          `<Arn>${escapeXml(caller.arn)}</Arn><UserId>${escapeXml(caller.userId)}</UserId><Account>${caller.accountId}</Account>`,
          call.request,
        );
      }
      return stsError(
        400,
        'InvalidAction',
        `Could not find operation ${action ?? '(none)'} for version ${query.get('Version') ?? '(none)'}`,
        call.request,
      );
    },

    authError(failure: AuthFailure, message: string, request: SimRequest) {
      switch (failure) {
        case 'missing':
          return stsError(
            403,
            'MissingAuthenticationToken',
            'Request is missing Authentication Token',
            request,
          );
        case 'malformed':
          return stsError(403, 'IncompleteSignature', message, request);
        case 'invalid-token':
          return stsError(
            403,
            'InvalidClientTokenId',
            'The security token included in the request is invalid.',
            request,
          );
        case 'expired-token':
          return stsError(
            400,
            'ExpiredToken',
            'The security token included in the request is expired',
            request,
          );
      }
    },

    internalError: (request) =>
      stsError(
        500,
        'InternalFailure',
        'The request processing has failed because of an unknown error.',
        request,
        'Receiver',
      ),
  };
}
