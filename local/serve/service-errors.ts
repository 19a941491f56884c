/**
 * The errors the Step Functions API answers with, as the awsJson1_0 protocol carries them: HTTP 400
 * (500 for an internal failure), the error name in the `x-amzn-ErrorType` header and in the body's
 * `__type`, and the text in `message`. The SDKs read the name from either place and raise the
 * modelled exception of that name (`ExecutionDoesNotExist`, `InvalidArn`...).
 */

/** Error names of the Step Functions API model (@aws-sdk/client-sfn), plus the protocol's own. */
export type ServiceErrorName =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'ExecutionNotRedrivable'
  | 'InvalidArn'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidToken'
  | 'ResourceNotFound'
  | 'StateMachineDoesNotExist'
  | 'StateMachineTypeNotSupported'
  | 'ValidationException'
  // the protocol's: a body that is not the operation's JSON, an unknown X-Amz-Target
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'InternalFailure';

/** The namespace of the service's error shapes, as the real service prefixes `__type` with it. */
const ERROR_NAMESPACE = 'com.amazonaws.swf.service.v2.model';

export class ServiceError extends Error {
  constructor(
    readonly errorName: ServiceErrorName,
    message: string,
    /** Members the error shape has besides `message` (ValidationException's `reason`, ResourceNotFound's `resourceName`). */
    readonly members: Record<string, string> = {},
  ) {
    super(message);
    this.name = errorName;
  }

  get statusCode(): number {
    return this.errorName === 'InternalFailure' ? 500 : 400;
  }

  body(): Record<string, string> {
    return { __type: `${ERROR_NAMESPACE}#${this.errorName}`, message: this.message, ...this.members };
  }
}

export const invalidArn = (arn: string, problem: string) =>
  new ServiceError('InvalidArn', `Invalid Arn: '${problem}: ${arn}'`);

export const executionDoesNotExist = (arn: string) =>
  new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);

/** The message AWS gives for a request member that breaks its constraints; AWS counts the errors first. */
export function validationError(problems: string[], reason?: string): ServiceError {
  const count =
    problems.length === 1 ? '1 validation error detected' : `${problems.length} validation errors detected`;
  return new ServiceError(
    'ValidationException',
    `${count}: ${problems.join('; ')}`,
    reason === undefined ? {} : { reason },
  );
}
