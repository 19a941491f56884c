/** Orderings shared by the plan, the worker and reduce: the same on every machine and locale. */

/** Plain code-unit order (account ids, region codes and run ids are ASCII), so reports are byte-identical. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Account, then region: the order of the targets file, of the partial keys and of the report's rows. */
export function compareTargets(
  a: { accountId: string; region: string },
  b: { accountId: string; region: string },
): number {
  return compareText(a.accountId, b.accountId) || compareText(a.region, b.region);
}
