/**
 * Generates Lambda FunctionConfiguration objects exactly as ListFunctions returns them on the wire
 * (REST-JSON, field names as in the Lambda API reference).
 */
import type { Prng } from './prng.ts';
import { handlerFor, RUNTIMES, type RuntimeCategory } from './runtimes.ts';

export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn: string;
  /** absent for PackageType Image */
  Runtime?: string;
  Role: string;
  /** absent for PackageType Image */
  Handler?: string;
  CodeSize: number;
  Description: string;
  Timeout: number;
  MemorySize: number;
  LastModified: string;
  CodeSha256: string;
  Version: string;
  Environment?: { Variables: Record<string, string> };
  TracingConfig: { Mode: 'Active' | 'PassThrough' };
  RevisionId: string;
  Layers?: { Arn: string; CodeSize: number }[];
  State: 'Active';
  LastUpdateStatus: 'Successful';
  PackageType: 'Zip' | 'Image';
  Architectures: ('x86_64' | 'arm64')[];
  EphemeralStorage: { Size: number };
  SnapStart: { ApplyOn: 'None' | 'PublishedVersions'; OptimizationStatus: 'On' | 'Off' };
  LoggingConfig: {
    LogFormat: 'Text' | 'JSON';
    LogGroup: string;
    ApplicationLogLevel?: string;
    SystemLogLevel?: string;
  };
}

/** Variable names whose values must never leave the inventory; values are recognisable fakes. */
export const SECRET_VARIABLES: Readonly<Record<string, (prng: Prng) => string>> = {
  DB_PASSWORD: (prng) => `pw-${prng.alphanumeric(20)}`,
  API_KEY: (prng) => `ak_${prng.alphanumeric(32)}`,
  STRIPE_SECRET: (prng) => `sk_live_${prng.alphanumeric(24)}`,
  GITHUB_TOKEN: (prng) => `ghp_${prng.alphanumeric(36)}`,
  JWT_SIGNING_KEY: (prng) => prng.bytes(24).toString('base64'),
  SLACK_WEBHOOK_URL: (prng) =>
    `https://hooks.slack.example/services/T${prng.upperAlphanumeric(8)}/B${prng.upperAlphanumeric(8)}/${prng.alphanumeric(24)}`,
};

const SERVICES = [
  'orders',
  'billing',
  'payments',
  'users',
  'search',
  'catalog',
  'inventory',
  'shipping',
  'notifications',
  'reports',
  'audit',
  'media',
  'auth',
  'pricing',
  'ledger',
  'etl',
];
const COMPONENTS = [
  'api',
  'worker',
  'consumer',
  'processor',
  'scheduler',
  'authorizer',
  'webhook',
  'resizer',
  'exporter',
  'sync',
  'cleanup',
  'stream',
];
const STAGES = ['prod', 'staging', 'dev'];
const MEMORY_SIZES = [128, 256, 512, 1024, 1536, 2048, 3008, 4096, 10240];
const TIMEOUTS = [3, 6, 10, 15, 30, 60, 120, 300, 900];
const PUBLIC_LAYERS = [
  { account: '094274105915', name: 'AWSLambdaPowertoolsTypeScriptV2', version: 38 },
  { account: '017000801446', name: 'AWSLambdaPowertoolsPythonV3-python313-arm64', version: 12 },
  { account: '580247275435', name: 'LambdaInsightsExtension', version: 53 },
];

// LastModified is drawn before this instant, so a fleet never depends on the day it is generated
const NEWEST_CHANGE = Date.UTC(2026, 10, 1);
const OLDEST_CHANGE = Date.UTC(2019, 0, 1);

/** Lambda's LastModified format: `2025-03-14T09:26:53.000+0000`. */
export function lambdaTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}

export interface FunctionDraw {
  category: RuntimeCategory;
  /** give this function at least one secret-looking variable */
  withSecret?: boolean;
}

