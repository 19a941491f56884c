/**
 * Named errors that cross a boundary: the workflow's Retry and Catch match on these names, and the
 * CLI maps them to exit codes. The names are constants so that the definition (statemachine/), the
 * code that throws (functions/) and the code that reads an execution's error (local/, cli/) agree.
 */
export const ERROR_NAMES = {
  invalidTargets: 'InvalidTargetsError',
  runData: 'RunDataError',
  objectStore: 'ObjectStoreError',
  objectNotFound: 'ObjectNotFoundError',
  validation: 'ValidationError',
  targetMismatch: 'TargetMismatchError',
} as const;

/** The planner found nothing to scan, or was given targets it cannot use. */
export class InvalidTargetsError extends Error {
  override name = ERROR_NAMES.invalidTargets;
}

/** The run's working data is missing or malformed (for example reduce finds no targets file). */
export class RunDataError extends Error {
  override name = ERROR_NAMES.runData;
}

/** Unexpected failure to read or write the store: thrown, so Retry/Catch in the workflow can match it. */
export class ObjectStoreError extends Error {
  override name = ERROR_NAMES.objectStore;
}

export class ObjectNotFoundError extends Error {
  override name = ERROR_NAMES.objectNotFound;
  constructor(readonly location: string) {
    super(`object not found: ${location}`);
  }
}

/** An event, input or file does not match its contract; the message names the field. */
export class ValidationError extends Error {
  override name = ERROR_NAMES.validation;
}
