/** The S3 key layout of runs and reports, in one place. */
export const keys = {
  runPrefix: (runId: string) => `runs/${runId}/`,
  targets: (runId: string) => `runs/${runId}/targets.json`,
  partialsPrefix: (runId: string) => `runs/${runId}/partials/`,
  partial: (runId: string, name: string) => `runs/${runId}/partials/${name}.ndjson.gz`,
  /** The Catch path's failure record: kept with the reports, not expired with runs/. */
  failuresPrefix: 'reports/failures/',
  failure: (executionName: string) => `reports/failures/${executionName}.json`,
  /** Prefix the Distributed Map's ResultWriter writes under (static: Step Functions adds the map run id). */
  mapResultsPrefix: 'runs/map-results',
  reportPrefix: (date: string, runId: string) => `reports/${date}/${runId}/`,
  latest: 'reports/latest.json',
} as const;
