import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  ResourceNotFound,
  SFNServiceException,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { endpointForSuite, waitForMapRun } from './support.ts';

const EXECUTION_PREFIX = 'arn:aws:states:us-east-1:000000000000:execution:lambda-inventory-local';
const RUN_TIMEOUT_MS = 180_000;

describe('the errors of the Step Functions API', () => {
  const endpoint = endpointForSuite();

  /** StartExecution of the served state machine. */
  const start = (members: { name?: string; input?: string; stateMachineArn?: string }) =>
    endpoint().sfn.send(
      new StartExecutionCommand({ stateMachineArn: endpoint().server.stateMachineArn, ...members }),
    );

  /** A raw awsJson1_0 request, to see the wire as any client would. */
  const post = (target: string, body: unknown) =>
    fetch(endpoint().server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
      body: JSON.stringify(body),
    });

  it('answers an execution input that is not JSON with InvalidExecutionInput', async () => {
    await expect(start({ name: 'not-json', input: '{"regions": [' })).rejects.toBeInstanceOf(
      InvalidExecutionInput,
    );
  });

  it.each([
    ['a bad region', '{"regions": ["mars-north-1"]}', 'regions.0'],
    ['an unknown field', '{"regoins": ["eu-west-1"]}', 'regoins'],
    ['a bad run id', '{"runId": "has spaces"}', 'runId'],
  ])('answers an input with %s with a ValidationException naming the field', async (_case, input, field) => {
    const started = start({ name: 'bad-input', input });

    await expect(started).rejects.toBeInstanceOf(ValidationException);
    await expect(started).rejects.toThrow(field);
  });

  it('answers a name Step Functions does not allow with InvalidName', async () => {
    await expect(start({ name: 'has space' })).rejects.toBeInstanceOf(InvalidName);
  });

  it('answers another state machine with StateMachineDoesNotExist', async () => {
    const other = 'arn:aws:states:us-east-1:000000000000:stateMachine:another';

    await expect(start({ stateMachineArn: other })).rejects.toBeInstanceOf(StateMachineDoesNotExist);
  });

  it('answers an unknown execution with ExecutionDoesNotExist', async () => {
    const described = endpoint().sfn.send(
      new DescribeExecutionCommand({ executionArn: `${EXECUTION_PREFIX}:never` }),
    );

    await expect(described).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(described).rejects.toThrow(`${EXECUTION_PREFIX}:never`);
  });

  it.each([
    ['no ARN at all', 'execution-1'],
    [
      'the ARN of a state machine',
      'arn:aws:states:us-east-1:000000000000:stateMachine:lambda-inventory-local',
    ],
    [
      'an execution ARN without a name',
      'arn:aws:states:us-east-1:000000000000:execution:lambda-inventory-local',
    ],
  ])('answers %s where an execution ARN belongs with InvalidArn', async (_case, executionArn) => {
    await expect(endpoint().sfn.send(new DescribeExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(
      InvalidArn,
    );
  });

  it('answers an unknown Map Run with ResourceNotFound, and an execution ARN in its place with InvalidArn', async () => {
    const unknown =
      'arn:aws:states:us-east-1:000000000000:mapRun:lambda-inventory-local/Scan targets:00000000-0000-0000-0000-000000000000';

    await expect(
      endpoint().sfn.send(new DescribeMapRunCommand({ mapRunArn: unknown })),
    ).rejects.toBeInstanceOf(ResourceNotFound);
    await expect(
      endpoint().sfn.send(new DescribeMapRunCommand({ mapRunArn: `${EXECUTION_PREFIX}:never` })),
    ).rejects.toBeInstanceOf(InvalidArn);
  });

  it(
    'starts a name once: the same input while it runs is the same execution, anything else ExecutionAlreadyExists',
    async () => {
      const { sfn, sim } = endpoint();
      sim.setFaults({ latencyMs: 300 });
      const input = JSON.stringify({ runId: 'serve-repeated' });
      const first = await start({ name: 'repeated', input });
      await waitForMapRun(sfn, first.executionArn as string);

      const again = await start({ name: 'repeated', input });
      const otherInput = start({ name: 'repeated', input: JSON.stringify({ runId: 'serve-other' }) });
      await expect(otherInput).rejects.toBeInstanceOf(ExecutionAlreadyExists);
      await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
      sim.setFaults({ latencyMs: 0 });
      const afterStop = start({ name: 'repeated', input });

      expect(again).toMatchObject({ executionArn: first.executionArn, startDate: first.startDate });
      await expect(afterStop).rejects.toBeInstanceOf(ExecutionAlreadyExists);
      await expect(afterStop).rejects.toThrow(`${EXECUTION_PREFIX}:repeated`);
    },
    RUN_TIMEOUT_MS,
  );

  it('sends errors as Step Functions does: HTTP 400, x-amzn-ErrorType, and __type with message', async () => {
    const response = await post('AWSStepFunctions.DescribeExecution', {
      executionArn: `${EXECUTION_PREFIX}:never`,
    });
    const body = await response.json();

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(response.headers.get('x-amzn-errortype')).toBe('ExecutionDoesNotExist');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toEqual({
      __type: 'com.amazonaws.swf.service.v2.model#ExecutionDoesNotExist',
      message: `Execution Does Not Exist: '${EXECUTION_PREFIX}:never'`,
    });
  });

  it('answers a missing member with a ValidationException that names it', async () => {
    const response = await post('AWSStepFunctions.DescribeExecution', {});
    const body = (await response.json()) as { __type: string; message: string };

    expect(response.status).toBe(400);
    expect(body.__type).toMatch(/#ValidationException$/);
    expect(body.message).toBe(
      "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null",
    );
  });

  it.each([
    ['a body that is not JSON', '{"executionArn": '],
    ['a member of the wrong type', JSON.stringify({ stateMachineArn: 'arn', maxResults: 'ten' })],
  ])('answers %s with a SerializationException', async (_case, body) => {
    const response = await fetch(endpoint().server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'AWSStepFunctions.ListExecutions',
      },
      body,
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('SerializationException');
  });

  it('answers an operation it does not serve with UnknownOperationException', async () => {
    const response = await post('AWSStepFunctions.DeleteStateMachine', {
      stateMachineArn: endpoint().server.stateMachineArn,
    });

    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });

  it('gives SDK clients an error they can tell from a service failure', async () => {
    const described = endpoint().sfn.send(
      new DescribeExecutionCommand({ executionArn: `${EXECUTION_PREFIX}:never` }),
    );

    await expect(described).rejects.toBeInstanceOf(SFNServiceException);
    await expect(described).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
  });
});
