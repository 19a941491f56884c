/**
 * The Athena tables' rows (shared/athena.ts): the run's two columns, then the record's own JSON
 * fields. A function's row is its inventory.json row with the run put in front, so the digest
 * threads write it by joining two strings, not by building and stringifying a second object.
 * Pure, so a digest thread renders rows without loading the object store and its SDK.
 */
import type { AthenaRun } from '../../shared/athena.ts';

/** What every row of a run's files starts with: `{` and the run's columns, each field after them. */
export const athenaRowStart = (run: AthenaRun): string =>
  `{"run_id":${JSON.stringify(run.runId)},"run_started_at":${JSON.stringify(run.startedAt)},`;

/**
 * One NDJSON line: the run's columns (athenaRowStart), then the fields of `json`, the JSON text of a
 * record (an object with at least one field: an inventory row or a coverage entry).
 */
export const athenaLine = (rowStart: string, json: string): string => `${rowStart}${json.slice(1)}\n`;
