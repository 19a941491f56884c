/**
 * The S3 key layout of runs and reports, defined once. Each kind of object is one template whose
 * `{placeholders}` are known only at run time: the code that writes an object fills its template
 * (`objectKey`), and the IAM grant that allows the write turns the same template into a resource
 * pattern (`objectPattern`). Adding a kind of object, or a file to the report, is one line here, and
 * the writer's key and the grant follow from it.
 */

const PARTIALS = 'runs/{runId}/partials/{scanId}/';
const REPORT = 'reports/{date}/{runId}/';

export const KEY_TEMPLATES = {
  targets: 'runs/{runId}/targets.json',
  /** The accounts the plan left out, and why: kept out of the Step Functions state, which has a 256 KiB limit. */
  skipped: 'runs/{runId}/skipped.json',
  /**
   * Each scan of a run (one execution) writes its partials under its own prefix: a run id given again
   * must not mix an earlier scan's partials into the new report.
   */
  partials: PARTIALS,
  partial: `${PARTIALS}{name}.ndjson.gz`,
  /** What the Distributed Map's ResultWriter writes: Step Functions names the files (map run id, manifest). */
  mapResult: 'runs/map-results/{file}',
  /** The folder of one report: `date` is the run's start day (yyyy-mm-dd, UTC). */
  report: REPORT,
  /** One file of a report (`REPORT_FILES`). */
  reportFile: `${REPORT}{file}`,
  /** Pointer to the newest complete report. */
  latest: 'reports/latest.json',
  /** The Catch path's failure record: kept with the reports, not expired with runs/. */
  failure: 'reports/failures/{executionName}.json',
  /**
   * A run's file of one Athena table (shared/athena.ts: layout and tables; `athenaObjectKey` writes
   * it): `date` is the run's start day (the `dt` partition).
   */
  athenaFile: 'athena/{table}/dt={date}/run={runId}/{table}.json.gz',
  /** Query results of the Athena workgroup: Athena names the files; a lifecycle rule expires them. */
  athenaResult: 'athena-results/{file}',
} as const;

export type KeyKind = keyof typeof KEY_TEMPLATES;

type PlaceholdersOf<T extends string> = T extends `${string}{${infer Name}}${infer Rest}`
  ? Name | PlaceholdersOf<Rest>
  : never;

/** The run-time values a kind of key is made of, by placeholder name. */
export type KeyValues<K extends KeyKind> = Record<PlaceholdersOf<(typeof KEY_TEMPLATES)[K]>, string>;

/**
 * The files of one report, under `reports/<date>/<runId>/`. A `compressible` file is written
 * gzip-compressed as `<name>.gz` when the deployment compresses reports (`reports.compress`).
 */
export const REPORT_FILES = {
  inventoryJson: { name: 'inventory.json', compressible: true },
  inventoryCsv: { name: 'inventory.csv', compressible: true },
  summaryJson: { name: 'summary.json', compressible: false },
  coverageCsv: { name: 'coverage.csv', compressible: false },
  /** The page a person opens: small (the at-risk rows are capped), so never compressed. */
  reportHtml: { name: 'report.html', compressible: false },
  /** What changed since the previous run: written only when there was one. */
  diffJson: { name: 'diff.json', compressible: false },
  /** Accounts where the member role is missing or refuses the worker. */
  gapsCsv: { name: 'gaps.csv', compressible: false },
} as const satisfies Record<string, { name: string; compressible: boolean }>;

export type ReportFile = keyof typeof REPORT_FILES;

/** The object name a report file is written under. */
export function reportFileName(file: ReportFile, compress: boolean): string {
  const { name, compressible } = REPORT_FILES[file];
  return compress && compressible ? `${name}.gz` : name;
}

/** Every object name a report is written under. */
export function reportFileNames(compress: boolean): string[] {
  return (Object.keys(REPORT_FILES) as ReportFile[]).map((file) => reportFileName(file, compress));
}

/** The key of one object: the template with every placeholder filled. */
export function objectKey<K extends KeyKind>(kind: K, values: KeyValues<K>): string {
  return KEY_TEMPLATES[kind].replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = (values as Record<string, string | undefined>)[name];
    if (value === undefined || value === '') throw new Error(`S3 key ${kind}: ${name} is empty`);
    return value;
  });
}

/** The fixed beginning of a kind of key, before its first placeholder. */
export function staticPrefix(kind: KeyKind): string {
  const template: string = KEY_TEMPLATES[kind];
  const placeholder = template.indexOf('{');
  return placeholder === -1 ? template : template.slice(0, placeholder);
}

/**
 * How a placeholder reads in an IAM resource pattern when no value is given: the narrowest wildcard
 * that matches every value the code writes (`*` matches any characters, `/` included).
 */
const PLACEHOLDER_PATTERNS: Record<string, string> = {
  // reports/<yyyy-mm-dd>/: a date never matches `latest.json` or `failures/`
  date: '????-??-??',
};

/**
 * The IAM resource pattern (below the bucket ARN) of a kind of key: the placeholders given in `fixed`
 * take that value, the others a wildcard. `objectPattern('reportFile', { file: 'summary.json' })` is
 * `reports/????-??-??/*\/summary.json`.
 */
export function objectPattern<K extends KeyKind>(kind: K, fixed: Partial<KeyValues<K>> = {}): string {
  return KEY_TEMPLATES[kind].replace(
    /\{(\w+)\}/g,
    (_, name: string) =>
      (fixed as Record<string, string | undefined>)[name] ?? PLACEHOLDER_PATTERNS[name] ?? '*',
  );
}

/** The keys of runs and reports, as the functions, the local engine and the CLI use them. */
export const keys = {
  targets: (runId: string) => objectKey('targets', { runId }),
  skipped: (runId: string) => objectKey('skipped', { runId }),
  partialsPrefix: (runId: string, scanId: string) => objectKey('partials', { runId, scanId }),
  partial: (runId: string, scanId: string, name: string) => objectKey('partial', { runId, scanId, name }),
  failuresPrefix: staticPrefix('failure'),
  failure: (executionName: string) => objectKey('failure', { executionName }),
  /**
   * Prefix the Distributed Map's ResultWriter writes under, without the final slash: Step Functions
   * adds `/<map run id>/...` itself.
   */
  mapResultsPrefix: staticPrefix('mapResult').replace(/\/$/, ''),
  reportPrefix: (date: string, runId: string) => objectKey('report', { date, runId }),
  reportFile: (date: string, runId: string, file: ReportFile, compress: boolean) =>
    objectKey('reportFile', { date, runId, file: reportFileName(file, compress) }),
  latest: KEY_TEMPLATES.latest,
  athenaResultsPrefix: staticPrefix('athenaResult'),
} as const;
