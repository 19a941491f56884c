/**
 * Turns the failure of one scan step into a target status: expected failures (a missing role, a
 * region the account has not enabled, throttling that outlasted the paced retries) are values in the
 * report, not exceptions that fail the batch.
 */
import { DEFAULT_REGIONS, type TargetStatus } from '../../shared/contracts.ts';

export type ScanStep = 'assume-role' | 'list-functions';

export interface Failure {
  status: Exclude<TargetStatus, 'ok'>;
  errorCode: string;
  message: string;
}

const THROTTLING_NAMES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
]);

/** STS answers `Throttling` (400), Lambda `TooManyRequestsException` (429): both mean "slow down". */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (THROTTLING_NAMES.has(errorName(error))) return true;
  const metadata = '$metadata' in error ? error.$metadata : undefined;
  return (
    typeof metadata === 'object' &&
    metadata !== null &&
    'httpStatusCode' in metadata &&
    metadata.httpStatusCode === 429
  );
}

const STATUS_BY_CODE: Record<ScanStep, Record<string, Failure['status']>> = {
  'assume-role': {
    // STS answers AccessDenied both for a denied trust policy and for a role that does not exist
    AccessDenied: 'access-denied',
    AccessDeniedException: 'access-denied',
    // RegionDisabledException is left an error: it means STS is not activated in the central account's
    // STS region, which says nothing about the member's regions and needs the platform team to act
  },
  'list-functions': {
    AccessDeniedException: 'access-denied',
    AccessDenied: 'access-denied',
  },
};

const MESSAGE_MAX_LENGTH = 300;

const DEFAULT_REGION_SET: ReadonlySet<string> = new Set(DEFAULT_REGIONS);

/** A failed AssumeRole (per account), or a failed ListFunctions in `region`. */
export function classifyError(error: unknown, step: 'assume-role'): Failure;
export function classifyError(error: unknown, step: 'list-functions', region: string): Failure;
export function classifyError(error: unknown, step: ScanStep, region?: string): Failure {
  const errorCode = errorName(error);
  return {
    // a 429 is a throttle whatever the error's name
    status: isThrottlingError(error) ? 'throttled' : statusOf(errorCode, step, region),
    errorCode,
    message: trimMessage(error) || errorCode,
  };
}

function statusOf(errorCode: string, step: ScanStep, region: string | undefined): Failure['status'] {
  if (step === 'list-functions' && errorCode === 'UnrecognizedClientException') {
    // fresh STS credentials are valid in every region the account has enabled: in an opt-in region this
    // means the account has not opted in; the default regions are always enabled, so there the token is bad
    return region !== undefined && !DEFAULT_REGION_SET.has(region) ? 'region-not-enabled' : 'error';
  }
  return STATUS_BY_CODE[step][errorCode] ?? 'error';
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
