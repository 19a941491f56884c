/**
 * The checks Step Functions makes when a state machine is created (ASL schema, paths, ARNs), made by
 * aws-local-stepfunctions' validator. Once per rendered definition, on a cache miss, before it is
 * cached (render-definition.ts): the engine then builds its state machines without validating again.
 */
import './polyfills.ts';
import { StateMachine } from 'aws-local-stepfunctions';
import { type AslDefinition, asLibraryDefinition, copyDefinition } from './asl.ts';

/** Throws the validator's error for an invalid definition. */
export function validateDefinition(definition: AslDefinition): void {
  // the validator writes default fields into what it checks, so it checks a copy
  new StateMachine(asLibraryDefinition(copyDefinition(definition)));
}
