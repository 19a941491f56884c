/**
 * The CDK app: `LambdaInventory` (central stack) and `LambdaInventoryMemberRole` (the member-account
 * role, also available as plain CloudFormation in infra/policy/template.yaml), both built from the
 * same `inventory` configuration (see config.ts) and checked by cdk-nag's AWS Solutions rules at synth.
 *
 * The member role must trust exactly the worker role the central stack creates, so both stacks read
 * their settings from one configuration, and the member stack refuses to synthesize without one:
 * falling back to the defaults would silently drop a configured `aws:PrincipalOrgID` condition or
 * trust a worker role name that does not exist. With `centralAccountId` in the configuration, the
 * central stack deploys only to that account and the member stack trusts that account.
 *
 * `buildApp` is shared by `cdk synth` (this file's entry point), the tests and the local engine.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Annotations, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseInventoryConfig } from '../shared/config.ts';
import { CONFIG_CONTEXT_KEY, loadInventoryConfig } from './config.ts';
import { InventoryStack } from './inventory-stack.ts';
import { MemberRoleStack } from './member-role-stack.ts';

export const INVENTORY_STACK_NAME = 'LambdaInventory';
export const MEMBER_ROLE_STACK_NAME = 'LambdaInventoryMemberRole';

/** Feature flags the app cannot do without, whoever builds it (cdk.json, tests, the local engine). */
export const REQUIRED_CONTEXT: Record<string, unknown> = {
  // without it CDK silently drops the Distributed Map's ResultWriterV2
  '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2': true,
  // access logs delivered under a bucket policy, so the log bucket can keep ACLs disabled
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

export interface BuildAppOptions {
  /** The raw `inventory` configuration; when absent it is read from the app's context. */
  readonly config?: unknown;
  /** Extra context, for example `{ 'aws:cdk:bundling-stacks': [] }` to skip bundling. */
  readonly context?: Record<string, unknown>;
  /** Where the cloud assembly goes (default: CDK's, `cdk.out` under the CLI or a temporary folder). */
  readonly outdir?: string;
}

export interface InventoryApp {
  readonly app: App;
  readonly inventory: InventoryStack;
  readonly member: MemberRoleStack;
}

export function buildApp(options: BuildAppOptions = {}): InventoryApp {
  const app = new App({ context: { ...REQUIRED_CONTEXT, ...options.context }, outdir: options.outdir });
  const configGiven =
    options.config !== undefined || app.node.tryGetContext(CONFIG_CONTEXT_KEY) !== undefined;
  const config =
    options.config === undefined ? loadInventoryConfig(app) : parseInventoryConfig(options.config);

  const inventory = new InventoryStack(app, INVENTORY_STACK_NAME, {
    config,
    // CDK refuses to deploy a stack to another account than its environment's
    env: config.centralAccountId === undefined ? undefined : { account: config.centralAccountId },
    description:
      'lambda-inventory: inventories the Lambda functions of every account and region of an organization',
  });
  const member = new MemberRoleStack(app, MEMBER_ROLE_STACK_NAME, {
    centralAccountId: config.centralAccountId,
    workerRoleName: config.workerRoleName,
    memberRoleName: config.memberRoleName,
    organizationId: config.organizationId,
  });
  if (!configGiven) {
    // an error annotation stops `cdk deploy` and `cdk synth` of this stack only: the central stack
    // still deploys with the defaults
    Annotations.of(member).addError(
      `${MEMBER_ROLE_STACK_NAME} needs the configuration the central stack was deployed with: ` +
        `pass it with -c ${CONFIG_CONTEXT_KEY}=<file or JSON> (-c ${CONFIG_CONTEXT_KEY}='{}' for the defaults); ` +
        'without it the member role would trust the default worker role name without the organization condition',
    );
  }

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, inventory, member };
}

const isEntryPoint =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isEntryPoint) buildApp().app.synth();
