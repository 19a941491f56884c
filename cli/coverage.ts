/** What counts as covered: a target scanned completely, or one where no function can exist. */
import type { Summary } from '../shared/contracts.ts';

/** A region the account has not enabled cannot hold functions, so it is covered, not a gap. */
const COVERED_STATUSES = ['ok', 'region-not-enabled'];

export function coveragePercent(coverage: Summary['coverage']): number {
  if (coverage.targets === 0) return 0;
  const covered = COVERED_STATUSES.reduce((sum, status) => sum + (coverage.byStatus[status] ?? 0), 0);
  return (covered / coverage.targets) * 100;
}
