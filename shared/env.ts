/**
 * Environment variable names shared by infra (which sets them) and the functions (which read
 * them), so that neither side types a name the other does not know.
 */
export const ENV = {
  /** Bucket for working data and reports. */
  bucketName: 'INVENTORY_BUCKET',
  /** JSON of `PlanSettings`: target source and regions (plan only). */
  planSettings: 'INVENTORY_PLAN_SETTINGS',
  /** Name of the role the worker assumes in each member account. */
  memberRoleName: 'INVENTORY_MEMBER_ROLE_NAME',
  /** How many regions of one batch the worker lists at once. */
  regionConcurrency: 'INVENTORY_REGION_CONCURRENCY',
  /** How many partials reduce reads at once. */
  reduceConcurrency: 'INVENTORY_REDUCE_CONCURRENCY',
  /** `true` or `false`: reduce writes the large report files gzip-compressed (config `reports.compress`). */
  reportCompression: 'INVENTORY_REPORT_COMPRESSION',
  /** Name of the event bus reduce puts the completion event on (RUN_COMPLETED_EVENT in signals.ts). */
  eventBusName: 'INVENTORY_EVENT_BUS_NAME',
  /** ARN of the run events topic reduce publishes the completion message to. */
  runEventsTopicArn: 'INVENTORY_RUN_EVENTS_TOPIC_ARN',
  /** Powertools Metrics reads its namespace from this variable (METRICS.namespace in signals.ts). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

/** Defaults shared by the deployed functions (infra sets them) and the local engine. */
export const DEFAULTS = {
  /** Regions of one batch the worker lists at once: each region has its own ListFunctions quota. */
  regionConcurrency: 8,
  /** Partials reduce reads at once. */
  reduceConcurrency: 8,
} as const;

/** Reads a required environment variable, naming it when it is missing. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** Reads an optional positive integer environment variable. */
export function intEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`environment variable ${name} must be a positive integer, got "${raw}"`);
  return value;
}
