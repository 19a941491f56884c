/**
 * Maps one ListFunctions configuration to the worker's `ScannedFunction`: a pure function. Only the
 * NAMES of environment variables are kept; their values never leave this mapping. A configuration
 * whose ARN names another account or region than the target is refused: the report must never file
 * a function under the wrong account.
 */
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { ScannedFunction, Target } from '../../shared/contracts.ts';
import { ERROR_NAMES } from '../../shared/errors.ts';

/**
 * ListFunctions answered, for one target, a function of another account or region (seen from an
 * emulator that mixed up responses under concurrency). The target becomes an `error`, none of its
 * functions are kept.
 */
export class TargetMismatchError extends Error {
  override name = ERROR_NAMES.targetMismatch;
}

/** `arn:<partition>:lambda:<region>:<account>:function:`: every function ARN of the target starts so. */
export function functionArnPrefix(partition: string, target: Target): string {
  return `arn:${partition}:lambda:${target.region}:${target.accountId}:function:`;
}

/**
 * Throws TargetMismatchError unless the configuration's ARN starts with `arnPrefix`
 * (functionArnPrefix of the target): one string comparison per function, no parsing.
 */
export function checkBelongsToTarget(config: FunctionConfiguration, arnPrefix: string, target: Target): void {
  const arn = config.FunctionArn;
  if (arn?.startsWith(arnPrefix)) return;
  throw new TargetMismatchError(
    `ListFunctions for account ${target.accountId} in ${target.region} returned ${describeArn(arn)}: ` +
      'none of the functions of this target are kept',
  );
}

function describeArn(arn: string | undefined): string {
  if (!arn) return 'a function without an ARN';
  const [prefix, partition, service, region, accountId] = arn.split(':', 5);
  if (prefix !== 'arn' || service !== 'lambda' || !region || !accountId) return `${arn}, not a function ARN`;
  return `${arn} (account ${accountId}, region ${region}, partition ${partition})`;
}

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
    // the SDK decodes a fresh array per response and the configuration is dropped after mapping: no copy
    architectures: config.Architectures ?? [],
    memorySize: config.MemorySize ?? null,
    timeout: config.Timeout ?? null,
    ephemeralStorage: config.EphemeralStorage?.Size ?? null,
    codeSize: config.CodeSize ?? null,
    handler: config.Handler ?? null,
    lastModified: config.LastModified ?? null,
    role: config.Role ?? null,
    layers: layerArns(config.Layers),
    tracingMode: config.TracingConfig?.Mode ?? null,
    snapStart: config.SnapStart?.ApplyOn ?? null,
    environmentVariableNames: config.Environment?.Variables
      ? Object.keys(config.Environment.Variables).sort()
      : [],
    version: config.Version ?? null,
  };
}

function layerArns(layers: FunctionConfiguration['Layers']): string[] {
  const arns: string[] = [];
  if (layers) for (const layer of layers) if (layer.Arn) arns.push(layer.Arn);
  return arns;
}
