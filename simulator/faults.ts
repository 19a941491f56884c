/**
 * Decides, request by request, which faults to inject. Draws come from the seeded PRNG, so the same
 * sequence of requests meets the same faults on every run.
 */
import type { Prng } from './prng.ts';
import type { Faults } from './spec.ts';

export type Disruption = 'reset' | 'error' | 'none';

export class FaultInjector {
  constructor(
    private current: Faults,
    private readonly prng: Prng,
  ) {}

  get faults(): Readonly<Faults> {
    return this.current;
  }

  update(partial: Partial<Faults>): void {
    this.current = { ...this.current, ...partial };
  }

  /** One draw per request: a reset, a 500, or nothing. */
  disruption(): Disruption {
    const { resetRate, errorRate } = this.current;
    if (resetRate === 0 && errorRate === 0) return 'none';
    const roll = this.prng.next();
    if (roll < resetRate) return 'reset';
    if (roll < resetRate + errorRate) return 'error';
    return 'none';
  }

  latencyMs(): number {
    const latency = this.current.latencyMs;
    return typeof latency === 'number' ? latency : this.prng.int(latency.min, latency.max);
  }

  emptyPage(): boolean {
    return this.current.emptyOrgPages > 0 && this.prng.chance(this.current.emptyOrgPages);
  }
}
