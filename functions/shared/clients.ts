/**
 * The one place SDK clients are built, with the project's retry and timeout settings. Cores receive
 * clients as parameters; nothing else calls `new XClient()`.
 *
 * Endpoints come from the SDK's own settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), so the
 * same code runs against AWS or any AWS-compatible endpoint; a caller that knows the endpoint (the
 * CLI's simulated runs) passes it instead.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  LambdaClient,
  type LambdaClientConfig,
  type LambdaClientResolvedConfig,
} from '@aws-sdk/client-lambda';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, RetryErrorInfo, RetryStrategyV2, RetryToken } from '@aws-sdk/types';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type JsonCodec, ListFunctionsCodec } from './list-functions-decoding.ts';

const DEFAULT_MAX_ATTEMPTS = 5;

const TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 30_000 } as const;

const requestHandler = () => new NodeHttpHandler(TIMEOUTS);

/**
 * Keep-alive sockets per endpoint (one per region in AWS, one in all for the simulator) shared by
 * every Lambda client of the process. A worker lists at most its region concurrency at once; a local
 * run, up to its Map concurrency times that against one simulator endpoint.
 */
export const LAMBDA_MAX_SOCKETS = 128;

let lambdaConnections: NodeHttpHandler | undefined;

/**
 * The process's Lambda connection pool, lent to each client: the worker builds a client per target
 * (its credentials are the account's) and destroys it after the target, which must not close the
 * sockets other targets are using or will reuse. Idle keep-alive sockets do not hold the process open.
 */
class SharedLambdaConnections {
  readonly metadata = { handlerProtocol: 'http/1.1' };

  private get pool(): NodeHttpHandler {
    lambdaConnections ??= new NodeHttpHandler({
      ...TIMEOUTS,
      httpAgent: { keepAlive: true, maxSockets: LAMBDA_MAX_SOCKETS },
      httpsAgent: { keepAlive: true, maxSockets: LAMBDA_MAX_SOCKETS },
    });
    return lambdaConnections;
  }

  handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    return this.pool.handle(...args);
  }

  updateHttpClientConfig(
    ...args: Parameters<NodeHttpHandler['updateHttpClientConfig']>
  ): ReturnType<NodeHttpHandler['updateHttpClientConfig']> {
    return this.pool.updateHttpClientConfig(...args);
  }

  httpHandlerConfigs(): ReturnType<NodeHttpHandler['httpHandlerConfigs']> {
    return this.pool.httpHandlerConfigs();
  }

  /** Destroying one client leaves the shared pool open. */
  destroy(): void {}
}

/** Closes the shared Lambda connections (idle ones close by themselves): for a caller that must end now. */
export function closeLambdaConnections(): void {
  lambdaConnections?.destroy();
  lambdaConnections = undefined;
}

/** Full-jitter exponential backoff for transient failures: 100 ms, 200 ms, 400 ms... at most 5 s. */
const TRANSIENT_BACKOFF_BASE_MS = 100;
const TRANSIENT_BACKOFF_CAP_MS = 5_000;

/**
 * Retries transient failures (5xx, resets, timeouts) and nothing else: a throttle is returned to the
 * caller at once, which paces its calls and retries throttles within a time budget
 * (functions/worker/pacing.ts). SDK retries of throttles would bypass that pace and that budget.
 */
export class TransientRetryStrategy implements RetryStrategyV2 {
  readonly mode = 'standard';

  constructor(
    readonly maxAttempts: number,
    private readonly random: () => number = Math.random,
  ) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return retryToken(0, 0);
  }

  async refreshRetryTokenForRetry(token: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const retries = token.getRetryCount();
    if (errorInfo.errorType !== 'TRANSIENT' || retries + 1 >= this.maxAttempts) {
      // the SDK then throws the request's own error
      throw new Error('no retry for this error');
    }
    const bound = Math.min(TRANSIENT_BACKOFF_CAP_MS, TRANSIENT_BACKOFF_BASE_MS * 2 ** retries);
    return retryToken(retries + 1, Math.floor(this.random() * bound));
  }

  recordSuccess(): void {}
}

