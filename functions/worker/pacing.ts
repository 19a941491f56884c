/**
 * Pacing of the calls whose quota is shared with everything else in an account: AssumeRole counts
 * against the central account's STS rate, ListFunctions against 15 requests/s per member account and
 * region. A nightly run must pace itself rather than give up, so the SDK clients leave throttles to
 * this module (functions/shared/clients.ts retries transient failures only):
 *
 * - every call first waits for a token of its API's limiter, a token bucket whose rate adapts: cut on
 *   a throttle, raised a little on each success;
 * - a throttled call waits (Retry-After when the service sends one, else jittered exponential backoff)
 *   and tries again, as long as it can retry before its deadline;
 * - past the deadline, the throttle error is thrown: the target is reported `throttled`.
 *
 * Limiters live in one worker handler, so they pace a whole local run (one handler) and one Lambda
 * process; across Lambda processes the jittered backoff and the deadline do the work.
 */
import { isThrottlingError } from './classify-error.ts';

/**
 * The longest a target keeps retrying throttled calls, counted from the start of its account's
 * AssumeRole or of its listing: then it is reported `throttled`. Calls that are only paced (never
 * throttled) are not cut, so a large region is never given up for being large.
 */
export const MAX_THROTTLED_RETRY_MS = 60_000;

/** The first backoff after a throttle, doubled on each further one (full jitter), up to the cap. */
export const THROTTLE_BACKOFF_BASE_MS = 500;
export const THROTTLE_BACKOFF_CAP_MS = 5_000;

export interface RateLimit {
  /** Sends per second to start with, and the most the limiter climbs back to. */
  ratePerSecond: number;
  /** Sends allowed at once before the rate applies. */
  burst: number;
  /** The rate never falls below this, so a limiter cut by a burst of throttles recovers. */
  minRatePerSecond: number;
}

/**
 * STS's AssumeRole rate is a quota of the central account, some hundreds of calls per second: a local
 * run (one limiter for all its batches) assumes 200 accounts in about 2 s at this start, where 20/s
 * would take 10 s. Against the simulator's STS held at 1 call/s, 30 accounts take about 40 s (29 s
 * at best); in Lambda each process assumes only its batch's one or two accounts.
 */
export const ASSUME_ROLE_RATE: RateLimit = { ratePerSecond: 100, burst: 20, minRatePerSecond: 0.2 };

/** ListFunctions: 15 requests/s per account and region, shared with the account's own tooling. */
export const LIST_FUNCTIONS_RATE: RateLimit = { ratePerSecond: 10, burst: 5, minRatePerSecond: 0.5 };

/** A throttle cuts the rate to this share; each success raises it by `RATE_INCREASE`. */
const RATE_DECREASE = 0.8;
const RATE_INCREASE = 1.05;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** In [0, 1), for jitter. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/**
 * A token bucket (as virtual scheduling: each send reserves the next slot) whose rate is cut on a
 * throttle and raised on success. Concurrent callers get slots in call order.
 */
export class AdaptiveRateLimiter {
  private rate: number;
  /** When the next slot would be due if no burst were allowed (the "theoretical arrival time"). */
  private nextSlot = Number.NEGATIVE_INFINITY;
  private cutAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock = systemClock,
  ) {
    this.rate = limit.ratePerSecond;
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  /** Waits for the caller's slot; returns a ticket (when the slot was asked for) for `throttled`. */
  async take(): Promise<number> {
    const now = this.clock.now();
    const interval = 1000 / this.rate;
    const due = Math.max(this.nextSlot, now);
    const sendAt = Math.max(now, due - (this.limit.burst - 1) * interval);
    this.nextSlot = due + interval;
    if (sendAt > now) await this.clock.sleep(sendAt - now);
    return now;
  }

  /**
   * A call whose slot was asked for at `ticket` was throttled. Calls that got their slots before the
   * last cut were sent at the old rate: their throttles are the same news and cut nothing more.
   */
  throttled(ticket: number): void {
    if (ticket < this.cutAt) return;
    const now = this.clock.now();
    this.cutAt = now;
    this.rate = Math.max(this.limit.minRatePerSecond, this.rate * RATE_DECREASE);
    // no burst right after a throttle: the next free slot is one interval of the new rate away
    this.nextSlot = Math.max(this.nextSlot, now + this.limit.burst * (1000 / this.rate));
  }

  succeeded(): void {
    this.rate = Math.min(this.limit.ratePerSecond, this.rate * RATE_INCREASE);
  }
}

/**
 * Sends `call` through `limiter`, retrying throttles until `deadline` (a clock time) would be passed
 * by the next wait; any other error is thrown at once.
 */
export async function pacedCall<T>(
  limiter: AdaptiveRateLimiter,
  deadline: number,
  call: () => Promise<T>,
  clock: Clock = systemClock,
): Promise<T> {
  for (let throttles = 0; ; throttles += 1) {
    const ticket = await limiter.take();
    try {
      const result = await call();
      limiter.succeeded();
      return result;
    } catch (error) {
      if (!isThrottlingError(error)) throw error;
      limiter.throttled(ticket);
      const wait = Math.max(retryAfterMs(error) ?? 0, backoffMs(throttles, clock.random()));
      if (clock.now() + wait > deadline) throw error;
      await clock.sleep(wait);
    }
  }
}

/** Full jitter: a uniform draw below the exponential bound, so concurrent callers spread out. */
export function backoffMs(throttles: number, random: number): number {
  return Math.floor(random * Math.min(THROTTLE_BACKOFF_CAP_MS, THROTTLE_BACKOFF_BASE_MS * 2 ** throttles));
}

/**
 * Retry-After of a throttle, in milliseconds: Lambda's TooManyRequestsException carries it as
 * `retryAfterSeconds`, other services only as the response header (seconds, or an HTTP date).
 */
export function retryAfterMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const modelled = 'retryAfterSeconds' in error ? error.retryAfterSeconds : undefined;
  const header = responseHeader(error, 'retry-after');
  const raw = typeof modelled === 'string' && modelled !== '' ? modelled : header;
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function responseHeader(error: object, name: string): string | undefined {
  const response = '$response' in error ? error.$response : undefined;
  if (typeof response !== 'object' || response === null || !('headers' in response)) return undefined;
  const headers = response.headers;
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}
