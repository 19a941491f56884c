/**
 * Turns the failure of one scan step into a target status: expected failures (a missing role, a
 * region the account has not enabled, throttling that outlasted the SDK's retries) are values in the
 * report, not exceptions that fail the batch.
 */
import type { TargetStatus } from '../shared/contracts.ts';

export type ScanStep = 'assume-role' | 'list-functions';

export interface Failure {
  status: Exclude<TargetStatus, 'ok'>;
  errorCode: string;
  message: string;
}

const THROTTLED = {
  Throttling: 'throttled',
  ThrottlingException: 'throttled',
  TooManyRequestsException: 'throttled',
} as const;

const STATUS_BY_CODE: Record<ScanStep, Record<string, Failure['status']>> = {
  'assume-role': {
    // STS answers AccessDenied both for a denied trust policy and for a role that does not exist
    AccessDenied: 'access-denied',
    AccessDeniedException: 'access-denied',
    RegionDisabledException: 'region-not-enabled',
    ...THROTTLED,
  },
  'list-functions': {
    // fresh STS credentials are valid everywhere the account is enabled: this means the region is not
    UnrecognizedClientException: 'region-not-enabled',
    AccessDeniedException: 'access-denied',
    AccessDenied: 'access-denied',
    ...THROTTLED,
  },
};

const MESSAGE_MAX_LENGTH = 300;

export function classifyError(error: unknown, step: ScanStep): Failure {
  const errorCode = errorName(error);
  return {
    status: STATUS_BY_CODE[step][errorCode] ?? 'error',
    errorCode,
    message: trimMessage(error) || errorCode,
  };
}

function errorName(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    'name' in error &&
    typeof error.name === 'string' &&
    error.name
  ) {
    return error.name;
  }
  return 'UnknownError';
}

/**
 * The error's own message only, on one line and short. Error objects are never serialised whole: SDK
 * errors carry the raw response, which for ListFunctions holds environment variable values.
 */
function trimMessage(error: unknown): string {
  const raw =
    typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string'
      ? error.message
      : typeof error === 'string'
        ? error
        : '';
  const oneLine = raw.replace(/\s+/g, ' ').trim();
  return oneLine.length > MESSAGE_MAX_LENGTH ? `${oneLine.slice(0, MESSAGE_MAX_LENGTH - 1)}…` : oneLine;
}
