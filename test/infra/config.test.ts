import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadInventoryConfig } from '../../infra/config.ts';
import { parseInventoryConfig, planSettingsVariable } from '../../shared/config.ts';
import { DEFAULT_REGIONS } from '../../shared/contracts.ts';
import { synthesize, TEST_CONTEXT } from './support/app.ts';

const accounts = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: String(100000000000 + index),
    name: `account-${index}`,
  }));

describe('parseInventoryConfig', () => {
  it('applies every default to an empty configuration', () => {
    // Act
    const config = parseInventoryConfig(undefined);

    // Assess
    expect(config).toEqual({
      targets: { source: 'organization', includeOus: [], excludeOus: [], excludeAccounts: [] },
      regions: [...DEFAULT_REGIONS],
      memberRoleName: 'CrossAccountListFunctionsRole',
      workerRoleName: 'lambda-inventory-worker',
      map: { maxConcurrency: 40, batchSize: 20, toleratedFailurePercentage: 10 },
      schedule: { enabled: true, expression: 'cron(0 3 * * ? *)', timezone: 'UTC' },
      reports: { compress: true, storageClass: 'GLACIER_IR', transitionAfterDays: 30, expireAfterDays: null },
      notifications: { emails: [] },
      alarms: { minCoveragePercent: 95, maxHoursWithoutSuccess: 26 },
      runsExpirationDays: 14,
      logRetentionDays: 90,
    });
  });

  it('keeps given values and fills the rest of a partial section', () => {
    // Act
    const config = parseInventoryConfig({
      targets: { source: 'accounts', accounts: ['111111111111', { id: '222222222222', name: 'prod' }] },
      regions: ['eu-west-1'],
      organizationId: 'o-abcdef1234',
      map: { batchSize: 5 },
      schedule: { timezone: 'Europe/Berlin', expression: 'rate(12 hours)' },
    });

    // Assess
    expect(config.targets).toEqual({
      source: 'accounts',
      accounts: [{ id: '111111111111' }, { id: '222222222222', name: 'prod' }],
    });
    expect(config.map).toEqual({ maxConcurrency: 40, batchSize: 5, toleratedFailurePercentage: 10 });
    expect(config.schedule).toEqual({
      enabled: true,
      expression: 'rate(12 hours)',
      timezone: 'Europe/Berlin',
    });
    expect(config.organizationId).toBe('o-abcdef1234');
  });

  it('names the field in the message it throws for a value out of range', () => {
    // Act
    const parse = () => parseInventoryConfig({ map: { maxConcurrency: 10_001 } });

    // Assess
    expect(parse).toThrow(
      'invalid inventory config: map.maxConcurrency: Too big: expected number to be <=10000',
    );
  });

  it.each([
    ['map.maxConcurrency', { map: { maxConcurrency: 0 } }],
    ['map.batchSize', { map: { batchSize: 201 } }],
    ['map.batchSize', { map: { batchSize: 2.5 } }],
    ['map.toleratedFailurePercentage', { map: { toleratedFailurePercentage: 101 } }],
    ['regions', { regions: [] }],
    ['regions', { regions: ['eu-west-1', 'eu-west-1'] }],
    ['regions.1', { regions: ['eu-west-1', 'mars-north-1'] }],
    ['targets.accounts', { targets: { source: 'accounts', accounts: [] } }],
    ['targets.accounts.0', { targets: { source: 'accounts', accounts: ['12345'] } }],
    ['targets.source', { targets: { source: 'everything' } }],
    ['targets.includeOus.0', { targets: { source: 'organization', includeOus: ['finance'] } }],
    ['memberRoleName', { memberRoleName: 'role with spaces' }],
    ['workerRoleName', { workerRoleName: 'w'.repeat(65) }],
    ['organizationId', { organizationId: 'org-1' }],
    ['centralAccountId', { centralAccountId: '12345' }],
    ['schedule.enabled', { schedule: { enabled: 'yes' } }],
    ['schedule.expression', { schedule: { expression: 'every night at three' } }],
    ['schedule.expression', { schedule: { expression: 'cron(0 3 * * ?)' } }],
    ['schedule.expression', { schedule: { expression: 'at(2030-01-01T03:00:00)' } }],
    ['schedule.timezone', { schedule: { timezone: 'Mars/Olympus_Mons' } }],
    ['runsExpirationDays', { runsExpirationDays: 0 }],
    ['logRetentionDays', { logRetentionDays: 10 }],
    ['logRetentionDays', { logRetentionDays: 9999 }],
    ['reports.compress', { reports: { compress: 'yes' } }],
    ['reports.storageClass', { reports: { storageClass: 'DEEP_ARCHIVE' } }],
    ['reports.transitionAfterDays', { reports: { storageClass: 'STANDARD_IA', transitionAfterDays: 7 } }],
    ['reports.expireAfterDays', { reports: { transitionAfterDays: 30, expireAfterDays: 30 } }],
    ['notifications.emails.1', { notifications: { emails: ['ops@example.com', 'ops at example.com'] } }],
    ['alarms.minCoveragePercent', { alarms: { minCoveragePercent: 100.5 } }],
    ['alarms.maxHoursWithoutSuccess', { alarms: { maxHoursWithoutSuccess: 169 } }],
    ['alarms.maxHoursWithoutSuccess', { alarms: { maxHoursWithoutSuccess: 25.5 } }],
  ])('rejects a bad %s', (field, raw) => {
    // Act
    const parse = () => parseInventoryConfig(raw);

    // Assess
    expect(parse).toThrow(new RegExp(`^invalid inventory config: (.*; )?${field.replaceAll('.', '\\.')}: `));
  });

  it('rejects a field it does not know, naming it', () => {
    // Act
    const parse = () => parseInventoryConfig({ map: { concurrency: 10 } });

    // Assess
    expect(parse).toThrow(/invalid inventory config: map: .*"concurrency"/);
  });
});

