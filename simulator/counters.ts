/**
 * Live counters for tests and benchmarks. APIs are named `service:Operation` (`sts:AssumeRole`,
 * `lambda:ListFunctions`, `organizations:ListAccounts`). `calls` counts every request received,
 * including those then answered with an injected fault or a throttle.
 */
export interface CounterSnapshot {
  calls: Record<string, number>;
  /** AssumeRole requests per target account that got past fault injection and throttling */
  assumeRoleByAccount: Record<string, number>;
  throttled: Record<string, number>;
  errorsInjected: Record<string, number>;
  resetsInjected: Record<string, number>;
  inFlight: number;
  /** most requests in flight at once, all services together */
  peakConcurrency: number;
  /** most ListFunctions requests in flight at once per `accountId/region` */
  peakInFlightByAccountRegion: Record<string, number>;
}

function increment(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

function clear(record: Record<string, number>): void {
  for (const key of Object.keys(record)) delete record[key];
}

export class Counters implements CounterSnapshot {
  readonly calls: Record<string, number> = {};
  readonly assumeRoleByAccount: Record<string, number> = {};
  readonly throttled: Record<string, number> = {};
  readonly errorsInjected: Record<string, number> = {};
  readonly resetsInjected: Record<string, number> = {};
  readonly peakInFlightByAccountRegion: Record<string, number> = {};
  inFlight = 0;
  peakConcurrency = 0;
  private readonly inFlightByAccountRegion = new Map<string, number>();

  /** Sum of one per-API record, e.g. `total('throttled')`. */
  total(name: 'calls' | 'throttled' | 'errorsInjected' | 'resetsInjected'): number {
    return Object.values(this[name]).reduce((sum, n) => sum + n, 0);
  }

  snapshot(): CounterSnapshot {
    return structuredClone({
      calls: this.calls,
      assumeRoleByAccount: this.assumeRoleByAccount,
      throttled: this.throttled,
      errorsInjected: this.errorsInjected,
      resetsInjected: this.resetsInjected,
      inFlight: this.inFlight,
      peakConcurrency: this.peakConcurrency,
      peakInFlightByAccountRegion: this.peakInFlightByAccountRegion,
    });
  }

  /** Zero everything, keeping the same objects so references held by tests stay live. */
  reset(): void {
    for (const record of [
      this.calls,
      this.assumeRoleByAccount,
      this.throttled,
      this.errorsInjected,
      this.resetsInjected,
      this.peakInFlightByAccountRegion,
    ]) {
      clear(record);
    }
    this.peakConcurrency = this.inFlight;
    for (const [key, count] of this.inFlightByAccountRegion) this.peakInFlightByAccountRegion[key] = count;
  }

  call(api: string): void {
    increment(this.calls, api);
  }

  assumeRole(accountId: string): void {
    increment(this.assumeRoleByAccount, accountId);
  }

  throttle(api: string): void {
    increment(this.throttled, api);
  }

  errorInjected(api: string): void {
    increment(this.errorsInjected, api);
  }

  resetInjected(api: string): void {
    increment(this.resetsInjected, api);
  }

  /** A request arrived; returns the function to call when its response is done. */
  enter(): () => void {
    this.inFlight++;
    this.peakConcurrency = Math.max(this.peakConcurrency, this.inFlight);
    return () => {
      this.inFlight--;
    };
  }

  /** A ListFunctions request for one account-region started; returns the function that ends it. */
  enterAccountRegion(key: string): () => void {
    const now = (this.inFlightByAccountRegion.get(key) ?? 0) + 1;
    this.inFlightByAccountRegion.set(key, now);
    this.peakInFlightByAccountRegion[key] = Math.max(this.peakInFlightByAccountRegion[key] ?? 0, now);
    return () => {
      const left = (this.inFlightByAccountRegion.get(key) ?? 1) - 1;
      if (left === 0) this.inFlightByAccountRegion.delete(key);
      else this.inFlightByAccountRegion.set(key, left);
    };
  }
}
