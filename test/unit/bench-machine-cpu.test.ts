/**
 * The machine CPU readings the benchmarks report beside their figures (bench/machine-cpu.ts): the
 * share of time the host gave to other guests between two readings.
 */
import { describe, expect, it } from 'vitest';
import { machineCpu, stealShare } from '../../bench/machine-cpu.ts';

describe('machine CPU readings', () => {
  it('read this machine: steal within busy within total, and time moves on', async () => {
    const before = machineCpu();
    const spinUntil = Date.now() + 50;
    while (Date.now() < spinUntil);
    const after = machineCpu();
    expect(before.steal).toBeGreaterThanOrEqual(0);
    expect(before.busy).toBeGreaterThanOrEqual(before.steal);
    expect(before.total).toBeGreaterThan(before.busy);
    expect(after.busy).toBeGreaterThan(before.busy);
    expect(after.total).toBeGreaterThanOrEqual(after.busy);
  });

  it('give the stolen share of the time between two readings, 0 when no time passed', () => {
    const before = { busy: 100, steal: 10, total: 400 };
    expect(stealShare(before, { busy: 150, steal: 15, total: 500 })).toBe(0.05);
    expect(stealShare(before, { busy: 160, steal: 10, total: 480 })).toBe(0);
    expect(stealShare(before, before)).toBe(0);
  });
});
