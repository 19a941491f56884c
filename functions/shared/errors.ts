/** Named errors: the workflow's Retry and Catch match on these names. */

/** The planner found nothing to scan, or was given targets it cannot use. */
export class InvalidTargetsError extends Error {
  override name = 'InvalidTargetsError';
}

/** The run's working data is missing or malformed (for example reduce finds no targets file). */
export class RunDataError extends Error {
  override name = 'RunDataError';
}
