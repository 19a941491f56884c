/**
 * Where a function's runtime stands in the Lambda runtime lifecycle on a given day. The dates are
 * data (`runtimes.json`), not code: AWS moves them often, and an update needs no code change and no
 * new scan (reduce applies them as of the run's start).
 */

import type { RuntimeStatus, ScannedFunction } from '../../shared/contracts.ts';
import * as z from '../../shared/zod.ts';
import runtimesJson from './runtimes.json' with { type: 'json' };

/** A runtime whose deprecation date is at most this many days away is reported as `deprecating-soon`. */
export const DEPRECATING_SOON_DAYS = 180;

const DAY_MS = 24 * 60 * 60 * 1000;

const IsoDate = z.iso.date();

export const RuntimeDates = z.strictObject({
  deprecationDate: IsoDate,
  /** null where the source gives no date (long-blocked runtimes). */
  blockCreateDate: z.nullable(IsoDate),
  blockUpdateDate: z.nullable(IsoDate),
  /** Where a date came from when it is not the main source. */
  note: z.optional(z.string()),
});
export type RuntimeDates = z.infer<typeof RuntimeDates>;

export const RuntimeLifecycleData = z.strictObject({
  source: z.string().check(z.minLength(1)),
  updated: z.string().check(z.regex(/^\d{4}-\d{2}(-\d{2})?$/, 'must be yyyy-mm or yyyy-mm-dd')),
  runtimes: z.record(z.string(), RuntimeDates),
});
export type RuntimeLifecycleData = z.infer<typeof RuntimeLifecycleData>;

/** The data file shipped with the functions, checked once at load so a bad edit fails loudly. */
export const RUNTIME_LIFECYCLE_DATA: RuntimeLifecycleData = RuntimeLifecycleData.parse(runtimesJson);

export interface RuntimeLifecycle {
  runtimeStatus: RuntimeStatus;
  deprecationDate: string | null;
  blockCreateDate: string | null;
  blockUpdateDate: string | null;
}

const NO_DATES = { deprecationDate: null, blockCreateDate: null, blockUpdateDate: null } as const;

/** Dates in the data are days; a day starts at 00:00 UTC, as AWS's schedule does. */
const startOfDay = (date: string) => Date.parse(`${date}T00:00:00.000Z`);

export function runtimeLifecycle(
  runtime: string | null,
  packageType: ScannedFunction['packageType'],
  asOf: Date,
  data: RuntimeLifecycleData = RUNTIME_LIFECYCLE_DATA,
): RuntimeLifecycle {
  // a container image brings its own runtime: Lambda reports none and applies no lifecycle to it
  if (packageType === 'Image') return { runtimeStatus: 'image', ...NO_DATES };
  // own keys only: a runtime called "constructor" must not find Object.prototype's
  const dates =
    runtime !== null && Object.hasOwn(data.runtimes, runtime) ? data.runtimes[runtime] : undefined;
  if (!dates) return { runtimeStatus: 'unknown', ...NO_DATES };

  const deprecation = startOfDay(dates.deprecationDate);
  const now = asOf.getTime();
  const runtimeStatus: RuntimeStatus =
    now >= deprecation
      ? 'deprecated'
      : deprecation - now <= DEPRECATING_SOON_DAYS * DAY_MS
        ? 'deprecating-soon'
        : 'supported';
  return {
    runtimeStatus,
    deprecationDate: dates.deprecationDate,
    blockCreateDate: dates.blockCreateDate,
    blockUpdateDate: dates.blockUpdateDate,
  };
}
