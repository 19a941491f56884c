/**
 * The Step Functions operations the local endpoint serves, each from its request members to its
 * response members, with the shapes and errors of the Step Functions API reference. Dates are epoch
 * seconds, as the awsJson1_0 protocol sends timestamps.
 */
import { randomUUID } from 'node:crypto';
import { formatIssues, RunInput } from '../../shared/contracts.ts';
import { checkArn, checkExecutionName, type ServiceIdentity, stateMachineArn } from './arns.ts';
import type { Execution, Executions } from './executions.ts';
import {
  DescribeExecutionRequest,
  DescribeMapRunRequest,
  ListExecutionsRequest,
  ListMapRunsRequest,
  parseRequest,
  RedriveExecutionRequest,
  StartExecutionRequest,
  StopExecutionRequest,
} from './requests.ts';
import { ServiceError, validationError } from './service-errors.ts';

export type Operation = (request: Record<string, unknown>) => Record<string, unknown>;

/** ListExecutions' page size when the request gives none (or 0), as in AWS. */
const DEFAULT_PAGE_SIZE = 100;

export function operations(executions: Executions, identity: ServiceIdentity): Record<string, Operation> {
  const machineArn = stateMachineArn(identity);

  const checkMachine = (arn: string) => {
    checkArn(arn, 'stateMachine');
    if (arn !== machineArn) {
      throw new ServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    }
  };
  const execution = (arn: string) => {
    checkArn(arn, 'execution');
    return executions.get(arn);
  };

  return {
    StartExecution: (request) => {
      const {
        stateMachineArn: arn,
        name = randomUUID(),
        input = '{}',
        traceHeader,
      } = parseRequest(StartExecutionRequest, request);
      checkMachine(arn);
      checkExecutionName(name);
      const runInput = parseExecutionInput(input);
      const started = executions.start({ name, input, runInput, traceHeader });
      return { executionArn: started.arn, startDate: seconds(started.startDate) };
    },

    DescribeExecution: (request) => {
      const { executionArn, includedData } = parseRequest(DescribeExecutionRequest, request);
      const described = execution(executionArn);
      const withData = includedData !== 'METADATA_ONLY';
      return {
        executionArn: described.arn,
        stateMachineArn: machineArn,
        name: described.name,
        status: described.status,
        startDate: seconds(described.startDate),
        stopDate: optionalSeconds(described.stopDate),
        ...(withData
          ? {
              input: described.input,
              inputDetails: { included: true },
              output: described.output,
              outputDetails: described.output === undefined ? undefined : { included: true },
            }
          : {}),
        traceHeader: described.traceHeader,
        error: described.error,
        cause: described.cause,
        redriveCount: described.redriveCount,
        redriveDate: optionalSeconds(described.redriveDate),
        ...redriveStatus(described),
      };
    },

    ListExecutions: (request) => {
      const {
        stateMachineArn: arn,
        mapRunArn,
        statusFilter,
        redriveFilter,
        maxResults,
        nextToken,
      } = parseRequest(ListExecutionsRequest, request);
      if (arn !== undefined && mapRunArn !== undefined) {
        throw validationError(['specify either a stateMachineArn or a mapRunArn, not both']);
      }
      if (mapRunArn !== undefined) {
        checkArn(mapRunArn, 'mapRun');
        executions.mapRun(mapRunArn);
        throw new ServiceError(
          'StateMachineTypeNotSupported',
          `the child executions of '${mapRunArn}' are EXPRESS executions, which ListExecutions does not list`,
        );
      }
      if (arn === undefined) {
        throw validationError([
          "Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
        ]);
      }
      checkMachine(arn);
      const listed = executions.list({
        status: statusFilter,
        redriven: redriveFilter === undefined ? undefined : redriveFilter === 'REDRIVEN',
      });
      const page = pageOf(listed, maxResults, nextToken);
      return {
        executions: page.items.map((item) => ({
          executionArn: item.arn,
          stateMachineArn: machineArn,
          name: item.name,
          status: item.status,
          startDate: seconds(item.startDate),
          stopDate: optionalSeconds(item.stopDate),
          redriveCount: item.redriveCount,
          redriveDate: optionalSeconds(item.redriveDate),
        })),
        nextToken: page.nextToken,
      };
    },

    StopExecution: (request) => {
      const { executionArn, error, cause } = parseRequest(StopExecutionRequest, request);
      execution(executionArn);
      return { stopDate: seconds(executions.stop(executionArn, { error, cause })) };
    },

    RedriveExecution: (request) => {
      const { executionArn, clientToken } = parseRequest(RedriveExecutionRequest, request);
      execution(executionArn);
      return { redriveDate: seconds(executions.redrive(executionArn, clientToken)) };
    },

    DescribeMapRun: (request) => {
      const { mapRunArn } = parseRequest(DescribeMapRunRequest, request);
      checkArn(mapRunArn, 'mapRun');
      const mapRun = executions.mapRun(mapRunArn);
      return {
        mapRunArn: mapRun.arn,
        executionArn: mapRun.executionArn,
        status: mapRun.status,
        startDate: seconds(mapRun.startDate),
        stopDate: optionalSeconds(mapRun.stopDate),
        maxConcurrency: mapRun.settings.maxConcurrency,
        toleratedFailurePercentage: mapRun.settings.toleratedFailurePercentage,
        // the definition sets a percentage only
        toleratedFailureCount: 0,
        itemCounts: mapRun.itemCounts(),
        executionCounts: mapRun.executionCounts(),
        redriveCount: mapRun.redriveCount,
        redriveDate: optionalSeconds(mapRun.redriveDate),
      };
    },

    ListMapRuns: (request) => {
      const { executionArn, maxResults, nextToken } = parseRequest(ListMapRunsRequest, request);
      const parent = execution(executionArn);
      const page = pageOf(parent.mapRun ? [{ seq: 0, mapRun: parent.mapRun }] : [], maxResults, nextToken);
      return {
        mapRuns: page.items.map(({ mapRun }) => ({
          executionArn: parent.arn,
          mapRunArn: mapRun.arn,
          stateMachineArn: machineArn,
          startDate: seconds(mapRun.startDate),
          stopDate: optionalSeconds(mapRun.stopDate),
        })),
        nextToken: page.nextToken,
      };
    },
  };
}

