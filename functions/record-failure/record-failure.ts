/**
 * The failure record of a run that ended badly without the workflow's Catch path writing one: an
 * execution that timed out or was stopped (no state can catch either), an error no Catch matches
 * (States.Runtime, States.DataLimitExceeded), or a Catch path whose own write failed. The record goes
 * where the Catch path puts it, `reports/failures/<executionName>.json`, in the same shape.
 *
 * The Catch path writes its record before the execution fails, so by the time the status-change
 * event arrives its record is usually there already: it was written from inside the run and may hold
 * more than the event does, so it is never replaced (a conditional write that expects no object).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { FailureRecord } from '../../shared/contracts.ts';
import { keys } from '../../shared/keys.ts';
import type { ExecutionStatusChange, FailedRunStatus } from '../../shared/signals.ts';
import { type ObjectStore, putJsonIfUnchanged } from '../shared/object-store.ts';

/** An execution's error and cause, as the event or DescribeExecution gives them (either may be missing). */
export interface ExecutionFailure {
  error?: string | null;
  cause?: string | null;
}

export interface RecordFailureDeps {
  store: ObjectStore;
  /** DescribeExecution's error and cause: asked only when the event lacks one of them. */
  describeExecution(executionArn: string): Promise<ExecutionFailure>;
  logger?: Logger;
}

export interface RecordFailureOutput {
  key: string;
  /** false when a record was there already (the Catch path's, or an earlier delivery of the event). */
  written: boolean;
}

/**
 * What a record says when Step Functions gives no error: the name Step Functions uses for a run that
 * timed out, and plain names for the other two.
 */
export const FALLBACK_ERRORS: Record<FailedRunStatus, string> = {
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'States.Timeout',
  ABORTED: 'ExecutionAborted',
};

const given = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;

/** The record of a failed execution, from its status-change event and its error and cause. */
export function failureRecordOf(event: ExecutionStatusChange, failure: ExecutionFailure): FailureRecord {
  const { detail } = event;
  return {
    executionName: detail.name,
    startedAt: new Date(detail.startDate).toISOString(),
    failedAt: given(detail.stopDate) ? new Date(detail.stopDate).toISOString() : event.time,
    error: given(failure.error) ? failure.error : FALLBACK_ERRORS[detail.status],
    cause: given(failure.cause)
      ? failure.cause
      : `the execution ended with status ${detail.status} and gave no cause`,
  };
}

export async function recordFailure(
  deps: RecordFailureDeps,
  event: ExecutionStatusChange,
): Promise<RecordFailureOutput> {
  const { detail } = event;
  const key = keys.failure(detail.name);
  let failure: ExecutionFailure = { error: detail.error, cause: detail.cause };
  if (!given(failure.error) || !given(failure.cause)) {
    const described = await deps.describeExecution(detail.executionArn);
    failure = {
      error: given(failure.error) ? failure.error : described.error,
      cause: given(failure.cause) ? failure.cause : described.cause,
    };
  }
  const record = failureRecordOf(event, failure);
  const written = await putJsonIfUnchanged(deps.store, key, record, { absent: true });
  if (written)
    deps.logger?.info('recorded the failed run', { key, status: detail.status, error: record.error });
  else deps.logger?.info('the failure record exists already: left as it is', { key, status: detail.status });
  return { key, written };
}
