import { beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import type { AslState } from '../../local/asl.ts';
import { definitionFromTemplate } from '../../local/definition-from-template.ts';
import { UnsupportedDefinitionError } from '../../local/errors.ts';
import { renderWorkflow } from '../../local/render-definition.ts';
import { keys } from '../../shared/keys.ts';
import { STATE } from '../../shared/states.ts';
import { account, configFor, stateNamed } from './support.ts';

vi.mock('../../infra/app.ts', { spy: true });

const CONFIG = configFor([account(1)], ['eu-west-1'], {
  maxConcurrency: 7,
  batchSize: 4,
  toleratedFailurePercentage: 12.5,
});

// a synth takes seconds: once, before the tests
beforeAll(() => {
  renderWorkflow(CONFIG, 'warm-up');
});

describe('renderWorkflow', () => {
  it('renders the InventoryStack state machine with the configured map settings', () => {
    const { definition } = renderWorkflow(CONFIG, 'local-bucket');

    const map = definition.States[STATE.scan] as AslState;
    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 7,
      ToleratedFailurePercentage: 12.5,
      ItemBatcher: { MaxItemsPerBatchPath: '$.plan.batchSize' },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } },
    });
    // ResultWriterV2 survives only with its feature flag
    expect(map.ResultWriter).toMatchObject({ Parameters: { Prefix: keys.mapResultsPrefix } });
  });

  it('replaces every CloudFormation token with a local value, escaped inside the JSON', () => {
    const bucket = 'C:\\inventory "data"';

    const { definition, functionArns } = renderWorkflow(CONFIG, bucket);

    expect(JSON.stringify(definition)).not.toMatch(/Fn::|"Ref"|\$\{Token/);
    expect(definition.States[STATE.plan]?.Resource).toBe(functionArns.plan);
    expect(definition.States[STATE.reduce]?.Resource).toBe(functionArns.reduce);
    expect(stateNamed(definition, STATE.worker)?.Resource).toBe(functionArns.worker);
    expect(new Set(Object.values(functionArns)).size).toBe(3);
    expect(definition.States[STATE.recordFailure]).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
      Parameters: { Bucket: bucket },
    });
  });

  it('synthesizes the CDK app once per configuration', () => {
    const synthesized = vi.mocked(buildApp).mock.calls.length;
    const other = configFor([account(2)], ['eu-west-2'], {
      maxConcurrency: 1,
      batchSize: 1,
      toleratedFailurePercentage: 0,
    });

    renderWorkflow(CONFIG, 'bucket-a');
    renderWorkflow(other, 'bucket-b');
    renderWorkflow(other, 'bucket-c');

    expect(vi.mocked(buildApp).mock.calls.length - synthesized).toBe(1);
    expect(vi.mocked(buildApp).mock.calls.at(-1)?.[0]).toMatchObject({
      config: other,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
  });
});

describe('definitionFromTemplate', () => {
  const values = {
    partition: 'aws',
    region: 'us-east-1',
    accountId: '000000000000',
    refs: {},
    functionArn: (id: string) => `arn:aws:lambda:us-east-1:000000000000:function:${id}`,
  };
  const machine = (parts: unknown[]) => ({
    Type: 'AWS::StepFunctions::StateMachine',
    Properties: { DefinitionString: { 'Fn::Join': ['', parts] } },
  });

  it('refuses a token it has no local value for', () => {
    const template = {
      Resources: { Machine: machine(['{"StartAt":"', { Ref: 'SomeQueue' }, '","States":{}}']) },
    };

    expect(() => definitionFromTemplate(template, values)).toThrow(UnsupportedDefinitionError);
    expect(() => definitionFromTemplate(template, values)).toThrow('SomeQueue');
  });

  it('refuses a stack that does not hold exactly one state machine', () => {
    const template = { Resources: { One: machine(['{}']), Two: machine(['{}']) } };

    expect(() => definitionFromTemplate(template, values)).toThrow(
      'expected one state machine in the stack, found 2',
    );
  });
});
