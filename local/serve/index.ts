/**
 * `lambda-inventory serve`: a loopback Step Functions endpoint backed by the local engine. It speaks
 * the Step Functions JSON 1.0 protocol (awsJson1_0), so the SDK's SFNClient with `endpoint`, the AWS
 * CLI with `--endpoint-url` and the CLI's `start`/`status`/`runs`/`retry`/`redrive` drive local runs
 * of the very definition a deploy uses, Distributed Map included. Served: StartExecution,
 * DescribeExecution, ListExecutions, StopExecution, RedriveExecution, DescribeMapRun, ListMapRuns.
 *
 * One state machine (`stateMachineArn`); executions live in memory for the life of the server, their
 * data in the store it was given. How it maps onto the engine:
 * - StartExecution answers at once; the run follows (runWorkflow, with the execution's name and input).
 * - DescribeExecution's output is the execution input with the report summary at `report`
 *   (ReduceOutput: runId, report keys, functionCount, coverage), where the deployed workflow puts it.
 * - DescribeMapRun counts the Distributed Map's items (targets) and child executions (batches).
 * - StopExecution makes the execution ABORTED at once and fences its run off (fence.ts).
 * - RedriveExecution runs the whole execution again under the same name and input (so the same run id).
 */
import type { AddressInfo } from 'node:net';
import { accountAlignedBatchSize, chooseRegions } from '../../functions/plan/plan-targets.ts';
import { planSettingsOf } from '../../shared/config.ts';
import { LOCAL_SERVICE_IDENTITY, stateMachineArn } from './arns.ts';
import { type EngineSettings, engineAttempts } from './attempts.ts';
import { Executions } from './executions.ts';
import { operations } from './operations.ts';
import { createJsonServer } from './wire.ts';

export interface StepFunctionsServerOptions extends EngineSettings {
  /** @default '127.0.0.1' (loopback: requests are not authenticated) */
  host?: string;
  /** @default 0 (any free port; read the chosen one from `url`) */
  port?: number;
  /**
   * Told of a request that failed inside the server (a bug: the client gets a 500 InternalFailure).
   * @default writes the error to stderr
   */
  onInternalError?(error: unknown): void;
}

export interface StepFunctionsServer {
  /** The endpoint for SFNClient's `endpoint` or the AWS CLI's `--endpoint-url`, e.g. http://127.0.0.1:8083 */
  url: string;
  /** The one state machine the endpoint runs: `arn:aws:states:us-east-1:000000000000:stateMachine:lambda-inventory-local`. */
  stateMachineArn: string;
  /** Stops running executions, waits for their runs to wind down, and closes the endpoint (once, however often called). */
  close(): Promise<void>;
}

/**
 * Starts the endpoint. The engine settings are those of `runWorkflow` (configuration, object store and
 * its bucket label, the clients for STS, Lambda and Organizations, concurrency, logger), shared by
 * every execution; each execution brings its name and input.
 */
export async function startStepFunctionsServer(
  options: StepFunctionsServerOptions,
): Promise<StepFunctionsServer> {
  const { host = '127.0.0.1', port = 0, onInternalError = reportInternalError, ...engine } = options;
  const identity = LOCAL_SERVICE_IDENTITY;
  const settings = planSettingsOf(engine.config);
  const executions = new Executions({
    identity,
    startAttempt: engineAttempts(engine),
    map: {
      maxConcurrency: engine.config.map.maxConcurrency,
      toleratedFailurePercentage: engine.config.map.toleratedFailurePercentage,
    },
    // what the plan gives the Map as its batch size for this input
    batchSizeFor: (input) =>
      accountAlignedBatchSize(settings.batchSize, chooseRegions(input, settings).length),
  });
  const server = createJsonServer(operations(executions, identity), onInternalError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  const address = server.address() as AddressInfo;
  const hostInUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostInUrl}:${address.port}`,
    stateMachineArn: stateMachineArn(identity),
    close: () => {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve, reject) =>
          server.close((error) => (error ? reject(error) : resolve())),
        );
        server.closeAllConnections();
        await Promise.all([closed, executions.close()]);
      })();
      return closing;
    },
  };
}

function reportInternalError(error: unknown): void {
  console.error('lambda-inventory serve: internal error:', error);
}
