import { describe, expect, it } from 'vitest';
import { toScannedFunction } from '../../functions/worker/function-record.ts';
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
