/**
 * One attempt of an execution: a run of the local engine (runWorkflow) with the execution's name and
 * input, behind a fence that StopExecution closes. A redrive is a new attempt of the same execution.
 */
import type { RunInputRaw } from '../../shared/contracts.ts';
import {
  type LocalProgressEvent,
  type LocalRunOptions,
  type LocalRunResult,
  runWorkflow,
} from '../engine.ts';
import { ExecutionStoppedError, fencedClients, fencedStore } from './fence.ts';

/**
 * What every run of the server shares: runWorkflow's options but those of one execution (its name,
 * input and progress listener) and the tests-only task overrides.
 */
export type EngineSettings = Omit<
  LocalRunOptions,
  'input' | 'executionName' | 'onProgress' | 'taskOverrides'
>;

export interface AttemptListener {
  progress(event: LocalProgressEvent): void;
  /** An object the run wrote (through the run's store). */
  written(key: string): void;
  ended(result: LocalRunResult): void;
  /** The engine threw instead of returning a result: a bad option or a bug, reported as the execution's failure. */
  crashed(error: Error): void;
}

export interface Attempt {
  /** Fences the run off; its listener hears nothing more. */
  stop(cause: string): void;
  /** Settles once the run has returned, stopped or not. */
  readonly settled: Promise<void>;
}

export type StartAttempt = (
  execution: { name: string; input: RunInputRaw },
  listener: AttemptListener,
) => Attempt;

export function engineAttempts(settings: EngineSettings): StartAttempt {
  return (execution, listener) => {
    const controller = new AbortController();
    const { signal } = controller;
    const heard =
      <A extends unknown[]>(deliver: (...args: A) => void) =>
      (...args: A) => {
        if (!signal.aborted) deliver(...args);
      };
    const run = async () => {
      // the first run of a configuration synthesizes the definition, which blocks the process for a
      // while: StartExecution answers first
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted) return;
      try {
        const result = await runWorkflow({
          ...settings,
          store: fencedStore(settings.store, signal, heard(listener.written)),
          clients: fencedClients(settings.clients, signal),
          executionName: execution.name,
          input: execution.input,
          onProgress: heard(listener.progress),
        });
        heard(listener.ended)(result);
      } catch (error) {
        heard(listener.crashed)(error instanceof Error ? error : new Error(String(error)));
      }
    };
    return {
      stop: (cause) => controller.abort(new ExecutionStoppedError(cause)),
      settled: run(),
    };
  };
}
