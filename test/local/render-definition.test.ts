import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AslState } from '../../local/asl.ts';
import { definitionFromTemplate } from '../../local/definition-from-template.ts';
import { UnsupportedDefinitionError } from '../../local/errors.ts';
import { renderWorkflow, synthesizeWorkflow, warmUpWorkflow } from '../../local/render-definition.ts';
import { InventoryConfig, parseInventoryConfig } from '../../shared/config.ts';
import { keys } from '../../shared/keys.ts';
import { STATE } from '../../shared/states.ts';
import { account, configFor, stateNamed } from './support.ts';

const CONFIG = configFor([account(1)], ['eu-west-1'], {
  maxConcurrency: 7,
  batchSize: 4,
  toleratedFailurePercentage: 12,
});

// asl-validator ships no types: its documented call
const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText(separator?: string): string;
};

// a synth takes seconds (on a cold cache): once, before the tests
beforeAll(() => warmUpWorkflow(CONFIG));

describe('renderWorkflow', () => {
  it('renders the InventoryStack state machine with the configured map settings', async () => {
    const { definition } = await renderWorkflow(CONFIG, 'local-bucket');

    const map = definition.States[STATE.scan] as AslState;
    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 7,
      ToleratedFailurePercentage: 12,
      ItemBatcher: { MaxItemsPerBatchPath: '$.plan.batchSize' },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' } },
    });
    // ResultWriterV2 survives only with its feature flag
    expect(map.ResultWriter).toMatchObject({ Parameters: { Prefix: keys.mapResultsPrefix } });
  });

  it('renders a fractional ToleratedFailurePercentage, which Step Functions takes and the validator would not', async () => {
    const fractional = configFor([account(1)], ['eu-west-1'], {
      maxConcurrency: 7,
      batchSize: 4,
      toleratedFailurePercentage: 12.5,
    });

    const { definition } = await renderWorkflow(fractional, 'local-bucket');

    expect(definition.States[STATE.scan]?.ToleratedFailurePercentage).toBe(12.5);
  });

  it('replaces every CloudFormation token with a local value, escaped inside the JSON', async () => {
    const bucket = 'C:\\inventory "data"';

    const { definition, functionArns } = await renderWorkflow(CONFIG, bucket);

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

  it('renders a definition asl-validator accepts, as Step Functions would', async () => {
    const { definition } = await renderWorkflow(CONFIG, 'local-bucket');

    const result = aslValidator(definition);

    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('renders a configuration once per process, then from memory', async () => {
    const first = await renderWorkflow(CONFIG, 'bucket-a');
    const second = await renderWorkflow(CONFIG, 'bucket-b');

    expect([first.source, second.source]).toEqual(['memory', 'memory']);
    expect(second.definition.States[STATE.recordFailure]).toMatchObject({
      Parameters: { Bucket: 'bucket-b' },
    });
  });

  it('synthesizes the same definition for configurations that differ only outside the cache key', async () => {
    // every field but the Map's MaxConcurrency and ToleratedFailurePercentage, changed
    const raw = {
      targets: { source: 'accounts', accounts: [account(2)] },
      regions: ['ap-southeast-2'],
      memberRoleName: 'OtherMemberRole',
      workerRoleName: 'other-worker',
      organizationId: 'o-abcdef1234',
      centralAccountId: account(3),
      map: { maxConcurrency: 7, batchSize: 50, toleratedFailurePercentage: 12 },
      schedule: { enabled: false },
      reports: {
        compress: false,
        storageClass: 'STANDARD_IA',
        transitionAfterDays: 60,
        expireAfterDays: 400,
      },
      notifications: { emails: ['ops@example.com'] },
      alarms: { minCoveragePercent: 50, maxHoursWithoutSuccess: 48 },
      runsExpirationDays: 3,
      logRetentionDays: 30,
    };
    expect(
      Object.keys(raw).sort(),
      'a new configuration field must be varied here; one that shapes the definition belongs in definitionShapingFields (local/definition-cache.ts)',
    ).toEqual(Object.keys(InventoryConfig.shape).sort());

    const expected = await synthesizeWorkflow(CONFIG);
    const synthesized = await synthesizeWorkflow(parseInventoryConfig(raw));

    expect(synthesized).toEqual(expected);
  });
});

describe('the disk cache of renderWorkflow', () => {
  const run = promisify(execFile);
  const fixture = fileURLToPath(new URL('./fixtures/render-in-fresh-process.ts', import.meta.url));
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const renderInFreshProcess = async (cacheDir: string) => {
    const { stdout } = await run(process.execPath, ['--import', tsx, fixture, cacheDir], {
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: 'true' },
    });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as { source: string; cdkModules: number };
  };
  let cacheDir: string;

  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'lambda-inventory-render-cache-'));
  });
  afterAll(() => rm(cacheDir, { recursive: true, force: true }));

  it('synthesizes on a miss and writes the entry a later process reads without loading aws-cdk-lib', async () => {
    const first = await renderWorkflow(parseInventoryConfig({}), 'bucket', { cacheDir });

    const later = await renderInFreshProcess(cacheDir);

    expect(first.source).toBe('synth');
    expect(later).toEqual({ source: 'disk', cdkModules: 0 });
  });

  it('renders a corrupt entry again, and writes a good one', async () => {
    const [entry] = await readdir(cacheDir);
    await writeFile(join(cacheDir, entry as string), '{"format":1,"key":"truncat');

    const repaired = await renderInFreshProcess(cacheDir);
    const after = await renderInFreshProcess(cacheDir);

    expect(repaired.source).toBe('synth');
    expect(after).toEqual({ source: 'disk', cdkModules: 0 });
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
