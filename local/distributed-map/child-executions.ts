/**
 * Child executions of a Map Run, run by aws-local-stepfunctions in this process: the ItemProcessor
 * as a state machine of its own, with the run's Task handlers and retry overrides. The Map Run sees
 * only the `ChildRunner` function, so another runner (a pool of worker threads) can replace this one.
 */
import '../polyfills.ts';
import { ExecutionError, type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { type AslDefinition, asLibraryDefinition } from '../asl.ts';
import type { ChildOutcome } from '../types.ts';

/** Runs one child execution with `input`; `execution` is its `$$.Execution` (Id and Name). */
export type ChildRunner = (input: unknown, execution: { Id: string; Name: string }) => Promise<ChildOutcome>;

export interface LibraryChildOptions {
  /** Task handlers by state name, and retry overrides, as the parent run has them. */
  overrides: RunOptions['overrides'];
  /** Context Object fields every child sees besides its own `Execution`. */
  context: Record<string, unknown>;
}

export function libraryChildRunner(processor: AslDefinition, options: LibraryChildOptions): ChildRunner {
  // the whole definition, child states included, is validated before it is adapted
  const machine = new StateMachine(asLibraryDefinition(processor), {
    validationOptions: { noValidate: true },
  });
  return async (input, execution) => {
    const run = machine.run(input as Parameters<StateMachine['run']>[0], {
      overrides: options.overrides,
      context: { ...options.context, Execution: execution },
    });
    try {
      return { status: 'SUCCEEDED', output: await run.result };
    } catch (error) {
      // an ExecutionError wraps the error the child failed with: that error's name is what Step Functions reports
      if (!(error instanceof ExecutionError)) throw error;
      const failure = error.cause as Error;
      return { status: 'FAILED', error: failure.name, cause: failure.message };
    }
  };
}