function retryToken(count: number, delay: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => delay };
}

export interface ClientOptions {
  /**
   * Where requests go, for callers that know it (the CLI's simulated runs), instead of a process-wide
   * endpoint variable.
   * @default - the SDK's endpoint settings, else AWS
   */
  endpoint?: string;
}

/** The settings a Lambda client reads from the environment and the shared config files. */
type EnvironmentSettings = Pick<
  LambdaClientResolvedConfig,
  'useFipsEndpoint' | 'useDualstackEndpoint' | 'userAgentAppId' | 'authSchemePreference' | 'defaultsMode'
>;

/** What every per-target Lambda client is built from, read once per process from one client of its own. */
interface LambdaTemplate {
  environment: EnvironmentSettings;
  /** The SDK's protocol settings and JSON codec; null when its protocol does not offer the codec. */
  protocol: { settings: LambdaClientResolvedConfig['protocolSettings']; codec: JsonCodec } | null;
}

let template: LambdaTemplate | undefined;

/**
 * The environment's settings (AWS_USE_FIPS_ENDPOINT, AWS_SDK_UA_APP_ID ... or their shared config file
 * entries), as the providers of one client the process keeps: each resolves once and remembers its
 * value. A client built per target would otherwise run every provider chain again, and each link that
 * finds nothing throws an error (a CPU profile of a 3,400-target run had them among its top frames).
 */
function lambdaTemplate(): LambdaTemplate {
  if (!template) {
    const { config } = new LambdaClient({ region: 'us-east-1' });
    template = {
      environment: {
        useFipsEndpoint: config.useFipsEndpoint,
        useDualstackEndpoint: config.useDualstackEndpoint,
        userAgentAppId: config.userAgentAppId,
        authSchemePreference: config.authSchemePreference,
        defaultsMode: config.defaultsMode,
      },
      protocol: sdkProtocol(config),
    };
  }
  return template;
}

function sdkProtocol(config: LambdaClientResolvedConfig): LambdaTemplate['protocol'] {
  const protocol: unknown = config.protocol;
  const getPayloadCodec = (protocol as { getPayloadCodec?: () => unknown } | null)?.getPayloadCodec;
  if (typeof getPayloadCodec !== 'function') return null;
  const codec = getPayloadCodec.call(protocol) as Partial<JsonCodec> | undefined;
  if (typeof codec?.createDeserializer !== 'function' || typeof codec.createSerializer !== 'function') {
    return null;
  }
  return { settings: config.protocolSettings, codec: codec as JsonCodec };
}

/** ListFunctions pages decoded without the SDK's second pass over them (list-functions-decoding.ts). */
function lighterDecoding({ protocol }: LambdaTemplate): Pick<LambdaClientConfig, 'protocolSettings'> {
  if (!protocol) return {};
  return { protocolSettings: { ...protocol.settings, jsonCodec: new ListFunctionsCodec(protocol.codec) } };
}

/**
 * What the SDK's lookup of a configured endpoint reads (AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL, or
 * the profile's `services` section, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile says to
 * ignore them): a change to any of them (a benchmark's second simulator) calls for a new lookup.
 */
const ENDPOINT_INPUTS = [
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_ENDPOINT_URL_LAMBDA',
  'AWS_ENDPOINT_URL',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'HOME',
] as const;

/** The process's configured Lambda endpoint, for the inputs it was looked up with; null: none. */
let configuredEndpoint: { inputs: string; endpoint?: string | null } | undefined;

/**
 * The configured endpoint, as the SDK looks it up for a client: once per process (and again when its
 * inputs change) instead of at each client's first request, where its provider chains and the errors
 * each empty link throws took about 5% of the engine thread in a 3,400-target run. Undefined until the
 * first lookup has ended (and when the SDK offers none): clients built meanwhile look it up themselves.
 */
