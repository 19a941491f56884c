/**
 * Child executions of a Map Run, run by aws-local-stepfunctions: the ItemProcessor as a state machine
 * of its own, with the run's Task handlers and retry overrides. The Map Run sees only the
 * `ChildRunner` function, so it runs its children the same way in this thread or on worker threads
 * (child-threads.ts, whose threads run this very runner).
 */
import '../polyfills.ts';
import { ExecutionError, type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { type AslDefinition, asLibraryDefinition } from '../asl.ts';
import type { ChildOutcome } from '../types.ts';

/** Runs one child execution with `input`; `execution` is its `$$.Execution` (Id and Name). */
export type ChildRunner = (input: unknown, execution: { Id: string; Name: string }) => Promise<ChildOutcome>;

/** How a Map Run runs its children, chosen once it knows how many batches it has. */
export interface ChildRunners {
  run: ChildRunner;
  /** Called once the Map Run has no child running any more (also when it stops early). */
  close?(): Promise<void>;
}

export interface LibraryChildOptions {
  /** Task handlers by state name, and retry overrides, as the parent run has them. */
  overrides: RunOptions['overrides'];
  /** Context Object fields every child sees besides its own `Execution` (see `sharedContext`). */
  context: Record<string, unknown>;
  /** Aborts the running children (their Tasks' handlers are left to finish); none starts after. */
  signal?: AbortSignal;
}

/** The state machine a Context Object names (`$$.StateMachine`): plain data, the same in every thread. */
export interface StateMachineRef {
  Id: string;
  Name: string;
}

/**
 * The Context Object fields the library leaves to the caller and every execution of a run shares:
 * the state machine, and `$$.State.EnteredTime`, read as a state's Parameters are resolved, which is
 * as it is entered. (The library sets `$$.Execution.Input` and `StartTime` itself.)
 */
export function sharedContext(stateMachine: StateMachineRef): Record<string, unknown> {
  return {
    StateMachine: stateMachine,
    State: {
      get EnteredTime() {
        return new Date().toISOString();
      },
    },
  };
}

export function libraryChildRunner(processor: AslDefinition, options: LibraryChildOptions): ChildRunner {
  // the whole definition, child states included, is validated before it is cached
  const machine = new StateMachine(asLibraryDefinition(processor), {
    validationOptions: { noValidate: true },
  });
  return async (input, execution) => {
    options.signal?.throwIfAborted();
    const run = machine.run(input as Parameters<StateMachine['run']>[0], {
      overrides: options.overrides,
      context: { ...options.context, Execution: execution },
    });
    const abort = () => run.abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    try {
      return { status: 'SUCCEEDED', output: await run.result };
    } catch (error) {
      // an ExecutionError wraps the error the child failed with: that error's name is what Step Functions reports
      if (!(error instanceof ExecutionError)) throw error;
      const failure = error.cause as Error;
      return { status: 'FAILED', error: failure.name, cause: failure.message };
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
  };
}
