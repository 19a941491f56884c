/**
 * The ARNs of the local state machine, its executions and its Map Runs, in the formats Step Functions
 * uses:
 *   arn:<partition>:states:<region>:<account>:stateMachine:<stateMachineName>
 *   arn:<partition>:states:<region>:<account>:execution:<stateMachineName>:<executionName>
 *   arn:<partition>:states:<region>:<account>:mapRun:<stateMachineName>/<mapRunLabel>:<mapRunId>
 * An ARN that is not of the kind an operation takes is InvalidArn; a well-formed one that names
 * nothing here is the operation's "does not exist" error, as in AWS.
 */
import { invalidArn, ServiceError } from './service-errors.ts';

/** Where the local state machine pretends to live. */
export interface ServiceIdentity {
  partition: string;
  region: string;
  accountId: string;
  stateMachineName: string;
}

/** The local engine's identity (its `$$.StateMachine.Id` and `$$.Execution.Id` use these too). */
export const LOCAL_SERVICE_IDENTITY: ServiceIdentity = {
  partition: 'aws',
  region: 'us-east-1',
  accountId: '000000000000',
  stateMachineName: 'lambda-inventory-local',
};

type ResourceType = 'stateMachine' | 'execution' | 'mapRun';

const prefix = ({ partition, region, accountId }: ServiceIdentity) =>
  `arn:${partition}:states:${region}:${accountId}`;

export function stateMachineArn(identity: ServiceIdentity): string {
  return `${prefix(identity)}:stateMachine:${identity.stateMachineName}`;
}

export function executionArn(identity: ServiceIdentity, executionName: string): string {
  return `${prefix(identity)}:execution:${identity.stateMachineName}:${executionName}`;
}

export function mapRunArn(identity: ServiceIdentity, label: string, mapRunId: string): string {
  return `${prefix(identity)}:mapRun:${identity.stateMachineName}/${label}:${mapRunId}`;
}

const ARN = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):([A-Za-z]+):(.+)$/;

/** The resource part of the shape each ARN kind has after its type: `name`, `machine:name`, `machine/label:id`. */
const RESOURCE: Record<ResourceType, RegExp> = {
  stateMachine: /^[^:/]+$/,
  execution: /^[^:/]+:[^:/]+$/,
  mapRun: /^[^:/]+\/[^:]+:[^:/]+$/,
};

/** Checks that `arn` is a well-formed Step Functions ARN of type `expected`, or throws InvalidArn. */
export function checkArn(arn: string, expected: ResourceType): void {
  const match = ARN.exec(arn);
  if (!match) throw invalidArn(arn, 'Invalid ARN prefix');
  const [, , , , type, resource] = match as unknown as [string, string, string, string, string, string];
  if (type !== expected) throw invalidArn(arn, `Resource type not valid in this context: ${type}`);
  if (!RESOURCE[expected].test(resource)) throw invalidArn(arn, `Invalid ${expected} resource`);
}

/**
 * Execution names as Step Functions allows them: 1-80 characters, none of them blank, a bracket, a
 * wildcard, one of " # % \ ^ | ~ ` $ & , ; : / or a control character.
 */
const EXECUTION_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\p{Cc}]{1,80}$/u;

export function checkExecutionName(name: string): void {
  if (!EXECUTION_NAME.test(name)) throw new ServiceError('InvalidName', `Invalid Name: '${name}'`);
}
