/**
 * The CDK app: `LambdaInventory` (central stack) and `LambdaInventoryMemberRole` (the member-account
 * role, also available as plain CloudFormation in infra/policy/template.yaml), both built from the
 * `inventory` configuration (see config.ts) and checked by cdk-nag's AWS Solutions rules at synth.
 *
 * `buildApp` is shared by `cdk synth` (this file's entry point), the tests and the local engine.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseInventoryConfig } from '../shared/config.ts';
import { loadInventoryConfig } from './config.ts';
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
  const config =
    options.config === undefined ? loadInventoryConfig(app) : parseInventoryConfig(options.config);

  const inventory = new InventoryStack(app, INVENTORY_STACK_NAME, {
    config,
    description:
      'lambda-inventory: inventories the Lambda functions of every account and region of an organization',
  });
  const member = new MemberRoleStack(app, MEMBER_ROLE_STACK_NAME, {
    workerRoleName: config.workerRoleName,
    memberRoleName: config.memberRoleName,
    organizationId: config.organizationId,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, inventory, member };
}

const isEntryPoint =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isEntryPoint) buildApp().app.synth();
