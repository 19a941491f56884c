/** Dollars as the CLI prints them: four decimals below a dollar, two significant digits below a cent. */
export function formatUsd(usd: number): string {
  return `$${usd < 0.01 && usd > 0 ? usd.toPrecision(2) : usd.toFixed(usd < 1 ? 4 : 2)}`;
}
