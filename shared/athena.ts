/**
 * The report's Athena side, in one place for the code that writes the files (reduce), the code that
 * declares the tables (infra) and the tests that query them (DuckDB): the S3 layout of the NDJSON
 * files, the Glue table definitions with partition projection, and the named queries' SQL.
 *
 * Layout: `athena/<table>/dt=<yyyy-mm-dd>/run=<runId>/<table>.json.gz`, one gzip NDJSON file per table
 * and run, under the date of the run's start. The file name is fixed, so a reduce that runs again
 * replaces its file instead of adding a second copy of every row.
 *
 * Rows are the inventory's own JSON (the record's camelCase fields) after the run's two columns, so
 * reduce writes them without building a second object per function. A column is named after its
 * JSON key in lower case (`accountId` -> `accountid`, as AWS's CloudTrail tables do): the Hive JSON
 * SerDe matches keys to columns whatever their case, and has no mapping to snake_case names.
 *
 * Only `dt` is a partition key. A run id cannot be projected (it is neither a date, a number nor a
 * known list, and an `injected` key would force every query to name one run, which rules out "over
 * time"), so `run=<runId>/` is a plain folder inside the day's partition: Athena reads every object
 * under a partition's location, folders included. The run is in each row as `run_id`.
 *
 * SQL dialect: the named queries keep to what Athena (Trino) and DuckDB both accept, so the very same
 * text runs in Athena and in the tests; the only translation is the tables themselves (a DuckDB view
 * over `read_json` stands in for each Glue table, with the same columns and types).
 */
import type { CoverageEntry, FunctionRecord } from './contracts.ts';
import { objectKey } from './keys.ts';

export const ATHENA_PREFIX = 'athena/';

/** Hive types the tables use (the JSON SerDe reads each from the JSON value of the same column). */
export type GlueType = 'string' | 'int' | 'bigint' | 'double' | 'date' | 'array<string>';

/** What identifies the run in every row. */
export interface AthenaRun {
  runId: string;
  /** ISO timestamp of the run's start: its date is the `dt` partition. */
  startedAt: string;
}

export type AthenaTableName = 'functions' | 'coverage';

/** A column as Glue declares it. */
export interface GlueColumn {
  name: string;
  type: GlueType;
  comment: string;
}

export interface AthenaColumn<Source> extends GlueColumn {
  /** The row's JSON key: a field of the source record, or one of the run's columns. */
  key: (keyof Source & string) | RunKey;
}

/** The run's columns, first in every row. */
export type RunKey = 'run_id' | 'run_started_at';

/** A column over a JSON key: named after the key in lower case, as the SerDe matches them. */
function column<Key extends string>(key: Key, type: GlueType, comment = '') {
  return { name: key.toLowerCase(), key, type, comment };
}

/** What Glue and the queries see of a table. */
export interface GlueTable {
  /** Glue table name, also the folder under `athena/` and the file name. */
  name: AthenaTableName;
  description: string;
  columns: readonly GlueColumn[];
}

/** A table and where each column's value comes from. */
export interface AthenaTable<Source> extends GlueTable {
  columns: readonly AthenaColumn<Source>[];
}

const RUN_COLUMNS = [
  column('run_id', 'string', 'The run (several runs a day are possible).'),
  column(
    'run_started_at',
    'string',
    'ISO 8601 start of the run; sorts as time (pick the latest run of a day with max_by).',
  ),
] as const;

