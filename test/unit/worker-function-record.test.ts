import { describe, expect, it } from 'vitest';
import {
  checkBelongsToTarget,
  functionArnPrefix,
  TargetMismatchError,
  toScannedFunction,
} from '../../functions/worker/function-record.ts';
import type { Target } from '../../shared/contracts.ts';
import { ScannedFunction } from '../../shared/contracts.ts';
import { functionConfig, SECRET_VALUES } from './worker-fakes.ts';

const target: Target = { accountId: '111111111111', accountName: 'prod', region: 'us-east-1' };

describe('toScannedFunction', () => {
  it('maps a zip function field by field', () => {
    const config = functionConfig('orders', {
      Layers: [{ Arn: 'arn:aws:lambda:us-east-1:111111111111:layer:utils:3', CodeSize: 10 }],
      SnapStart: { ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' },
      TracingConfig: { Mode: 'Active' },
    });

    expect(toScannedFunction(config, target)).toEqual({
      accountId: '111111111111',
      accountName: 'prod',
      region: 'us-east-1',
      functionName: 'orders',
      functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:orders',
      runtime: 'nodejs20.x',
      packageType: 'Zip',
      architectures: ['arm64'],
      memorySize: 256,
      timeout: 30,
      ephemeralStorage: 512,
      codeSize: 1234,
      handler: 'index.handler',
      lastModified: '2026-10-01T10:00:00.000+0000',
      role: 'arn:aws:iam::111111111111:role/app',
      layers: ['arn:aws:lambda:us-east-1:111111111111:layer:utils:3'],
      tracingMode: 'Active',
      snapStart: 'PublishedVersions',
      environmentVariableNames: ['AWS_KEY', 'DB_PASSWORD', 'STRIPE_KEY'],
      version: '$LATEST',
    });
  });

  it('keeps environment variable names only, sorted, never their values', () => {
    const scanned = toScannedFunction(functionConfig('orders'), target);

    const text = JSON.stringify(scanned);
    for (const secret of SECRET_VALUES) expect(text).not.toContain(secret);
    expect(scanned.environmentVariableNames).toEqual(['AWS_KEY', 'DB_PASSWORD', 'STRIPE_KEY']);
  });

  it('gives a container image no runtime, whatever Lambda reports', () => {
    const config = functionConfig('image-fn', {
      PackageType: 'Image',
      Runtime: 'python3.12',
      Handler: undefined,
    });

    const scanned = toScannedFunction(config, target);

    expect(scanned).toMatchObject({ packageType: 'Image', runtime: null, handler: null });
  });

  it('gives null or empty values where AWS omits a field, and zip for functions older than images', () => {
    const scanned = toScannedFunction(
      { FunctionName: 'bare', FunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:bare' },
      {
        accountId: '111111111111',
        region: 'eu-west-1',
      },
    );

    expect(scanned).toEqual({
      accountId: '111111111111',
      accountName: null,
      region: 'eu-west-1',
      functionName: 'bare',
      functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:bare',
      runtime: null,
      packageType: 'Zip',
      architectures: [],
      memorySize: null,
      timeout: null,
      ephemeralStorage: null,
      codeSize: null,
      handler: null,
      lastModified: null,
      role: null,
      layers: [],
      tracingMode: null,
      snapStart: null,
      environmentVariableNames: [],
      version: null,
    });
  });

  it.each([
    ['a zip function', functionConfig('zip')],
    ['an image function', functionConfig('image', { PackageType: 'Image' })],
    ['a function with every optional field missing', { FunctionName: 'bare', FunctionArn: 'arn' }],
  ])('produces a valid ScannedFunction for %s', (_case, config) => {
    expect(ScannedFunction.safeParse(toScannedFunction(config, target)).success).toBe(true);
  });
});

describe('checkBelongsToTarget', () => {
  const prefix = functionArnPrefix('aws', target);

  it.each([
    ['an unqualified ARN', 'arn:aws:lambda:us-east-1:111111111111:function:orders'],
    ['a version-qualified ARN', 'arn:aws:lambda:us-east-1:111111111111:function:orders:7'],
  ])("accepts %s of the target's account and region", (_case, arn) => {
    expect(() => checkBelongsToTarget({ FunctionArn: arn }, prefix, target)).not.toThrow();
  });

  it.each([
    [
      'another account',
      'arn:aws:lambda:us-east-1:222222222222:function:orders',
      /returned arn:aws:lambda:us-east-1:222222222222:function:orders \(account 222222222222, region us-east-1, partition aws\)/,
    ],
    [
      'another region',
      'arn:aws:lambda:eu-west-1:111111111111:function:orders',
      /\(account 111111111111, region eu-west-1, partition aws\)/,
    ],
    ['another partition', 'arn:aws-cn:lambda:us-east-1:111111111111:function:orders', /partition aws-cn\)/],
    [
      'an account id that only starts like the target one',
      'arn:aws:lambda:us-east-1:1111111111112:function:orders',
      /account 1111111111112,/,
    ],
    ['no ARN at all', undefined, /returned a function without an ARN/],
    ['something that is no function ARN', 'orders', /returned orders, not a function ARN/],
  ])('refuses a function of %s, naming the ARN and the expected target', (_case, arn, detail) => {
    const check = () => checkBelongsToTarget({ FunctionName: 'orders', FunctionArn: arn }, prefix, target);

    expect(check).toThrow(TargetMismatchError);
    expect(check).toThrow(/^ListFunctions for account 111111111111 in us-east-1 returned /);
    expect(check).toThrow(detail);
  });

  it('names the error as the shared error names do', () => {
    expect(new TargetMismatchError('x').name).toBe('TargetMismatchError');
  });
});
