/**
 * What the local engine's modules share: the engine, the task binding and the Distributed Map
 * adapter all see these, and none of them has to import another's internals for a type.
 */

/** A local stand-in for what a Task state calls: the resolved Parameters in, the result out. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

/** Where the local state machine pretends to live: only used to build ARNs. */
export interface LocalIdentity {
  partition: string;
  region: string;
  accountId: string;
  stateMachineName: string;
}

/** Node timers overflow above 2^31 - 1 ms: the longest a local Task may be given to run, in seconds. */
export const MAX_LOCAL_TIMEOUT_SECONDS = 2_147_483;

/** How a child execution of a Map Run ended, as Step Functions reports it. */
export type ChildOutcome =
  | { status: 'SUCCEEDED'; output: unknown }
  /** `error` is the name Retry and Catch match; `cause` is as the failing state reported it. */
  | { status: 'FAILED'; error: string; cause: string };

/** One child execution of a Map Run, as the adapter saw it. */
export type ChildExecution = ChildOutcome & {
  /** Position of the batch in the Map Run's items. */
  index: number;
  name: string;
  executionArn: string;
  input: unknown;
  /** Items of the Map's dataset this execution processed: the size of its batch. */
  itemCount: number;
  startDate: string;
  stopDate: string;
};