export const FUNCTIONS_TABLE: AthenaTable<FunctionRecord> = {
  name: 'functions',
  description: 'One row per Lambda function and run (the rows of inventory.json as gzip NDJSON).',
  columns: [
    ...RUN_COLUMNS,
    column('accountId', 'string', '12-digit account id'),
    column('accountName', 'string', 'Organizations account name'),
    column('region', 'string', 'Region code'),
    column('functionName', 'string'),
    column('functionArn', 'string'),
    column('runtime', 'string', 'null for container images'),
    column(
      'runtimeStatus',
      'string',
      'supported, deprecating-soon, deprecated, unknown or image, as of the run start',
    ),
    column('deprecationDate', 'date', "the runtime's deprecation"),
    column('blockCreateDate', 'date', 'creating functions on the runtime is blocked from'),
    column('blockUpdateDate', 'date', 'updating functions on the runtime is blocked from'),
    column('packageType', 'string', 'Zip or Image'),
    column('architectures', 'array<string>'),
    column('memorySize', 'int', 'MB'),
    column('timeout', 'int', 'seconds'),
    column('ephemeralStorage', 'int', 'MB of /tmp'),
    column('codeSize', 'bigint', 'bytes'),
    column('handler', 'string'),
    column('lastModified', 'string', 'as Lambda reports it (2026-10-01T10:00:00.000+0000)'),
    column('role', 'string', 'execution role ARN'),
    column('layers', 'array<string>', 'layer version ARNs'),
    column('tracingMode', 'string'),
    column('snapStart', 'string'),
    column('environmentVariableNames', 'array<string>', 'names only: values are never collected'),
    column('version', 'string'),
  ],
};

export const COVERAGE_TABLE: AthenaTable<CoverageEntry> = {
  name: 'coverage',
  description: 'One row per target (account x region) and run, and one per skipped account (region null).',
  columns: [
    ...RUN_COLUMNS,
    column('accountId', 'string', '12-digit account id'),
    column('accountName', 'string'),
    column('region', 'string', 'null for a skipped account'),
    column(
      'status',
      'string',
      'ok, access-denied, region-not-enabled, throttled, error, not-scanned or account-skipped',
    ),
    column(
      'functionCount',
      'int',
      'null unless the target was scanned completely (never 0 where it could not look)',
    ),
    column('pages', 'int', 'ListFunctions pages'),
    column('durationMs', 'double'),
    column('errorCode', 'string'),
    column('message', 'string', 'why the target was not scanned'),
  ],
};

export const ATHENA_TABLES = [FUNCTIONS_TABLE, COVERAGE_TABLE] as const;

/** The date partition of a run: the UTC day it started, as `yyyy-mm-dd`. */
export function athenaPartitionDate(startedAt: string): string {
  const time = Date.parse(startedAt);
  if (Number.isNaN(time)) throw new RangeError(`not a date-time: ${JSON.stringify(startedAt)}`);
  return new Date(time).toISOString().slice(0, 10);
}

/** Prefix of a table's files: the table's LOCATION. */
export const athenaTablePrefix = (table: AthenaTableName): string => `${ATHENA_PREFIX}${table}/`;

/** The one file a run writes for a table (the `athenaFile` template of keys.ts). */
export function athenaObjectKey(table: AthenaTableName, run: AthenaRun): string {
  return objectKey('athenaFile', { table, date: athenaPartitionDate(run.startedAt), runId: run.runId });
}

export interface GlueTableOptions {
  /** The report bucket's name (a CDK token is fine: it is only interpolated). */
  bucketName: string;
  /**
   * First day Athena projects a `dt` partition for (`yyyy-MM-dd`, or relative such as `NOW-3YEARS`).
   * Queries that filter on `dt` read only the days they name; the range bounds the others.
   * @default 'NOW-3YEARS'
   */
  firstDate?: string;
}

/**
 * A Glue table as CloudFormation's `AWS::Glue::Table` `TableInput` (the shape of aws-cdk-lib's
 * `CfnTable.TableInputProperty`), without importing aws-cdk-lib.
 */
