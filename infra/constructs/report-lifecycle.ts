/**
 * The report bucket's lifecycle: working data under runs/ and Athena query results expire, reports
 * move to a cheaper storage class and, when configured, expire (with their failure records and their
 * Athena rows); `reports/latest.json` is never touched by a rule.
 */
import { Duration } from 'aws-cdk-lib';
import { type LifecycleRule, StorageClass } from 'aws-cdk-lib/aws-s3';
import { ATHENA_PREFIX } from '../../shared/athena.ts';
import type { InventoryConfig } from '../../shared/config.ts';
import { keys, staticPrefix } from '../../shared/keys.ts';

/** Athena query results (`athena-results/`) are deleted after this many days. */
export const ATHENA_RESULTS_DAYS = 7;

/** Overwritten or deleted reports stay recoverable this long. */
export const NONCURRENT_VERSION_DAYS = 30;

/**
 * The dated report folders, `reports/<yyyy-mm-dd>/`: a lifecycle filter has no exclusions, and the
 * first digit of the year is what keeps `reports/latest.json` and `reports/failures/` out of the
 * rules for reports (until the year 3000).
 */
export const DATED_REPORTS_PREFIX = `${staticPrefix('report')}2`;

export function reportLifecycleRules(
  config: Pick<InventoryConfig, 'runsExpirationDays' | 'reports'>,
): LifecycleRule[] {
  const { storageClass, transitionAfterDays, expireAfterDays } = config.reports;
  const rules: LifecycleRule[] = [
    {
      id: 'expire-runs',
      prefix: staticPrefix('targets'),
      expiration: Duration.days(config.runsExpirationDays),
      // a retried batch overwrites its partial: the older version is garbage at once
      noncurrentVersionExpiration: Duration.days(1),
    },
    {
      id: 'expire-noncurrent-versions',
      noncurrentVersionExpiration: Duration.days(NONCURRENT_VERSION_DAYS),
      expiredObjectDeleteMarker: true,
      abortIncompleteMultipartUploadAfter: Duration.days(1),
    },
  ];
  // about 475 MB of reports a run at 400,000 functions: older ones move to a storage class that is
  // still read in milliseconds (config.ts admits no archive class), so every report stays readable
  if (transitionAfterDays !== null || expireAfterDays !== null) {
    rules.push({
      id: 'age-reports',
      prefix: DATED_REPORTS_PREFIX,
      transitions:
        transitionAfterDays === null
          ? undefined
          : [
              {
                storageClass: new StorageClass(storageClass),
                transitionAfter: Duration.days(transitionAfterDays),
              },
            ],
      expiration: expireAfterDays === null ? undefined : Duration.days(expireAfterDays),
    });
  }
  // failure records, and the report's rows for Athena, go with the reports of their time; neither
  // moves to another storage class (failure records are too small, and Athena reads only some)
  if (expireAfterDays !== null) {
    rules.push(
      {
        id: 'expire-failure-records',
        prefix: keys.failuresPrefix,
        expiration: Duration.days(expireAfterDays),
      },
      {
        id: 'expire-athena-data',
        prefix: ATHENA_PREFIX,
        expiration: Duration.days(expireAfterDays),
      },
    );
  }
  // query results are read once, by whoever ran the query
  rules.push({
    id: 'expire-athena-results',
    prefix: keys.athenaResultsPrefix,
    expiration: Duration.days(ATHENA_RESULTS_DAYS),
  });
  return rules;
}
