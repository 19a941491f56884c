import { TooManyRequestsException } from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import {
  AdaptiveRateLimiter,
  backoffMs,
  MAX_THROTTLED_RETRY_MS,
  pacedCall,
  retryAfterMs,
  THROTTLE_BACKOFF_CAP_MS,
} from '../../functions/worker/pacing.ts';
import { awsError } from './plan-worker-fakes.ts';
import { virtualClock } from './worker-fakes.ts';

const LIMIT = { ratePerSecond: 10, burst: 3, minRatePerSecond: 1 };

const throttle = (retryAfterSeconds?: string) =>
  new TooManyRequestsException({
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 429 },
    retryAfterSeconds,
    Reason: 'CallerRateLimitExceeded',
  });

/** Sends `count` calls one after another through `limiter` and returns when each was let go. */
async function sendTimes(
  limiter: AdaptiveRateLimiter,
  clock: ReturnType<typeof virtualClock>,
  count: number,
) {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    await limiter.take();
    times.push(clock.elapsed());
  }
  return times;
}

describe('AdaptiveRateLimiter', () => {
  it('lets a burst go at once, then one call per interval of its rate', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter(LIMIT, clock);

    const times = await sendTimes(limiter, clock, 6);

    expect(times).toEqual([0, 0, 0, 100, 200, 300]);
  });

  it('hands out slots in call order to concurrent callers', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter({ ...LIMIT, burst: 1 }, clock);
    const order: number[] = [];

    await Promise.all([0, 1, 2, 3].map(async (i) => limiter.take().then(() => order.push(i))));

    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('cuts its rate on a throttle and allows no burst right after it', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter(LIMIT, clock);

    const ticket = await limiter.take();
    limiter.throttled(ticket);
    const times = await sendTimes(limiter, clock, 2);

    expect(limiter.ratePerSecond).toBeCloseTo(8);
    // one interval of the new rate (125 ms) between the throttle and the next call, and after it
    expect(times).toEqual([125, 250]);
  });

  it('counts the throttles of calls let go before a cut as one', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter(LIMIT, clock);
    const tickets = [await limiter.take(), await limiter.take(), await limiter.take()];
    await clock.sleep(1);

    for (const ticket of tickets) limiter.throttled(ticket);

    expect(limiter.ratePerSecond).toBeCloseTo(8);
  });

  it('never goes below its minimum rate, and climbs back to its rate on successes', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter(LIMIT, clock);

    for (let i = 0; i < 20; i += 1) {
      limiter.throttled(clock.now());
      await clock.sleep(1);
    }
    const floor = limiter.ratePerSecond;
    for (let i = 0; i < 200; i += 1) limiter.succeeded();

    expect(floor).toBe(1);
    expect(limiter.ratePerSecond).toBe(10);
  });
});

describe('pacedCall', () => {
  it('retries a throttled call after its Retry-After and returns the answer', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter(LIMIT, clock);
    let calls = 0;

    const answer = await pacedCall(
      limiter,
      clock.now() + MAX_THROTTLED_RETRY_MS,
      async () => {
        calls += 1;
        if (calls <= 2) throw throttle('2');
        return 'page';
      },
      clock,
    );

    expect(answer).toBe('page');
    expect(calls).toBe(3);
    expect(clock.sleeps.filter((ms) => ms >= 2000)).toHaveLength(2);
  });

  it('retries STS throttles, which carry no Retry-After, with growing jittered backoff', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter(LIMIT, clock);
    let calls = 0;

    await pacedCall(
      limiter,
      clock.now() + MAX_THROTTLED_RETRY_MS,
      async () => {
        calls += 1;
        if (calls <= 3) throw awsError('Throttling', 'Rate exceeded');
        return 'credentials';
      },
      clock,
    );

    // half of 500, 1000 and 2000 ms (the virtual clock's jitter is 0.5), besides the limiter's own waits
    expect(clock.sleeps).toEqual(expect.arrayContaining([250, 500, 1000]));
  });

  it('gives up before the deadline and throws the last throttle, so the target is reported throttled', async () => {
    const clock = virtualClock();
    const limiter = new AdaptiveRateLimiter(LIMIT, clock);
    const deadline = clock.now() + MAX_THROTTLED_RETRY_MS;
    let calls = 0;

    const calling = pacedCall(
      limiter,
      deadline,
      async () => {
        calls += 1;
        throw throttle('1');
      },
      clock,
    );

    await expect(calling).rejects.toThrow(TooManyRequestsException);
    expect(clock.now()).toBeLessThanOrEqual(deadline);
    // it kept trying for most of the minute, not just a few attempts
    expect(clock.elapsed()).toBeGreaterThan(MAX_THROTTLED_RETRY_MS - THROTTLE_BACKOFF_CAP_MS - 1000);
    expect(calls).toBeGreaterThan(5);
  });

  it('throws any other error at once, without retrying', async () => {
    const clock = virtualClock();
    let calls = 0;

    const calling = pacedCall(
      new AdaptiveRateLimiter(LIMIT, clock),
      clock.now() + MAX_THROTTLED_RETRY_MS,
      async () => {
        calls += 1;
        throw awsError('AccessDeniedException', 'no');
      },
      clock,
    );

    await expect(calling).rejects.toThrow('no');
    expect(calls).toBe(1);
  });
});

describe('retryAfterMs', () => {
  it.each([
    ["Lambda's modelled retryAfterSeconds", throttle('3'), 3000],
    [
      'a Retry-After header in seconds',
      Object.assign(awsError('Throttling', 'x'), { $response: { headers: { 'Retry-After': '2' } } }),
      2000,
    ],
    ['no hint at all', awsError('Throttling', 'Rate exceeded'), undefined],
    [
      'an unreadable header',
      Object.assign(awsError('Throttling', 'x'), { $response: { headers: { 'retry-after': 'soon' } } }),
      undefined,
    ],
  ])('reads %s', (_case, error, expected) => {
    expect(retryAfterMs(error)).toBe(expected);
  });

  it('reads a Retry-After date as the time until it', () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const error = Object.assign(awsError('Throttling', 'x'), {
      $response: { headers: { 'retry-after': at } },
    });

    expect(retryAfterMs(error)).toBeGreaterThan(28_000);
    expect(retryAfterMs(error)).toBeLessThanOrEqual(30_000);
  });
});

describe('backoffMs', () => {
  it('draws below an exponential bound that stops at the cap', () => {
    expect([0, 1, 2, 3].map((n) => backoffMs(n, 0.999))).toEqual([499, 999, 1998, 3996]);
    expect(backoffMs(30, 0.999)).toBe(Math.floor(0.999 * THROTTLE_BACKOFF_CAP_MS));
    expect(backoffMs(3, 0)).toBe(0);
  });
});
