/**
 * The plan function, with its environment and its permissions set together: it writes the run's
 * targets and skipped-accounts files and, with Organizations discovery, reads the organization.
 */
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type InventoryConfig, planSettingsVariable } from '../../shared/config.ts';
import { ENV } from '../../shared/env.ts';
import { objectPattern } from '../../shared/keys.ts';
import { handlerEntry, NodeFunction } from './node-function.ts';
import type { ReportBucket } from './report-bucket.ts';

/** The Organizations calls functions/plan/organizations.ts makes, and no other. */
export const ORGANIZATIONS_READ_ACTIONS = [
  'organizations:ListAccounts',
  'organizations:ListAccountsForParent',
  'organizations:ListOrganizationalUnitsForParent',
];

export interface PlanFunctionProps {
  readonly bucket: ReportBucket;
  readonly config: InventoryConfig;
}

export class PlanFunction extends NodeFunction {
  constructor(scope: Construct, id: string, { bucket, config }: PlanFunctionProps) {
    super(scope, id, {
      entry: handlerEntry('plan'),
      serviceName: 'plan',
      description: 'Resolves the accounts x regions to scan and writes the targets file',
      // Organizations pages 20 accounts at a time and throttles: thousands of accounts take minutes
      memorySize: 512,
      timeout: Duration.minutes(5),
      // config.ts admits only the values CloudWatch Logs accepts
      logRetention: config.logRetentionDays as RetentionDays,
      environment: {
        [ENV.bucketName]: bucket.bucketName,
        [ENV.planSettings]: planSettingsVariable(config),
      },
    });
    bucket.grantObjects(this, ['s3:PutObject'], [objectPattern('targets'), objectPattern('skipped')]);
    if (config.targets.source === 'organization') {
      // Organizations supports no resource-level permissions for these list calls
      this.addToRolePolicy(new PolicyStatement({ actions: ORGANIZATIONS_READ_ACTIONS, resources: ['*'] }));
    }
  }
}