describe('loadInventoryConfig', () => {
  it('reads the configuration object from the inventory context key', () => {
    // Prepare
    const app = new App({ context: { ...TEST_CONTEXT, inventory: { regions: ['eu-north-1'] } } });

    // Act
    const config = loadInventoryConfig(app);

    // Assess
    expect(config.regions).toEqual(['eu-north-1']);
  });

  it('reads a JSON file when the context value is a path', () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'inventory-config-')), 'inventory.config.json');
    writeFileSync(file, JSON.stringify({ map: { maxConcurrency: 100 } }));
    const app = new App({ context: { ...TEST_CONTEXT, inventory: file } });

    // Act
    const config = loadInventoryConfig(app);

    // Assess
    expect(config.map.maxConcurrency).toBe(100);
  });

  it("reads inline JSON given on the command line (-c inventory='{...}')", () => {
    // Prepare
    const app = new App({
      context: { ...TEST_CONTEXT, inventory: ' {"regions":["eu-west-3"],"map":{"batchSize":5}}' },
    });

    // Act
    const config = loadInventoryConfig(app);

    // Assess
    expect(config.regions).toEqual(['eu-west-3']);
    expect(config.map.batchSize).toBe(5);
  });

  it('says inline JSON is malformed rather than looking for a file of that name', () => {
    // Prepare
    const app = new App({ context: { ...TEST_CONTEXT, inventory: '{"regions": [' } });

    // Act
    const load = () => loadInventoryConfig(app);

    // Assess
    expect(load).toThrow(/^inline inventory config is not valid JSON: /);
  });

  it('names the file when its content is invalid', () => {
    // Prepare
    const file = join(mkdtempSync(join(tmpdir(), 'inventory-config-')), 'inventory.config.json');
    writeFileSync(file, JSON.stringify({ runsExpirationDays: -1 }));
    const app = new App({ context: { ...TEST_CONTEXT, inventory: file } });

    // Act
    const load = () => loadInventoryConfig(app);

    // Assess
    expect(load).toThrow(`runsExpirationDays: Too small: expected number to be >=1 (in ${file})`);
  });

  it('names the file when it cannot be read', () => {
    // Prepare
    const file = join(tmpdir(), 'no-such-dir-for-inventory', 'inventory.config.json');
    const app = new App({ context: { ...TEST_CONTEXT, inventory: file } });

    // Act
    const load = () => loadInventoryConfig(app);

    // Assess
    expect(load).toThrow(`cannot read inventory config file ${file}`);
  });
});

describe('schedule configuration', () => {
  it('creates no schedule when the schedule is disabled', () => {
    // Act
    const { inventoryTemplate, inventory } = synthesize({ schedule: { enabled: false } });

    // Assess
    expect(inventory.schedule).toBeUndefined();
    expect(inventoryTemplate.findResources('AWS::Scheduler::Schedule')).toEqual({});
  });

  it('starts the state machine with an empty input on the configured cron and time zone', () => {
    // Act
    const { inventoryTemplate, inventory } = synthesize({
      schedule: { expression: 'cron(30 1 ? * MON-FRI *)', timezone: 'Europe/Berlin' },
    });

    // Assess
    inventoryTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 1 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { Ref: inventory.getLogicalId(inventory.stateMachine.node.defaultChild as never) },
        Input: '{}',
      }),
    });
  });
});

describe('the plan settings environment variable', () => {
  const manyAccounts = { targets: { source: 'accounts', accounts: accounts(200) } };

  it('accepts a long static account list for a local run, where no environment limit applies', () => {
    expect(parseInventoryConfig(manyAccounts).targets).toMatchObject({ source: 'accounts' });
  });

  it('stops a deployment whose settings do not fit in the function environment, naming the field', () => {
    expect(() => planSettingsVariable(parseInventoryConfig(manyAccounts))).toThrow(
      /invalid inventory config: targets: .* more than the 3072 that fit/,
    );
    expect(() => synthesize(manyAccounts)).toThrow(/targets: .*use organization discovery/);
  });

  it('serialises the settings the plan parses', () => {
    const config = parseInventoryConfig({ regions: ['eu-west-1'], map: { batchSize: 4 } });

    expect(JSON.parse(planSettingsVariable(config))).toEqual({
      targets: { source: 'organization', includeOus: [], excludeOus: [], excludeAccounts: [] },
      regions: ['eu-west-1'],
      batchSize: 4,
    });
  });
});
