/** The S3 key layout of runs and reports, in one place. */
export const keys = {
  targets: (runId: string) => `runs/${runId}/targets.json`,
  /** The accounts the plan left out, and why: kept out of the Step Functions state, which has a 256 KiB limit. */
  skipped: (runId: string) => `runs/${runId}/skipped.json`,
  /**
   * Each scan of a run (one execution) writes its partials under its own prefix: a run id given again
   * must not mix an earlier scan's partials into the new report.
   */
  partialsPrefix: (runId: string, scanId: string) => `runs/${runId}/partials/${scanId}/`,
  partial: (runId: string, scanId: string, name: string) =>
    `runs/${runId}/partials/${scanId}/${name}.ndjson.gz`,
  /** The Catch path's failure record: kept with the reports, not expired with runs/. */
  failuresPrefix: 'reports/failures/',
  failure: (executionName: string) => `reports/failures/${executionName}.json`,
  /** Prefix the Distributed Map's ResultWriter writes under (static: Step Functions adds the map run id). */
  mapResultsPrefix: 'runs/map-results',
  reportPrefix: (date: string, runId: string) => `reports/${date}/${runId}/`,
  latest: 'reports/latest.json',
} as const;
