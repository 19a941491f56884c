import aslValidator from 'asl-validator';
import type { CfnElement } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InventoryStack } from '../../infra/inventory-stack.ts';
import { keys } from '../../shared/keys.ts';
import { STATE } from '../../statemachine/inventory-workflow.ts';
import { functionArn, renderDefinition, synthesize } from './support/app.ts';

type State = Record<string, unknown> & {
  Type: string;
  Retry?: { ErrorEquals: string[]; JitterStrategy?: string; MaxAttempts?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Next?: string;
};
type Definition = { StartAt: string; States: Record<string, State> };

const MAP_SETTINGS = { maxConcurrency: 250, batchSize: 12, toleratedFailurePercentage: 5 };

describe('the deployed workflow definition', () => {
  let stack: InventoryStack;
  let definition: Definition;
  const state = (name: string): State => {
    const found = definition.States[name];
    if (!found) throw new Error(`no state ${name}`);
    return found;
  };
  const arnOf = (fn: { node: { defaultChild?: unknown } }) =>
    functionArn(stack.getLogicalId(fn.node.defaultChild as CfnElement));

  beforeAll(() => {
    const synthesized = synthesize({ map: MAP_SETTINGS });
    stack = synthesized.inventory;
    definition = renderDefinition(synthesized.inventoryTemplate) as Definition;
  });

  it('runs plan, then the scan, then reduce', () => {
    expect(definition.StartAt).toBe(STATE.plan);
    expect(state(STATE.plan)).toMatchObject({ Resource: arnOf(stack.plan), Next: STATE.scan });
    expect(state(STATE.scan).Next).toBe(STATE.reduce);
    expect(state(STATE.reduce)).toMatchObject({ Resource: arnOf(stack.reduce), End: true });
  });

  it('scans with a Distributed Map of Express children fed from the targets file in S3', () => {
    const scan = state(STATE.scan);

    expect(scan).toMatchObject({
      Type: 'Map',
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': '$.plan.bucket', 'Key.$': '$.plan.targetsKey' },
      },
    });
  });

  it('takes concurrency and failure tolerance from the configuration, and the batch size from the plan', () => {
    const scan = state(STATE.scan);

    expect(scan).toMatchObject({
      MaxConcurrency: MAP_SETTINGS.maxConcurrency,
      ToleratedFailurePercentage: MAP_SETTINGS.toleratedFailurePercentage,
      ItemBatcher: {
        MaxItemsPerBatchPath: '$.plan.batchSize',
        BatchInput: { 'runId.$': '$.plan.runId', 'scanId.$': '$.plan.scanId', 'bucket.$': '$.plan.bucket' },
      },
    });
  });

  it('writes the map results to the run bucket under the map-results prefix', () => {
    expect(state(STATE.scan).ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { 'Bucket.$': '$.plan.bucket', Prefix: keys.mapResultsPrefix },
    });
  });

  it('invokes the worker for every batch, retrying Lambda throttling with full jitter', () => {
    const processor = state(STATE.scan).ItemProcessor as Definition;
    const worker = processor.States[STATE.worker];

    expect(processor.StartAt).toBe(STATE.worker);
    expect(worker).toMatchObject({ Type: 'Task', Resource: arnOf(stack.worker) });
    expect(worker?.Retry).toContainEqual(
      expect.objectContaining({
        ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException']),
        JitterStrategy: 'FULL',
      }),
    );
  });

  it.each([STATE.plan, STATE.reduce])('retries Lambda throttling of %s with full jitter', (name) => {
    expect(state(name).Retry).toContainEqual(
      expect.objectContaining({
        ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException']),
        JitterStrategy: 'FULL',
      }),
    );
  });

  it.each([STATE.plan, STATE.scan, STATE.reduce])(
    'catches every error of %s into the failure record',
    (name) => {
      expect(state(name).Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: STATE.recordFailure },
      ]);
    },
  );

  it('records the failure in the report bucket, then fails the execution', () => {
    const bucket = stack.getLogicalId(stack.bucket.node.defaultChild as CfnElement);

    expect(state(STATE.recordFailure)).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
      Parameters: {
        Bucket: bucket,
        'Key.$': `States.Format('${keys.failuresPrefix}{}.json', $$.Execution.Name)`,
      },
      Next: STATE.fail,
      Retry: [expect.objectContaining({ ErrorEquals: ['States.ALL'], MaxAttempts: 3 })],
      // a record that cannot be written must not replace the run's own error
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: STATE.fail }],
    });
    expect(state(STATE.fail)).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.failure.Error',
      CausePath: '$.failure.Cause',
    });
  });

  it('passes asl-validator', () => {
    const result = aslValidator(structuredClone(definition));

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });
});
