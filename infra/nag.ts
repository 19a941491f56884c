/**
 * cdk-nag (AWS Solutions rules) acknowledgements. They go through CDK's own `Validations` API with
 * the plugin's namespace, so each acknowledged finding is listed with its reason under
 * `suppressedViolations` in `cdk.out/validation-report.json`: an audit trail that a test also reads.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The policy-validation plugin name of cdk-nag's `AwsSolutionsChecks`. */
export const NAG_PLUGIN = 'AwsSolutions';

/**
 * Acknowledges one AWS Solutions finding on `scope` (and everything below it). `finding` is the
 * rule and, for IAM4/IAM5, the finding itself: `IAM5[Resource::*]`.
 */
export function acknowledgeNag(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${NAG_PLUGIN}::${NAG_PLUGIN}-${finding}`, reason });
}
