import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { causeMessage } from '../../functions/shared/lambda-error.ts';
import type { AslState } from '../../local/asl.ts';
import { UnsupportedDefinitionError } from '../../local/errors.ts';
import '../../local/polyfills.ts';
import { renderWorkflow } from '../../local/render-definition.ts';
import { adaptToResource, LambdaFunctionError, withTaskTimeouts } from '../../local/task-binding.ts';
import { STATE } from '../../shared/states.ts';
import { account, configFor, stateNamed } from './support.ts';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:Step';

describe('adaptToResource', () => {
  it('hands a lambda:invoke Task the Payload and answers with StatusCode and Payload', async () => {
    const state: AslState = {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: ARN, 'Payload.$': '$' },
      ResultSelector: { 'result.$': '$.Payload' },
      End: true,
    };
    const received: unknown[] = [];
    const handler = adaptToResource(
      'Step',
      state,
      async (event) => {
        received.push(event);
        return { doubled: 2 * (event as { n: number }).n };
      },
      ARN,
    );
    const machine = new StateMachine({ StartAt: 'Step', States: { Step: state } } as never);

    const output = await machine.run(
      { n: 21 },
      { overrides: { taskResourceLocalHandlers: { Step: handler as never } } },
    ).result;

    expect(received).toEqual([{ n: 21 }]);
    expect(output).toEqual({ result: { doubled: 42 } });
  });

  it('hands a function-ARN Task its resolved Parameters and reports a thrown error as Lambda does', async () => {
    const state: AslState = { Type: 'Task', Resource: ARN, Parameters: { 'value.$': '$.n' }, End: true };
    const handler = adaptToResource(
      'Step',
      state,
      async () => {
        const error = new Error('no targets');
        error.name = 'InvalidTargetsError';
        throw error;
      },
      ARN,
    );

    const failure = await handler({ value: 1 }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(LambdaFunctionError);
    expect(failure).toMatchObject({ name: 'InvalidTargetsError' });
    expect(JSON.parse((failure as Error).message)).toMatchObject({
      errorType: 'InvalidTargetsError',
      errorMessage: 'no targets',
      trace: expect.arrayContaining([expect.stringContaining('no targets')]),
    });
  });

  it('reports a Cause that reads back as the thrown message, as Lambda error envelopes do', async () => {
    const state: AslState = { Type: 'Task', Resource: ARN, End: true };
    const handler = adaptToResource(
      'Step',
      state,
      async () => {
        throw new Error('role not found');
      },
      ARN,
    );

    const failure = (await handler({}).catch((error: unknown) => error)) as Error;

    expect(causeMessage(failure.message)).toBe('role not found');
  });

  it.each([
    { cause: undefined, message: null },
    { cause: '', message: null },
    { cause: 'the child execution failed', message: 'the child execution failed' },
    { cause: '{"errorType":"X"}', message: '{"errorType":"X"}' },
    { cause: '{"errorMessage":42}', message: '{"errorMessage":42}' },
  ])('reads the Cause $cause as $message', ({ cause, message }) => {
    expect(causeMessage(cause)).toBe(message);
  });

  it('refuses to bind a handler to a state that invokes another function', () => {
    const state: AslState = { Type: 'Task', Resource: `${ARN}-other`, End: true };

    expect(() => adaptToResource('Step', state, async () => null, ARN)).toThrow(UnsupportedDefinitionError);
  });
});

describe('withTaskTimeouts', () => {
  it('gives every Task of the rendered definition, nested ones included, an explicit timeout', async () => {
    const config = configFor([account(1)], ['eu-west-1'], {
      maxConcurrency: 1,
      batchSize: 1,
      toleratedFailurePercentage: 0,
    });
    const { definition } = await renderWorkflow(config, 'bucket');

    const timed = withTaskTimeouts(definition, 900);

    for (const state of [
      timed.States[STATE.plan],
      timed.States[STATE.reduce],
      timed.States[STATE.recordFailure],
    ]) {
      expect(state?.TimeoutSeconds).toBe(900);
    }
    expect(definition.States[STATE.plan]?.TimeoutSeconds).toBeUndefined();
    // the worker's own timeout (its share of an Express child's five minutes) is kept
    expect(stateNamed(timed, STATE.worker)?.TimeoutSeconds).toBe(
      stateNamed(definition, STATE.worker)?.TimeoutSeconds,
    );
    expect(stateNamed(definition, STATE.worker)?.TimeoutSeconds).toBeLessThan(900);
  });
});
