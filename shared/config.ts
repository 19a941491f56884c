/**
 * Deployment configuration: one typed, validated object that every stack reads.
 *
 * Where it comes from: the CDK context key `inventory` (infra/config.ts) or the CLI's `--config`,
 * as an object in `cdk.json`, inline JSON, or the path of a JSON file holding that object. This
 * module imports no aws-cdk-lib, so that the CLI can read a configuration without loading CDK.
 * Without it, every field takes its default: discover the whole organization, scan the 17 regions
 * enabled by default, run nightly at 03:00 UTC.
 *
 * Example (`inventory.config.json`):
 * ```json
 * {
 *   "targets": { "source": "organization", "excludeOus": ["ou-ab12-cdefgh34"] },
 *   "regions": ["eu-west-1", "eu-central-1", "us-east-1"],
 *   "organizationId": "o-abcdef1234",
 *   "map": { "maxConcurrency": 40, "batchSize": 20, "toleratedFailurePercentage": 10 },
 *   "schedule": { "enabled": true, "expression": "cron(0 3 * * ? *)", "timezone": "Europe/Berlin" },
 *   "reports": { "compress": true, "storageClass": "GLACIER_IR", "transitionAfterDays": 30 },
 *   "runsExpirationDays": 14,
 *   "logRetentionDays": 90
 * }
 * ```
 * A bad value stops `cdk synth` with a message naming the field, for example
 * `invalid inventory config: map.maxConcurrency: Too big: expected number to be <=10000`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AccountId,
  DEFAULT_MEMBER_ROLE_NAME,
  DEFAULT_REGIONS,
  formatIssues,
  OrganizationId,
  PlanSettings,
  RoleName,
} from './contracts.ts';
import * as z from './zod.ts';

/** The worker's execution role name: fixed, so member roles can name it in their trust policy. */
export const DEFAULT_WORKER_ROLE_NAME = 'lambda-inventory-worker';

/**
 * The plan settings travel in one Lambda environment variable, and Lambda allows 4 KB for all of a
 * function's variables together: a long static account list belongs in Organizations discovery.
 */
export const PLAN_SETTINGS_MAX_BYTES = 3_072;