/**
 * The execution input must be JSON (else InvalidExecutionInput, as in AWS), and the workflow's
 * RunInput contract: refused here with the bad field named, where AWS would start the execution and
 * let the plan fail on it.
 */
function parseExecutionInput(input: string): RunInput {
  let value: unknown;
  try {
    value = JSON.parse(input);
  } catch (error) {
    throw new ServiceError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: '${(error as Error).message}'`,
    );
  }
  const parsed = RunInput.safeParse(value);
  if (!parsed.success) throw validationError([`input: ${formatIssues(parsed.error)}`]);
  return parsed.data;
}

function redriveStatus(execution: Execution): { redriveStatus: string; redriveStatusReason?: string } {
  if (execution.status === 'FAILED' || execution.status === 'ABORTED' || execution.status === 'TIMED_OUT') {
    return { redriveStatus: 'REDRIVABLE' };
  }
  return {
    redriveStatus: 'NOT_REDRIVABLE',
    redriveStatusReason: `Execution is ${execution.status} and cannot be redriven`,
  };
}

/** Pages over a newest-first list; the token names the last item given, so new items never shift a page. */
function pageOf<T extends { seq: number }>(
  items: T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: T[]; nextToken?: string } {
  const size = maxResults || DEFAULT_PAGE_SIZE;
  const after = nextToken === undefined ? undefined : tokenPosition(nextToken);
  const rest = after === undefined ? items : items.filter((item) => item.seq < after);
  const page = rest.slice(0, size);
  const last = page.at(-1);
  return rest.length > size && last ? { items: page, nextToken: positionToken(last.seq) } : { items: page };
}

function positionToken(seq: number): string {
  return Buffer.from(JSON.stringify({ before: seq })).toString('base64url');
}

function tokenPosition(token: string): number {
  try {
    const { before } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { before?: unknown };
    if (Number.isInteger(before)) return before as number;
  } catch {
    // not one of ours: refused below
  }
  throw new ServiceError('InvalidToken', `Invalid Token: '${token}'`);
}

const seconds = (date: Date) => date.getTime() / 1000;
const optionalSeconds = (date: Date | undefined) => (date === undefined ? undefined : seconds(date));
