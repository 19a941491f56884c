/** Status-change events as Step Functions sends them to the default bus, for the record-failure tests. */
import { Logger } from '@aws-lambda-powertools/logger';
import type { ExecutionStatusChange } from '../../shared/signals.ts';

export const STATE_MACHINE_ARN =
  'arn:aws:states:eu-west-1:123456789012:stateMachine:StateMachine2E01A3A5-abc';
export const EXECUTION_NAME = 'nightly-2026-12-03';
export const EXECUTION_ARN = `arn:aws:states:eu-west-1:123456789012:execution:StateMachine2E01A3A5-abc:${EXECUTION_NAME}`;

/** 2026-12-03T03:00:00.000Z and 2026-12-03T03:41:07.250Z, in the event's milliseconds. */
export const START_MS = Date.UTC(2026, 11, 3, 3, 0, 0);
export const STOP_MS = Date.UTC(2026, 11, 3, 3, 41, 7, 250);

type Detail = ExecutionStatusChange['detail'];

/** A whole event, with the fields the product never reads (input, output, ...) as AWS sends them. */
export function statusChangeEvent(
  detail: Partial<Detail> = {},
): ExecutionStatusChange & Record<string, unknown> {
  return {
    version: '0',
    id: '315c1398-40ff-a850-213b-158f73e60175',
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '123456789012',
    time: '2026-12-03T03:41:08Z',
    region: 'eu-west-1',
    resources: [EXECUTION_ARN],
    detail: {
      executionArn: EXECUTION_ARN,
      stateMachineArn: STATE_MACHINE_ARN,
      name: EXECUTION_NAME,
      status: 'FAILED',
      startDate: START_MS,
      stopDate: STOP_MS,
      error: 'States.Runtime',
      cause: "An error occurred while executing the state 'Reduce'.",
      ...detail,
      // never read: Step Functions leaves them out past 248 KB
      ...({ input: '{}', inputDetails: { included: true }, output: null, outputDetails: null } as object),
    },
  };
}

export const silentLogger = (): Logger => new Logger({ logLevel: 'SILENT' });