/**
 * Retention periods CloudWatch Logs accepts (PutRetentionPolicy), never-expire excluded: logs must
 * not grow forever. Kept here rather than read from aws-cdk-lib so that the CLI never loads CDK.
 */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const ScheduleExpression = z
  .string()
  .check(
    z.regex(
      /^(cron\(\S+( \S+){5}\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/,
      'must be a cron(...) expression with 6 fields or a rate(...) expression',
    ),
  );

const TimeZone = z.string().check(
  z.refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as UTC or Europe/Berlin'),
);

/** S3 storage classes a lifecycle rule can move reports to (all readable without a restore). */
export const REPORT_STORAGE_CLASSES = [
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER_IR',
] as const;

export const InventoryConfig = z.strictObject({
  /** Which accounts to scan: a static list, or Organizations discovery (default: the whole organization). */
  targets: z.prefault(PlanSettings.shape.targets, { source: 'organization' }),
  regions: z._default(PlanSettings.shape.regions, () => [...DEFAULT_REGIONS]),
  /** The role the worker assumes in every member account. */
  memberRoleName: z._default(RoleName, DEFAULT_MEMBER_ROLE_NAME),
  /** The worker's own role name in the central account. */
  workerRoleName: z._default(RoleName, DEFAULT_WORKER_ROLE_NAME),
  /** When set, member roles also require the caller to belong to this organization. */
  organizationId: z.optional(OrganizationId),
  /**
   * The account the central stack is deployed to. When set, the central stack deploys only there and
   * the CDK member stack trusts that account's worker role, with no CentralAccountId parameter to mistype.
   */
  centralAccountId: z.optional(AccountId),
  map: z.prefault(
    z.strictObject({
      maxConcurrency: z._default(z.int().check(z.minimum(1), z.maximum(10_000)), 40),
      batchSize: PlanSettings.shape.batchSize,
      toleratedFailurePercentage: z._default(z.number().check(z.minimum(0), z.maximum(100)), 10),
    }),
    {},
  ),
  schedule: z.prefault(
    z.strictObject({
      enabled: z._default(z.boolean(), true),
      expression: z._default(ScheduleExpression, 'cron(0 3 * * ? *)'),
      timezone: z._default(TimeZone, 'UTC'),
    }),
    {},
  ),
  /**
   * Report storage. At 400,000 functions a run writes about 475 MB of plain JSON and CSV; gzip
   * cuts that about tenfold, and a lifecycle rule moves older reports to a cheaper storage class.
   */
  reports: z.prefault(
    z
      .strictObject({
        /** Write the large files (inventory.json, inventory.csv) gzip-compressed, as `.gz` objects. */
        compress: z._default(z.boolean(), true),
        /**
         * Storage class older reports move to. GLACIER_IR keeps millisecond reads (the CLI can still
         * open any report) at about a sixth of the STANDARD price.
         */
        storageClass: z._default(z.enum(REPORT_STORAGE_CLASSES), 'GLACIER_IR'),
        /** Days after which a report moves to `storageClass`; null keeps reports in STANDARD. */
        transitionAfterDays: z._default(z.nullable(z.int().check(z.minimum(1), z.maximum(3_650))), 30),
        /** Days after which reports are deleted; null (the default) keeps them. */
        expireAfterDays: z._default(z.nullable(z.int().check(z.minimum(1), z.maximum(36_500))), null),
      })
      .check(
        z.superRefine((reports, ctx) => {
          const days = reports.transitionAfterDays;
          // S3 refuses lifecycle rules that move objects to STANDARD_IA or ONEZONE_IA before 30 days
          if (days !== null && reports.storageClass.endsWith('_IA') && days < 30)
            ctx.addIssue({
              code: 'custom',
              path: ['transitionAfterDays'],
              message: `must be at least 30 for ${reports.storageClass} (an S3 lifecycle rule)`,
            });
          if (days !== null && reports.expireAfterDays !== null && reports.expireAfterDays <= days)
            ctx.addIssue({
              code: 'custom',
              path: ['expireAfterDays'],
              message: 'must be later than transitionAfterDays',
            });
        }),
      ),
    {},
  ),
  /** Who hears of runs: the run events topic (completion, failure, alarms) can mail these addresses. */
  notifications: z.prefault(
    z.strictObject({
      /** Each address gets a subscription to confirm; none (the default) leaves the topic to other subscribers. */
      emails: z._default(z.array(z.email('must be an email address')), []),
    }),
    {},
  ),
  /** The CloudWatch alarms on runs, which notify the run events topic. */
  alarms: z.prefault(
    z.strictObject({
      /** The coverage alarm goes off when a run covers less than this share of its targets (0-100). */
      minCoveragePercent: z._default(z.number().check(z.minimum(0), z.maximum(100)), 95),
      /**
       * The dead man's switch goes off when no run has succeeded for this many hours (only with the
       * schedule on): a day and two hours of slack for the nightly default; raise it with a less
       * frequent schedule. CloudWatch evaluates an alarm over at most seven days.
       */
      maxHoursWithoutSuccess: z._default(z.int().check(z.minimum(2), z.maximum(168)), 26),
    }),
    {},
  ),
  /** Working data under runs/ is deleted after this many days; reports are kept. */
  runsExpirationDays: z._default(z.int().check(z.minimum(1), z.maximum(3_650)), 14),
  logRetentionDays: z._default(
    z
      .number()
      .check(
        z.refine(
          (days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days),
          `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
        ),
      ),
    90,
  ),
});
export type InventoryConfig = z.output<typeof InventoryConfig>;

/** The part of the configuration the plan function is deployed with (`PlanSettings` in contracts.ts). */
export function planSettingsOf(config: Pick<InventoryConfig, 'targets' | 'regions' | 'map'>): PlanSettings {
  return { targets: config.targets, regions: config.regions, batchSize: config.map.batchSize };
}

/**
 * The plan settings as the deployed function's environment variable. Only a deployment has this
 * limit (a local run passes the settings in memory), so it is checked here rather than in the schema.
 */
export function planSettingsVariable(config: InventoryConfig): string {
  const json = JSON.stringify(planSettingsOf(config));
  const bytes = Buffer.byteLength(json);
  if (bytes > PLAN_SETTINGS_MAX_BYTES) {
    throw new InventoryConfigError(
      `invalid inventory config: targets: targets and regions serialise to ${bytes} bytes, more than the ${PLAN_SETTINGS_MAX_BYTES} that fit in the plan function's environment: use organization discovery for long account lists`,
    );
  }
  return json;
}

export class InventoryConfigError extends Error {
  override name = 'InventoryConfigError';
}

/** Validates a raw configuration object and applies the defaults. */
export function parseInventoryConfig(raw: unknown): InventoryConfig {
  const parsed = InventoryConfig.safeParse(raw ?? {});
  if (!parsed.success)
    throw new InventoryConfigError(`invalid inventory config: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * Reads a configuration given as text: inline JSON (`{"regions": [...]}`) or the path of a JSON file,
 * relative to the working directory. `-c inventory=...` and `--config` both accept either form.
 */
export function readInventoryConfig(value: string, cwd = process.cwd()): InventoryConfig {
  if (value.trimStart().startsWith('{')) {
    let raw: unknown;
    try {
      raw = JSON.parse(value);
    } catch (error) {
      throw new InventoryConfigError(
        `inline inventory config is not valid JSON: ${(error as Error).message}`,
      );
    }
    return parseInventoryConfig(raw);
  }
  const path = resolve(cwd, value);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InventoryConfigError(`cannot read inventory config file ${path}: ${(error as Error).message}`);
  }
  try {
    return parseInventoryConfig(JSON.parse(text));
  } catch (error) {
    if (error instanceof InventoryConfigError)
      throw new InventoryConfigError(`${error.message} (in ${path})`);
    throw new InventoryConfigError(
      `inventory config file ${path} is not valid JSON: ${(error as Error).message}`,
    );
  }
}
