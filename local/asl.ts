/**
 * The few Amazon States Language shapes the local engine reads and rewrites, and a walk over every
 * state of a definition (including the states of Map item processors and Parallel branches).
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

export type AslState = Record<string, unknown> & { Type: string };

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [field: string]: unknown;
}

/** The library's definition type is stricter than JSON.parse can promise; the library validates it. */
export function asLibraryDefinition(definition: AslDefinition): StateMachineDefinition {
  return definition as unknown as StateMachineDefinition;
}

/** Calls `visit` for every state, nested ones included; state names are unique across a state machine. */
export function forEachState(
  definition: AslDefinition,
  visit: (name: string, state: AslState) => void,
): void {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state);
    for (const nested of nestedDefinitions(state)) forEachState(nested, visit);
  }
}

function nestedDefinitions(state: AslState): AslDefinition[] {
  const nested: unknown[] = [
    state.ItemProcessor,
    state.Iterator,
    ...(Array.isArray(state.Branches) ? state.Branches : []),
  ];
  return nested.filter(isDefinition);
}

function isDefinition(value: unknown): value is AslDefinition {
  return typeof value === 'object' && value !== null && 'States' in value && 'StartAt' in value;
}

export function isDistributedMap(state: AslState): boolean {
  const processor = state.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined;
  return state.Type === 'Map' && processor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** A deep copy, so rewriting a definition never touches a cached one. */
export function copyDefinition(definition: AslDefinition): AslDefinition {
  return structuredClone(definition);
}
