/**
 * The checks Step Functions makes when a state machine is created (ASL schema, paths, ARNs), made by
 * aws-local-stepfunctions' validator. Once per rendered definition, on a cache miss, before it is
 * cached (render-definition.ts): the engine then builds its state machines without validating again.
 */
import './polyfills.ts';
import { StateMachine } from 'aws-local-stepfunctions';
import { type AslDefinition, asLibraryDefinition, copyDefinition, forEachState } from './asl.ts';

/** The library's message before its list of errors, one per line. */
const INVALID_PREFIX = /^State machine definition is invalid, see error\(s\) below:\s*/;

/**
 * Throws an error naming every problem the validator found, on one line (the CLI prints one line),
 * for an invalid definition.
 */
export function validateDefinition(definition: AslDefinition): void {
  // the validator writes default fields into what it checks, so it checks a copy
  const copy = copyDefinition(definition);
  acceptFractionalPercentages(copy);
  try {
    new StateMachine(asLibraryDefinition(copy));
  } catch (error) {
    const message = (error as Error).message;
    if (!INVALID_PREFIX.test(message)) throw error;
    const problems = message
      .replace(INVALID_PREFIX, '')
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    throw new Error(`the state machine definition is invalid: ${problems.join('; ')}`, { cause: error });
  }
}

/**
 * Step Functions takes a fractional ToleratedFailurePercentage (the API's field is a float, and the
 * config allows one), where the validator's schema wants an integer: the validator sees it rounded
 * away from zero, which keeps its range check (0 to 100) exact; the engine runs the value itself.
 */
function acceptFractionalPercentages(definition: AslDefinition): void {
  forEachState(definition, (_name, state) => {
    const percentage = state.ToleratedFailurePercentage;
    if (typeof percentage === 'number' && !Number.isInteger(percentage)) {
      state.ToleratedFailurePercentage = percentage < 0 ? Math.floor(percentage) : Math.ceil(percentage);
    }
  });
}
