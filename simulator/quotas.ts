/**
 * Token buckets, one per key (account and region for ListFunctions, caller account for STS): a
 * bucket holds one second of requests, so short bursts pass and sustained load is held at the rate.
 */
export type Admission = { admitted: true } | { admitted: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /** `ratePerSecond` 0 admits everything. */
  constructor(private ratePerSecond: number) {}

  /** A new rate starts with full buckets. */
  setRate(ratePerSecond: number): void {
    this.ratePerSecond = ratePerSecond;
    this.buckets.clear();
  }

  admit(key: string, now: number): Admission {
    const rate = this.ratePerSecond;
    if (rate <= 0) return { admitted: true };
    const capacity = Math.max(1, rate);
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.updatedAt) / 1000) * rate);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { admitted: true };
    }
    return { admitted: false, retryAfterMs: ((1 - bucket.tokens) / rate) * 1000 };
  }
}
