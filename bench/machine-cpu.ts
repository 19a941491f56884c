/**
 * The whole machine's CPU time since boot, from the first line of /proc/stat (Linux), in seconds
 * summed over the cores. `steal` is time the hypervisor gave this VM's virtual CPUs to other guests:
 * a benchmark that lost a share of its time to steal measured a busier host, not slower code.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's counters (USER_HZ, 100 on Linux). */
export const TICKS_PER_SECOND = 100;

export interface MachineCpu {
  /** user, nice, system, irq, softirq and steal: everything but idle and iowait */
  busy: number;
  steal: number;
  /** every kind, idle included */
  total: number;
}

export function machineCpu(): MachineCpu {
  // user nice system idle iowait irq softirq steal (guest time is counted in user already)
  const ticks = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number);
  const at = (index: number) => ticks[index] ?? 0;
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return {
    busy: (total - at(3) - at(4)) / TICKS_PER_SECOND,
    steal: at(7) / TICKS_PER_SECOND,
    total: total / TICKS_PER_SECOND,
  };
}

/** The share of the machine's CPU time between two readings that went to other guests. */
export function stealShare(before: MachineCpu, after: MachineCpu): number {
  const total = after.total - before.total;
  return total > 0 ? (after.steal - before.steal) / total : 0;
}
