/**
 * The flags every command that runs the workflow in this process shares (`run --local`, `serve`): the
 * targets, the config file, where the reports go, the simulator and the Map's tuning. Each command
 * keeps its own flags (`--min-coverage`, `--port` ...) and its own checks.
 */
import { DEFAULT_OUT_DIR } from './operate/connection.ts';
import { integer, type OptionSpec, type OptionValues, percentage } from './options.ts';
import type { ConfigFlags } from './run-config.ts';
import { parseTargetFlags, TARGET_SOURCE_FLAGS } from './target-flags.ts';
import { UsageError } from './usage-error.ts';

export const LOCAL_RUN_FLAGS = {
  simulate: { type: 'string', optionalValue: true },
  ...TARGET_SOURCE_FLAGS,
  config: { type: 'string' },
  out: { type: 'string' },
  bucket: { type: 'string' },
  concurrency: { type: 'string' },
  'batch-size': { type: 'string' },
  'region-concurrency': { type: 'string' },
  'tolerated-failure-percentage': { type: 'string' },
} as const satisfies Record<string, OptionSpec>;

/** The help lines of the shared flags that each command's help places in its own sections. */
export const LOCAL_RUN_HELP = {
  reports: `  --out <dir>                    local folder (default ${DEFAULT_OUT_DIR})
  --bucket <name>                an S3 bucket instead of a folder`,
  tuning: `  --concurrency <n>              batches scanned at once (the Map's MaxConcurrency)
  --batch-size <n>               targets per worker batch, rounded to whole accounts (1-200)
  --region-concurrency <n>       regions of one batch listed at once
  --tolerated-failure-percentage <n>  percentage (0-100, fractions allowed) of targets in failed batches tolerated before the run fails`,
};

export interface LocalRunFlags extends ConfigFlags {
  /** Present when `--simulate` starts the fleet simulator in-process; `spec` is its optional JSON spec. */
  simulate?: { spec?: string };
  out: string;
  bucket?: string;
  regionConcurrency?: number;
}

export interface LocalRunMessages {
  /** The error for `--out` with `--bucket`, in the command's words (one report, or a server's many). */
  outWithBucket: string;
}

/** Checks the shared flags: one place for the reports, the target flags, whole numbers in range. */
export function parseLocalRunFlags(
  values: OptionValues<typeof LOCAL_RUN_FLAGS>,
  messages: LocalRunMessages,
): LocalRunFlags {
  if (values.out !== undefined && values.bucket !== undefined) throw new UsageError(messages.outWithBucket);
  const targets = parseTargetFlags(values);
  return {
    simulate: values.simulate === undefined ? undefined : values.simulate ? { spec: values.simulate } : {},
    ...targets,
    configPath: values.config,
    out: values.out ?? DEFAULT_OUT_DIR,
    bucket: values.bucket,
    concurrency: integer(values.concurrency, '--concurrency', 1, 10_000),
    batchSize: integer(values['batch-size'], '--batch-size', 1, 200),
    regionConcurrency: integer(values['region-concurrency'], '--region-concurrency', 1, 64),
    toleratedFailurePercentage: percentage(
      values['tolerated-failure-percentage'],
      '--tolerated-failure-percentage',
    ),
  };
}
