import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { NAG_PLUGIN } from '../../infra/nag.ts';
import { TEST_CONTEXT } from './support/app.ts';

interface PluginReport {
  pluginName: string;
  conclusion: string;
  violations: { ruleName: string }[];
  suppressedViolations: {
    ruleName: string;
    acknowledgedId: string;
    acknowledgedAt: string;
    reason: string;
  }[];
}

/** Synthesizes the app (cdk-nag runs as a policy-validation plugin) and reads its validation report. */
function validate(config: unknown) {
  const { app } = buildApp({ config, context: TEST_CONTEXT });
  const assembly = app.synth();
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
    pluginReports: PluginReport[];
  };
  const acknowledgements = app.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as object).map((id) => `${construct.node.path} ${id}`)),
    );
  return { nag: report.pluginReports.find((plugin) => plugin.pluginName === NAG_PLUGIN), acknowledgements };
}

describe('cdk-nag AWS Solutions checks', () => {
  it.each([
    ['organization discovery', {}],
    [
      'a static account list without schedule',
      {
        targets: { source: 'accounts', accounts: ['111111111111'] },
        organizationId: 'o-abcdef1234',
        schedule: { enabled: false },
      },
    ],
    [
      'a central account, uncompressed reports that expire',
      { centralAccountId: '111111111111', reports: { compress: false, expireAfterDays: 400 } },
    ],
  ])('leave no unacknowledged finding with %s', (_, config) => {
    // Act
    const { nag } = validate(config);

    // Assess
    expect(nag?.conclusion).toBe('success');
    expect(nag?.violations).toEqual([]);
  });

  it('uses every acknowledgement, each with a reason', () => {
    // Act
    const { nag, acknowledgements } = validate({});
    const suppressed = nag?.suppressedViolations ?? [];

    // Assess
    const used = new Set(suppressed.map((finding) => `${finding.acknowledgedAt} ${finding.acknowledgedId}`));
    expect(acknowledgements.filter((acknowledgement) => !used.has(acknowledgement))).toEqual([]);
    expect(suppressed.length).toBeGreaterThan(0);
    for (const finding of suppressed) expect(finding.reason.length, finding.ruleName).toBeGreaterThan(40);
  });

  it('acknowledges findings on the policy resources they are about, never on a whole role or stack', () => {
    // Act
    const { nag } = validate({});

    // Assess
    const places = new Set((nag?.suppressedViolations ?? []).map((finding) => finding.acknowledgedAt));
    expect([...places].sort()).toEqual([
      'LambdaInventory/PlanRole/DefaultPolicy/Resource',
      'LambdaInventory/RecordFailureRole/DefaultPolicy/Resource',
      'LambdaInventory/ReduceRole/DefaultPolicy/Resource',
      'LambdaInventory/StateMachine/DistributedMapPolicy/Resource',
      'LambdaInventory/StateMachine/Role/DefaultPolicy/Resource',
      'LambdaInventory/WorkerRole/DefaultPolicy/Resource',
      'LambdaInventoryMemberRole/MemberRole',
    ]);
  });

  it('fails the synthesis on a finding nobody acknowledged', () => {
    // Prepare
    const { app, inventory } = buildApp({ config: {}, context: TEST_CONTEXT });
    inventory.reduce.addToRolePolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));

    // Act
    const synth = () => app.synth();

    // Assess
    expect(synth).toThrow(/AwsSolutions-IAM5\[Action::s3:\*\]/);
  });
});
