/** Which inventory rows `report` shows: every given filter must match (each a list of accepted values). */
import type { FunctionRecord, RuntimeStatus } from '../../shared/contracts.ts';

export interface ReportFilter {
  runtimeStatus?: RuntimeStatus[];
  runtime?: string[];
  account?: string[];
  region?: string[];
}

export function isFiltered(filter: ReportFilter): boolean {
  return Object.values(filter).some((values) => values !== undefined);
}

export function matches(filter: ReportFilter, record: FunctionRecord): boolean {
  return (
    (filter.runtimeStatus === undefined || filter.runtimeStatus.includes(record.runtimeStatus)) &&
    // a container image has no runtime: `--runtime image` finds them, as the runtime status names them
    (filter.runtime === undefined || filter.runtime.includes(record.runtime ?? 'image')) &&
    (filter.account === undefined || filter.account.includes(record.accountId)) &&
    (filter.region === undefined || filter.region.includes(record.region))
  );
}