function knownConfiguredEndpoint():
  | { endpoint: string }
  | { ignoreConfiguredEndpointUrls: true }
  | undefined {
  const inputs = ENDPOINT_INPUTS.map((name) => process.env[name] ?? '').join('\n');
  if (configuredEndpoint?.inputs !== inputs) {
    const entry: NonNullable<typeof configuredEndpoint> = { inputs };
    configuredEndpoint = entry;
    // the SDK's own lookup (the provider its clients call before their first request)
    const lookUp = new LambdaClient({ region: 'us-east-1' }).config.serviceConfiguredEndpoint;
    if (typeof lookUp !== 'function') return undefined;
    lookUp().then(
      (endpoint) => {
        entry.endpoint = endpoint ?? null;
      },
      () => {
        // left to each client, which then reports the error itself
      },
    );
  }
  const { endpoint } = configuredEndpoint;
  if (endpoint === undefined) return undefined;
  // none configured: each client would look again and find none
  return endpoint === null ? { ignoreConfiguredEndpointUrls: true } : { endpoint };
}

/**
 * A client for one target (region and the account's credentials). Clients share the process's
 * keep-alive connections, so building one per target costs no new TCP or TLS handshake, and the
 * settings read from the environment and the configured endpoint, so it costs no provider chains
 * either. They decode ListFunctions pages in one pass (list-functions-decoding.ts).
 */
export function lambdaClient(
  region: string,
  credentials: AwsCredentialIdentity,
  options: ClientOptions = {},
): LambdaClient {
  const shared = lambdaTemplate();
  return new LambdaClient({
    ...shared.environment,
    ...lighterDecoding(shared),
    ...(options.endpoint ? { endpoint: options.endpoint } : knownConfiguredEndpoint()),
    region,
    credentials,
    retryStrategy: new TransientRetryStrategy(DEFAULT_MAX_ATTEMPTS),
    // the strategy above decides retries; without these two, every client would still run their
    // provider chains (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE, the config file), maxAttempts at its first request
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: new SharedLambdaConnections(),
    // the worker sends a page command several times on one client: resolve its middleware once
    cacheMiddleware: true,
  });
}

/**
 * Credentials default to the SDK's provider chain; the CLI passes them explicitly only for the
 * central account's calls when it runs against the simulator, so S3 keeps the user's own. Its
 * AssumeRole throttles are paced by the worker, like ListFunctions'.
 */
export function stsClient(
  region?: string,
  credentials?: AwsCredentialIdentity,
  options: ClientOptions = {},
): STSClient {
  return new STSClient({
    region: region ?? process.env.AWS_REGION ?? 'us-east-1',
    credentials,
    endpoint: options.endpoint,
    retryStrategy: new TransientRetryStrategy(DEFAULT_MAX_ATTEMPTS),
    requestHandler: requestHandler(),
  });
}

export function organizationsClient(
  credentials?: AwsCredentialIdentity,
  options: ClientOptions = {},
): OrganizationsClient {
  // Organizations is a global service served from us-east-1
  return new OrganizationsClient({
    region: 'us-east-1',
    credentials,
    endpoint: options.endpoint,
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    requestHandler: requestHandler(),
  });
}

export function s3Client(region?: string): S3Client {
  return new S3Client({
    region: region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    // a report bucket (`--bucket`) may live in another region than the one the caller is configured for
    followRegionRedirects: true,
    requestHandler: requestHandler(),
  });
}

export function sfnClient(region?: string): SFNClient {
  return new SFNClient({
    region: region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    requestHandler: requestHandler(),
  });
}

/** Reduce's completion event goes to a bus of its own region. */
export function eventBridgeClient(region?: string): EventBridgeClient {
  return new EventBridgeClient({
    region: region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    requestHandler: requestHandler(),
  });
}

export function snsClient(region?: string): SNSClient {
  return new SNSClient({
    region: region ?? process.env.AWS_REGION ?? 'us-east-1',
    maxAttempts: DEFAULT_MAX_ATTEMPTS,
    requestHandler: requestHandler(),
  });
}
