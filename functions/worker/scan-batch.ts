/**
 * Scans one batch of targets: assume each account's role once, then list every region of the batch
 * concurrently (bounded). Calls are paced and throttles retried (pacing.ts). Each target ends as a
 * result with a status; expected failures never throw.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import pLimit from 'p-limit';
import type { ScannedFunction, Target, TargetResult } from '../../shared/contracts.ts';
import { assumeMemberRole, type CredentialCache, memberRoleArn, sessionNameFor } from './assume-role.ts';
import { classifyError, type Failure } from './classify-error.ts';
import { checkBelongsToTarget, functionArnPrefix, toScannedFunction } from './function-record.ts';
import { forEachFunctionPage } from './list-functions.ts';
import {
  AdaptiveRateLimiter,
  type Clock,
  LIST_FUNCTIONS_RATE,
  MAX_THROTTLED_RETRY_MS,
  pacedCall,
} from './pacing.ts';

export interface ScanDeps {
  sts: STSClient;
  lambdaFor(region: string, credentials: AwsCredentialIdentity): LambdaClient;
  memberRoleName: string;
  regionConcurrency: number;
  partition: string;
  credentials: CredentialCache;
  pacing: ScanPacing;
}

export interface ScanPacing {
  /** One for the central account's AssumeRole calls, shared by every batch the handler scans. */
  assumeRole: AdaptiveRateLimiter;
  clock: Clock;
  /**
   * No throttled call is retried past this clock time: the worker keeps the end of its invocation
   * for writing the partial.
   * @default - none: only MAX_THROTTLED_RETRY_MS applies
   */
  deadline?: number;
}

/** One target's outcome; `functions` is empty unless every page was read (all or nothing per target). */
export interface TargetScan {
  result: TargetResult;
  functions: ScannedFunction[];
}

type AccountAccess =
  | { ok: true; credentials: AwsCredentialIdentity }
  | { ok: false; failure: Failure; endedAt: Date; durationMs: number };

/** Results come back in the batch's order, one per distinct target. */
export async function scanBatch(targets: Target[], runId: string, deps: ScanDeps): Promise<TargetScan[]> {
  const limit = pLimit(deps.regionConcurrency);
  const sessionName = sessionNameFor(runId);
  // one AssumeRole per account, shared by its regions: every call counts against the central account's STS rate
  const access = new Map<string, Promise<AccountAccess>>();
  const accessFor = (accountId: string) => {
    let pending = access.get(accountId);
    if (!pending) {
      pending = assumeAccount(accountId, runId, sessionName, deps);
      access.set(accountId, pending);
    }
    return pending;
  };

  return Promise.all(
    distinctTargets(targets).map(async (target): Promise<TargetScan> => {
      const account = await accessFor(target.accountId);
      if (!account.ok) {
        return {
          result: failedResult(target, account.failure, account.endedAt, account.durationMs),
          functions: [],
        };
      }
      return limit(() => scanTarget(target, account.credentials, deps));
    }),
  );
}

async function assumeAccount(
  accountId: string,
  runId: string,
  sessionName: string,
  deps: ScanDeps,
): Promise<AccountAccess> {
  const start = performance.now();
  const roleArn = memberRoleArn(deps.partition, accountId, deps.memberRoleName);
  const { pacing } = deps;
  try {
    const credentials = await deps.credentials.get(roleArn, runId, () =>
      pacedCall(
        pacing.assumeRole,
        retryDeadline(pacing),
        () => assumeMemberRole(deps.sts, roleArn, sessionName),
        pacing.clock,
      ),
    );
    return { ok: true, credentials };
  } catch (error) {
    return {
      ok: false,
      failure: classifyError(error, 'assume-role'),
      endedAt: new Date(),
      durationMs: elapsedSince(start),
    };
  }
}

async function scanTarget(
  target: Target,
  credentials: AwsCredentialIdentity,
  deps: ScanDeps,
): Promise<TargetScan> {
  const start = performance.now();
  const functions: ScannedFunction[] = [];
  let pages = 0;
  const arnPrefix = functionArnPrefix(deps.partition, target);
  // ListFunctions' quota is per account and region, that is per target
  const limiter = new AdaptiveRateLimiter(LIST_FUNCTIONS_RATE, deps.pacing.clock);
  const deadline = retryDeadline(deps.pacing);
  // a client per target (its credentials are the account's), destroyed after the scan; clients.ts
  // gives them one shared pool of keep-alive connections, which destroying a client leaves open
  const client = deps.lambdaFor(target.region, credentials);
  try {
    await forEachFunctionPage(
      client,
      (configurations) => {
        pages += 1;
        for (const configuration of configurations) {
          checkBelongsToTarget(configuration, arnPrefix, target);
          functions.push(toScannedFunction(configuration, target));
        }
      },
      (send) => pacedCall(limiter, deadline, send, deps.pacing.clock),
    );
  } catch (error) {
    // the pages already read are dropped: a partial count must never look like a complete one
    const result = failedResult(
      target,
      classifyError(error, 'list-functions', target.region),
      new Date(),
      elapsedSince(start),
    );
    return { result: { ...result, pages }, functions: [] };
  } finally {
    client.destroy();
  }
  return {
    result: {
      ...targetFields(target),
      status: 'ok',
      functionCount: functions.length,
      pages,
      durationMs: elapsedSince(start),
      scannedAt: new Date().toISOString(),
    },
    functions,
  };
}

/** `scannedAt` is when the target's outcome was known, so the latest one is when the scan finished. */
function failedResult(target: Target, failure: Failure, endedAt: Date, durationMs: number): TargetResult {
  return {
    ...targetFields(target),
    status: failure.status,
    functionCount: 0,
    pages: 0,
    durationMs,
    scannedAt: endedAt.toISOString(),
    errorCode: failure.errorCode,
    message: failure.message,
  };
}

function targetFields({
  accountId,
  accountName,
  region,
}: Target): Pick<TargetResult, 'accountId' | 'accountName' | 'region'> {
  return accountName === undefined ? { accountId, region } : { accountId, accountName, region };
}

/** A target listed twice in a batch is scanned once, so its functions are not counted twice. */
function distinctTargets(targets: Target[]): Target[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = `${target.accountId}/${target.region}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Throttled calls of a step that starts now stop retrying at this clock time. */
function retryDeadline(pacing: ScanPacing): number {
  const own = pacing.clock.now() + MAX_THROTTLED_RETRY_MS;
  return pacing.deadline === undefined ? own : Math.min(own, pacing.deadline);
}

function elapsedSince(start: number): number {
  return Math.round(performance.now() - start);
}
