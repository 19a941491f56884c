/**
 * How the local engine binds handlers to the definition's Task states (by state name, as
 * aws-local-stepfunctions' `taskResourceLocalHandlers` are keyed), shaped by each state's Resource
 * the way Step Functions calls it, and with a timeout the library would otherwise set to 60 s.
 */
import { type AslDefinition, type AslState, copyDefinition, forEachState } from './asl.ts';
import { UnsupportedDefinitionError } from './errors.ts';
import type { TaskHandler } from './types.ts';

/** Every Task without a timeout gets one, so the library's 60-second default never applies. */
export function withTaskTimeouts(definition: AslDefinition, seconds: number): AslDefinition {
  const copy = copyDefinition(definition);
  forEachState(copy, (_name, state) => {
    const hasTimeout = state.TimeoutSeconds !== undefined || state.TimeoutSecondsPath !== undefined;
    if (state.Type === 'Task' && !hasTimeout) state.TimeoutSeconds = seconds;
  });
  return copy;
}

const LAMBDA_FUNCTION_ARN = /^arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[^:]+$/;
const LAMBDA_INVOKE = /^arn:[\w-]+:states:::lambda:invoke$/;
const S3_PUT_OBJECT = /^arn:[\w-]+:states:::aws-sdk:s3:putObject$/;

/** A misspelt override, or one of a state without a handler, would silently change nothing. */
export function checkOverrides(definition: AslDefinition, overridden: [string, TaskHandler][]): void {
  const overridable = new Set<string>();
  forEachState(definition, (name, state) => {
    if (state.Type === 'Task') overridable.add(name);
  });
  const unknown = overridden.map(([name]) => name).filter((name) => !overridable.has(name));
  if (unknown.length > 0) {
    throw new UnsupportedDefinitionError(
      `taskOverrides name no Task state of the definition: ${unknown.join(', ')}`,
    );
  }
}

/**
 * Binds every Task state (nested ones included) to its local handler. A Task left unbound would make
 * the library call the real Lambda, so that is refused, as is a state that invokes another function
 * than the one whose handler it gets.
 */
export function bindTasks(
  definition: AslDefinition,
  chosen: Record<string, TaskHandler>,
  functionArns: Record<string, string>,
): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  forEachState(definition, (name, state) => {
    if (state.Type !== 'Task') return;
    const handler = chosen[name];
    if (!handler) throw new UnsupportedDefinitionError(`Task state "${name}" has no local handler`);
    handlers[name] = adaptToResource(name, state, handler, functionArns[name]);
  });
  return handlers;
}

/**
 * A plain function ARN (payloadResponseOnly) passes the resolved Parameters to the function and
 * takes its result as is; `lambda:invoke` passes `{ FunctionName, Payload }` and gets
 * `{ StatusCode, Payload }` back (the definition's ResultSelector then picks the payload).
 */
export function adaptToResource(
  name: string,
  state: AslState,
  handler: TaskHandler,
  functionArn?: string,
): TaskHandler {
  const resource = String(state.Resource);
  const expectFunction = (invoked: unknown) => {
    if (functionArn !== undefined && invoked !== functionArn) {
      throw new UnsupportedDefinitionError(
        `Task state "${name}" invokes ${String(invoked)}, not ${functionArn}`,
      );
    }
  };
  if (LAMBDA_FUNCTION_ARN.test(resource)) {
    expectFunction(resource);
    return asLambdaFunction(handler);
  }
  if (LAMBDA_INVOKE.test(resource)) {
    expectFunction((state.Parameters as { FunctionName?: unknown } | undefined)?.FunctionName);
    const invoke = asLambdaFunction(handler);
    return async (input) => ({
      StatusCode: 200,
      ExecutedVersion: '$LATEST',
      Payload: await invoke((input as { Payload?: unknown }).Payload),
    });
  }
  if (S3_PUT_OBJECT.test(resource) && functionArn === undefined) return handler;
  throw new UnsupportedDefinitionError(`Task state "${name}": resource ${resource} is not supported locally`);
}

/**
 * An error thrown by a function reaches Step Functions as Lambda reports it: the error is named after
 * the thrown error's name (what Retry and Catch match) and the Cause is Lambda's JSON envelope.
 */
export class LambdaFunctionError extends Error {
  constructor(thrown: unknown) {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    super(
      JSON.stringify({
        errorType: error.name,
        errorMessage: error.message,
        trace: error.stack?.split('\n') ?? [],
      }),
    );
    this.name = error.name;
  }
}

function asLambdaFunction(handler: TaskHandler): TaskHandler {
  return async (event) => {
    try {
      return await handler(event);
    } catch (error) {
      throw new LambdaFunctionError(error);
    }
  };
}
