/**
 * Which state machine the operating commands (`start`, `status`, `runs`, `retry`, `redrive`) talk to,
 * and where its reports are: a deployed stack (its `StateMachineArn` and `BucketName` outputs), an
 * explicit state machine ARN and bucket, or a `serve` endpoint (`--endpoint-url`) whose reports are in
 * a local folder (`--out`). Parsing is pure; `connect` builds the clients once.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { ObjectStore } from '../../functions/shared/object-store.ts';
import { LOCAL_SERVICE_IDENTITY, stateMachineArn } from '../../local/serve/arns.ts';
import { localStore, type StoreSettings } from '../../local/stores.ts';
import type { OptionSpec, OptionValues } from '../options.ts';
import { UsageError } from '../usage-error.ts';

export const DEFAULT_STACK = 'LambdaInventory';
export const DEFAULT_OUT_DIR = './inventory-data';
/** The state machine `serve` runs (local/serve/arns.ts). */
export const SERVE_STATE_MACHINE_ARN = stateMachineArn(LOCAL_SERVICE_IDENTITY);

export const CONNECTION_FLAGS = {
  stack: { type: 'string' },
  'state-machine-arn': { type: 'string' },
  bucket: { type: 'string' },
  'endpoint-url': { type: 'string' },
  out: { type: 'string' },
} as const satisfies Record<string, OptionSpec>;

export const CONNECTION_HELP = `Which state machine (default: the outputs of the stack ${DEFAULT_STACK}):
  --stack <name>                 read StateMachineArn and BucketName from this CloudFormation stack
  --state-machine-arn <arn>      the state machine (with --bucket, or with --endpoint-url)
  --bucket <name>                the report bucket (with --endpoint-url: a serve --bucket run's)
  --endpoint-url <url>           a Step Functions endpoint, such as the one \`lambda-inventory serve\` prints
  --out <dir>                    with --endpoint-url: the report folder serve writes to (default ${DEFAULT_OUT_DIR})`;

export type Connection =
  | { kind: 'stack'; stack: string }
  | { kind: 'explicit'; stateMachineArn: string; bucket: string }
  | { kind: 'endpoint'; endpointUrl: string; stateMachineArn: string; reports: StoreSettings };

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

export function parseConnection(values: OptionValues<typeof CONNECTION_FLAGS>): Connection {
  const arn = values['state-machine-arn'];
  if (arn !== undefined && !STATE_MACHINE_ARN.test(arn)) {
    throw new UsageError(`--state-machine-arn: "${arn}" is not a state machine ARN`);
  }
  const endpointUrl = values['endpoint-url'];
  if (endpointUrl !== undefined) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(endpointUrl)) {
      throw new UsageError(
        `--endpoint-url: "${endpointUrl}" must be an http(s) URL such as http://127.0.0.1:8083`,
      );
    }
    if (values.stack !== undefined)
      throw new UsageError('--endpoint-url and --stack cannot be used together');
    if (values.bucket !== undefined && values.out !== undefined) {
      throw new UsageError('--out and --bucket cannot be used together: the reports are in one place');
    }
    return {
      kind: 'endpoint',
      endpointUrl: endpointUrl.replace(/\/$/, ''),
      stateMachineArn: arn ?? SERVE_STATE_MACHINE_ARN,
      reports:
        values.bucket !== undefined ? { bucket: values.bucket } : { folder: values.out ?? DEFAULT_OUT_DIR },
    };
  }
  if (values.out !== undefined) throw new UsageError("--out needs --endpoint-url (a serve run's folder)");
  if (arn !== undefined || values.bucket !== undefined) {
    if (values.stack !== undefined) {
      throw new UsageError('--stack and --state-machine-arn/--bucket cannot be used together');
    }
    if (arn === undefined) throw new UsageError('--bucket needs --state-machine-arn');
    if (values.bucket === undefined) throw new UsageError('--state-machine-arn needs --bucket');
    return { kind: 'explicit', stateMachineArn: arn, bucket: values.bucket };
  }
  return { kind: 'stack', stack: values.stack ?? DEFAULT_STACK };
}

/** The clients and locations a command works with. */
export interface Connected {
  sfn: SFNClient;
  stateMachineArn: string;
  store: ObjectStore;
  close(): void;
}

/** The region of a Step Functions ARN (`arn:aws:states:<region>:...`). */
export function regionOfArn(arn: string): string {
  const region = arn.split(':')[3];
  if (!region) throw new UsageError(`"${arn}" is not an ARN`);
  return region;
}

export async function connect(connection: Connection): Promise<Connected> {
  if (connection.kind === 'endpoint') {
    const sfn = new SFNClient({
      endpoint: connection.endpointUrl,
      region: regionOfArn(connection.stateMachineArn),
      // serve does not authenticate; a real AWS-compatible endpoint gets the user's own credentials
      ...(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE
        ? {}
        : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    });
    return {
      sfn,
      stateMachineArn: connection.stateMachineArn,
      store: localStore(connection.reports),
      close: () => sfn.destroy(),
    };
  }
  const { stateMachineArn, bucket } =
    connection.kind === 'explicit' ? connection : await stackOutputs(connection.stack);
  const region = regionOfArn(stateMachineArn);
  const sfn = new SFNClient({ region });
  return {
    sfn,
    stateMachineArn,
    store: localStore({ bucket, region }),
    close: () => sfn.destroy(),
  };
}

/** The central stack's outputs, with the SDK's own credentials and region settings. */
export async function stackOutputs(
  stack: string,
  cloudFormation: CloudFormationClient = new CloudFormationClient({}),
): Promise<{ stateMachineArn: string; bucket: string }> {
  try {
    const { Stacks = [] } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs = new Map(
      (Stacks[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
    );
    const stateMachineArn = outputs.get('StateMachineArn');
    const bucket = outputs.get('BucketName');
    if (!stateMachineArn || !bucket) {
      throw new UsageError(
        `--stack ${stack}: the stack has no StateMachineArn and BucketName outputs (is it the central stack?)`,
      );
    }
    return { stateMachineArn, bucket };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--stack ${stack}: cannot read the stack's outputs: ${(error as Error).message}`);
  } finally {
    cloudFormation.destroy();
  }
}

/** An execution given by ARN, or by name (an execution of the connected state machine). */
export function executionArnOf(execution: string, stateMachineArn: string): string {
  if (execution.startsWith('arn:')) return execution;
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${execution}`;
}

/** Step Functions' answers to a request that names something wrong: bad input (exit 2), not a failed run. */
const INPUT_ERRORS = new Set([
  'InvalidArn',
  'InvalidName',
  'InvalidExecutionInput',
  'ExecutionDoesNotExist',
  'ExecutionAlreadyExists',
  'ExecutionNotRedrivable',
  'StateMachineDoesNotExist',
  'ValidationException',
]);

export async function request<T>(what: string, operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    const { name, message } = error as Error;
    if (INPUT_ERRORS.has(name)) throw new UsageError(`${what}: ${name}: ${message}`);
    throw error;
  }
}
