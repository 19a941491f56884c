/**
 * Lambda reports an error thrown by a function to Step Functions with the error's name as `Error` and
 * a JSON envelope (`{ errorType, errorMessage, trace }`) as `Cause`. Whoever shows a Cause to a reader
 * (the report's coverage, the local engine's failure messages) wants the message, not the envelope.
 */
export function causeMessage(cause: string | undefined): string | null {
  if (cause === undefined || cause === '') return null;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      const message = (parsed as { errorMessage: unknown }).errorMessage;
      if (typeof message === 'string') return message;
    }
  } catch {
    // not JSON: the cause is already plain text
  }
  return cause;
}
