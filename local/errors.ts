/** The local engine's own errors. */

/** An error carrying a Step Functions error name, so the definition's Retry and Catch can match it. */
export class StatesError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** The definition uses something the local engine does not implement. */
export class UnsupportedDefinitionError extends Error {
  override name = 'UnsupportedDefinitionError';
}