export function uniqueFunctionName(prng: Prng, taken: Set<string>): string {
  const base = `${prng.pick(SERVICES)}-${prng.pick(COMPONENTS)}-${prng.pick(STAGES)}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

function environmentFor(prng: Prng, name: string, withSecret: boolean): Record<string, string> | undefined {
  const variables: Record<string, string> = {};
  if (prng.chance(0.7)) variables.LOG_LEVEL = prng.pick(['INFO', 'DEBUG', 'WARN']);
  if (prng.chance(0.5)) variables.TABLE_NAME = `${name}-table`;
  if (prng.chance(0.3)) variables.POWERTOOLS_SERVICE_NAME = name.split('-')[0] ?? name;
  if (prng.chance(0.3)) variables.BUCKET_NAME = `${name}-${prng.lowerAlphanumeric(8)}`;
  const secrets = Object.keys(SECRET_VARIABLES);
  const secretCount = withSecret ? prng.int(1, 3) : prng.chance(0.35) ? prng.int(1, 2) : 0;
  for (const key of prng.shuffle(secrets).slice(0, secretCount)) {
    const make = SECRET_VARIABLES[key];
    if (make) variables[key] = make(prng);
  }
  return Object.keys(variables).length > 0 ? variables : undefined;
}

export function generateFunction(
  prng: Prng,
  accountId: string,
  region: string,
  name: string,
  draw: FunctionDraw,
): FunctionConfiguration {
  const image = draw.category === 'image';
  const runtime = image ? undefined : prng.pick(RUNTIMES[draw.category as Exclude<RuntimeCategory, 'image'>]);
  const architecture =
    runtime === 'go1.x' || runtime === 'java8' ? 'x86_64' : prng.pick(['x86_64', 'arm64'] as const);
  const jsonLogs = prng.chance(0.4);
  const snapStart = runtime?.startsWith('java') === true && prng.chance(0.5);
  const layers =
    !image && prng.chance(0.25)
      ? prng
          .shuffle(PUBLIC_LAYERS)
          .slice(0, prng.int(1, 2))
          .map((layer) => ({
            Arn: `arn:aws:lambda:${region}:${layer.account}:layer:${layer.name}:${layer.version}`,
            CodeSize: prng.int(50_000, 8_000_000),
          }))
      : undefined;
  const environment = environmentFor(prng, name, draw.withSecret === true);
  const fn: FunctionConfiguration = {
    FunctionName: name,
    FunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${name}`,
    ...(runtime === undefined ? {} : { Runtime: runtime }),
    Role: `arn:aws:iam::${accountId}:role/service-role/${name}-role-${prng.lowerAlphanumeric(8)}`,
    ...(runtime === undefined ? {} : { Handler: handlerFor(runtime) }),
    CodeSize: image ? 0 : prng.int(300, 50_000_000),
    Description: prng.chance(0.3) ? '' : `${name.split('-').slice(0, 2).join(' ')} function`,
    Timeout: prng.pick(TIMEOUTS),
    MemorySize: prng.pick(MEMORY_SIZES),
    LastModified: lambdaTimestamp(prng.int(OLDEST_CHANGE, NEWEST_CHANGE)),
    CodeSha256: prng.bytes(32).toString('base64'),
    Version: '$LATEST',
    ...(environment === undefined ? {} : { Environment: { Variables: environment } }),
    TracingConfig: { Mode: prng.chance(0.3) ? 'Active' : 'PassThrough' },
    RevisionId: prng.uuid(),
    ...(layers === undefined ? {} : { Layers: layers }),
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: image ? 'Image' : 'Zip',
    Architectures: [architecture],
    EphemeralStorage: { Size: prng.chance(0.85) ? 512 : prng.pick([1024, 2048, 10240]) },
    SnapStart: snapStart
      ? { ApplyOn: 'PublishedVersions', OptimizationStatus: 'On' }
      : { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: jsonLogs
      ? {
          LogFormat: 'JSON',
          ApplicationLogLevel: 'INFO',
          SystemLogLevel: 'INFO',
          LogGroup: `/aws/lambda/${name}`,
        }
      : { LogFormat: 'Text', LogGroup: `/aws/lambda/${name}` },
  };
  return fn;
}
