/** The figures `--goals` reports, the goal each one is held to, and the PASS/FAIL verdicts. */

/** The benchmark's JSON line: null where a figure could not be measured (the reason is printed). */
export interface GoalFigures {
  /** bound / wall time of the workflow on the goals fleet (median of 3 runs) */
  p1Efficiency: number | null;
  p1BoundSeconds: number | null;
  /** extrapolated sequential loop / workflow wall time */
  p2SpeedupVsSequential: number | null;
  /** AssumeRole calls / active accounts */
  assumeRolePerAccount: number | null;
  reduce1MSeconds: number | null;
  reduce1MPeakRssMB: number | null;
  workerBundleBytes: number | null;
  startSeconds: number | null;
  costPerRunUsd: number | null;
  throttledTargets: number | null;
}

export interface Goal {
  figure: keyof GoalFigures;
  label: string;
  met(value: number): boolean;
}

export const BUNDLE_LIMIT_BYTES = 400 * 1024;

export const GOALS: readonly Goal[] = [
  { figure: 'p1Efficiency', label: 'p1 efficiency >= 0.7', met: (v) => v >= 0.7 },
  { figure: 'p2SpeedupVsSequential', label: 'p2 speedup vs sequential >= 50x', met: (v) => v >= 50 },
  { figure: 'assumeRolePerAccount', label: 'AssumeRole per account <= 1.05', met: (v) => v <= 1.05 },
  { figure: 'reduce1MSeconds', label: 'reduce of 1M records <= 15 s', met: (v) => v <= 15 },
  { figure: 'reduce1MPeakRssMB', label: 'reduce of 1M records peak RSS <= 1 GB', met: (v) => v <= 1024 },
  { figure: 'workerBundleBytes', label: 'worker bundle <= 400 KiB', met: (v) => v <= BUNDLE_LIMIT_BYTES },
  { figure: 'startSeconds', label: 'npm start <= 3 s', met: (v) => v <= 3 },
  {
    figure: 'costPerRunUsd',
    label: 'cost per run (1,000 accounts x 20 regions) <= $0.05',
    met: (v) => v <= 0.05,
  },
  { figure: 'throttledTargets', label: 'throttled targets = 0', met: (v) => v === 0 },
];

export type Verdict = 'PASS' | 'FAIL' | 'NOT MEASURED';

export function verdicts(figures: GoalFigures): { goal: Goal; value: number | null; verdict: Verdict }[] {
  return GOALS.map((goal) => {
    const value = figures[goal.figure];
    const verdict: Verdict = value === null ? 'NOT MEASURED' : goal.met(value) ? 'PASS' : 'FAIL';
    return { goal, value, verdict };
  });
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Rounds for display and the JSON line: figures keep 3 significant decimals, money 6. */
export function round(value: number, decimals = 3): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
