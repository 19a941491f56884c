/**
 * Maps one ListFunctions configuration to the worker's `ScannedFunction`: a pure function. Only the
 * NAMES of environment variables are kept; their values never leave this mapping.
 */
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { ScannedFunction, Target } from '../../shared/contracts.ts';

export function toScannedFunction(config: FunctionConfiguration, target: Target): ScannedFunction {
  // AWS omits PackageType for functions created before container images existed: those are zip
  const packageType = config.PackageType === 'Image' ? 'Image' : 'Zip';
  return {
    accountId: target.accountId,
    accountName: target.accountName ?? null,
    region: target.region,
    functionName: config.FunctionName ?? '',
    functionArn: config.FunctionArn ?? '',
    // an image brings its own runtime: Lambda's runtime field says nothing about it
    runtime: packageType === 'Image' ? null : (config.Runtime ?? null),
    packageType,
    architectures: config.Architectures ? [...config.Architectures] : [],
    memorySize: config.MemorySize ?? null,
    timeout: config.Timeout ?? null,
    ephemeralStorage: config.EphemeralStorage?.Size ?? null,
    codeSize: config.CodeSize ?? null,
    handler: config.Handler ?? null,
    lastModified: config.LastModified ?? null,
    role: config.Role ?? null,
    layers: (config.Layers ?? []).flatMap((layer) => (layer.Arn ? [layer.Arn] : [])),
    tracingMode: config.TracingConfig?.Mode ?? null,
    snapStart: config.SnapStart?.ApplyOn ?? null,
    environmentVariableNames: Object.keys(config.Environment?.Variables ?? {}).sort(),
    version: config.Version ?? null,
  };
}