export function glueTableInput(table: GlueTable, options: GlueTableOptions) {
  const location = `s3://${options.bucketName}/${athenaTablePrefix(table.name)}`;
  return {
    name: table.name,
    description: table.description,
    tableType: 'EXTERNAL_TABLE',
    parameters: {
      classification: 'json',
      compressionType: 'gzip',
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': `${options.firstDate ?? 'NOW-3YEARS'},NOW`,
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'storage.location.template': `${location}dt=\${dt}/`,
    },
    // a string, not a date: what partition projection of dates is documented with; ISO days sort as text
    partitionKeys: [{ name: 'dt', type: 'string', comment: 'UTC day the run started (yyyy-mm-dd)' }],
    storageDescriptor: {
      location,
      // TextInputFormat reads .gz files by their extension
      inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      // the Hive JSON SerDe: Athena warns that the OpenX one can return non-deterministic results
      serdeInfo: { serializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe' },
      columns: table.columns.map(({ name, type, comment }) => ({ name, type, comment })),
    },
  };
}

export interface NamedQuery {
  /** Name in the Athena console (AWS::Athena::NamedQuery Name). */
  name: string;
  description: string;
  /** Runs against the Glue database holding `functions` and `coverage` (the named query's Database). */
  sql: string;
}

/**
 * The first `dt` of the last `days` days, as the partition's text. Cast back to a date first: Trino's
 * date minus interval is a date, DuckDB's a timestamp, whose text would not compare with `yyyy-mm-dd`.
 */
const SINCE = (days: number) => `CAST(CAST(current_date - INTERVAL '${days}' DAY AS date) AS varchar)`;

/**
 * The latest run of the last 7 days, by start time. The `dt` bound lets partition projection read a
 * week of partitions instead of every day in the projected range.
 */
const LATEST_RUN = (table: string) => `latest_run AS (
  SELECT max_by(run_id, run_started_at) AS run_id
  FROM ${table}
  WHERE dt >= ${SINCE(7)}
)`;

export const NAMED_QUERIES: readonly NamedQuery[] = [
  {
    name: 'lambda-inventory-deprecated-functions-by-account',
    description:
      'Functions on deprecated or soon-deprecated runtimes, per account, in the latest run of the last 7 days.',
    sql: `WITH ${LATEST_RUN('functions')}
SELECT f.accountid AS account_id,
  max(f.accountname) AS account_name,
  sum(CASE WHEN f.runtimestatus = 'deprecated' THEN 1 ELSE 0 END) AS deprecated,
  sum(CASE WHEN f.runtimestatus = 'deprecating-soon' THEN 1 ELSE 0 END) AS deprecating_soon,
  min(f.blockupdatedate) AS first_block_update_date
FROM functions f
JOIN latest_run l ON f.run_id = l.run_id
WHERE f.dt >= ${SINCE(7)}
  AND f.runtimestatus IN ('deprecated', 'deprecating-soon')
GROUP BY f.accountid
ORDER BY deprecated DESC, deprecating_soon DESC, f.accountid`,
  },
  {
    name: 'lambda-inventory-runtime-counts-over-time',
    description:
      'Functions per runtime and day over the last 90 days (the latest run of each day; container images as "image").',
    sql: `WITH daily_run AS (
  SELECT dt, max_by(run_id, run_started_at) AS run_id
  FROM functions
  WHERE dt >= ${SINCE(90)}
  GROUP BY dt
)
SELECT f.dt,
  CASE WHEN f.packagetype = 'Image' THEN 'image' ELSE coalesce(f.runtime, '(none)') END AS runtime,
  count(*) AS functions
FROM functions f
JOIN daily_run d ON f.dt = d.dt AND f.run_id = d.run_id
WHERE f.dt >= ${SINCE(90)}
GROUP BY 1, 2
ORDER BY 1, 2`,
  },
  {
    name: 'lambda-inventory-accounts-without-role',
    description:
      'Scanned accounts where every region was access-denied (member role missing or refusing), in the latest run of the last 7 days.',
    sql: `WITH ${LATEST_RUN('coverage')}
SELECT c.accountid AS account_id,
  max(c.accountname) AS account_name,
  count(*) AS regions,
  max(c.errorcode) AS error_code,
  max(c.message) AS message
FROM coverage c
JOIN latest_run l ON c.run_id = l.run_id
WHERE c.dt >= ${SINCE(7)}
  AND c.status <> 'account-skipped'
GROUP BY c.accountid
HAVING sum(CASE WHEN c.status = 'access-denied' THEN 0 ELSE 1 END) = 0
ORDER BY c.accountid`,
  },
];
