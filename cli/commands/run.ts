/**
 * `run --local`: resolve the config from flags or a file, pick the object store, optionally start the
 * simulator, run the workflow in the local engine with live progress, print the summary.
 */
import { getJson } from '../../functions/shared/object-store.ts';
import { type LocalClients, type LocalStore, runWorkflow } from '../../local/engine.ts';
import type { InventoryConfig } from '../../shared/config.ts';
import { RunId, type SkippedAccount, Summary, type TargetResult } from '../../shared/contracts.ts';
import { ERROR_NAMES } from '../../shared/errors.ts';
import { coveragePercent } from '../../shared/signals.ts';
import { EXIT, type Io } from '../io.ts';
import { localReports, withLocalFleet } from '../local-fleet.ts';
import {
  LOCAL_RUN_FLAGS,
  LOCAL_RUN_HELP,
  type LocalRunFlags,
  parseLocalRunFlags,
} from '../local-run-flags.ts';
import { retryInput } from '../operate/retry-input.ts';
import { integer, one, parseOptions } from '../options.ts';
import { ProgressReporter } from '../progress.ts';
import { deployedCostLine } from '../report/cost-line.ts';
import { resolveConfig } from '../run-config.ts';
import { renderSummary } from '../summary.ts';
import { UsageError } from '../usage-error.ts';

export { DEFAULT_OUT_DIR } from '../operate/connection.ts';
/** Percentage of targets that must be covered (scanned, or known to have no Lambda) for exit code 0. */
export const DEFAULT_MIN_COVERAGE = 90;

export interface RunOptions extends LocalRunFlags {
  minCoverage: number;
  runId?: string;
  /** `--retry <runId>`: scan again what that run could not (its report's coverage says which targets). */
  retry?: string;
  json: boolean;
}

export const help = `Usage: lambda-inventory run --local [options]

Runs the same workflow definition as the deployed state machine (plan -> scan -> reduce) in this
process, against the AWS credentials of your environment (profiles, SSO, env vars) or the simulator.
AWS endpoints follow the SDK's standard settings (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>).

Targets (choose one; with --simulate the default is --organization):
  --accounts <ids>               account ids, comma-separated or repeated
  --organization                 discover accounts with AWS Organizations (management account or delegated admin)
    --include-ous <ids>          only accounts under these OUs (recursively)
    --exclude-ous <ids>          drop accounts under these OUs
    --exclude-accounts <ids>     drop these accounts
  --config <file>                a deployment config file (the same JSON as the CDK app's 'inventory' context)
  --regions <codes>              regions to scan (default: the config's, else the 17 default-enabled regions)
  --retry <runId>                the targets that run did not scan (throttled, error, not-scanned, access-denied),
                                 read from its report in --out or --bucket

Where the report goes:
${LOCAL_RUN_HELP.reports}

Tuning:
${LOCAL_RUN_HELP.tuning}
  --min-coverage <pct>           exit 1 when fewer targets are covered (default ${DEFAULT_MIN_COVERAGE})
  --run-id <id>                  name the run (default: a timestamp)

Simulation and output:
  --simulate [spec.json]         start the fleet simulator in-process and run against it
  --json                         print the run's summary as JSON instead of a table
  -h, --help                     show this help`;

export function parse(argv: readonly string[]): RunOptions {
  const values = parseOptions(argv, {
    local: { type: 'boolean' },
    ...LOCAL_RUN_FLAGS,
    'min-coverage': { type: 'string' },
    'run-id': { type: 'string' },
    retry: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (
    values.retry !== undefined &&
    (values.accounts ?? values.regions ?? values.organization) !== undefined
  ) {
    throw new UsageError(
      '--retry takes its targets from that run: drop --accounts, --regions and --organization',
    );
  }
  if (!values.local) {
    throw new UsageError('run needs --local (for the deployed state machine, use start)');
  }
  const shared = parseLocalRunFlags(values, {
    outWithBucket: '--out and --bucket cannot be used together: the report goes to one place',
  });
  return {
    ...shared,
    minCoverage: integer(values['min-coverage'], '--min-coverage', 0, 100) ?? DEFAULT_MIN_COVERAGE,
    runId: one(values['run-id'], '--run-id', RunId),
    retry: one(values.retry, '--retry', RunId),
    json: values.json ?? false,
  };
}

/** Failures of the plan step that come from what the user asked for: bad usage (exit 2), not a failed run. */
const INPUT_ERRORS = new Set<string>([ERROR_NAMES.invalidTargets, ERROR_NAMES.validation]);

export async function execute(options: RunOptions, io: Io): Promise<number> {
  return withLocalFleet(options, io, async ({ clients, simulated }) => {
    const reports = localReports(options);
    let targets = options;
    if (options.retry !== undefined) {
      const input = await retryInput(reports.store, options.retry, options.runId, io.stderr);
      if (input === undefined) {
        io.stdout.write(`nothing to retry: run ${options.retry} scanned every target it could\n`);
        return EXIT.ok;
      }
      targets = {
        ...options,
        accounts: input.accounts?.map((account) => account.id),
        regions: input.regions,
      };
    }
    const config = await resolveConfig(targets, simulated);
    return runInventory(options, config, reports, clients, io);
  });
}

async function runInventory(
  options: RunOptions,
  config: InventoryConfig,
  { store, bucket }: { store: LocalStore; bucket: string },
  clients: LocalClients,
  io: Io,
): Promise<number> {
  const progress = new ProgressReporter(options.json ? { write: () => true } : io.stdout);
  const problems: TargetResult[] = [];
  let skipped: SkippedAccount[] = [];
  const started = performance.now();
  const result = await runWorkflow({
    config,
    store,
    bucket,
    input: options.runId ? { runId: options.runId } : {},
    executionName: options.runId,
    clients,
    regionConcurrency: options.regionConcurrency,
    onProgress: (event) => {
      if (event.type === 'planned') {
        skipped = event.skipped;
        progress.planned(event.targetCount, event.accountCount, event.skipped.length);
      } else if (event.type === 'batch-done') {
        problems.push(...event.results.filter((target) => target.status !== 'ok'));
        progress.batchDone(event.results);
      } else if (event.type === 'batch-failed') {
        progress.batchFailed(event.targets, event.error);
      }
    },
  });
  progress.finish();
  const durationMs = performance.now() - started;

  if (result.status === 'FAILED') {
    const record = result.failureKey ? ` (failure record: ${store.location}/${result.failureKey})` : '';
    io.stderr.write(
      `lambda-inventory: run ${result.executionName} failed: ${result.error}: ${firstLine(result.cause)}${record}\n`,
    );
    return INPUT_ERRORS.has(result.error) ? EXIT.usage : EXIT.failed;
  }

  const summary = Summary.parse(await getJson(store, result.output.keys.summaryJson));
  const percent = coveragePercent(summary.coverage);
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ ...result.output, coveragePercent: percent, summary }, null, 2)}\n`);
  } else {
    io.stdout.write(
      `${renderSummary({
        summary,
        problems,
        skipped,
        reportLocation: `${store.location}/${result.output.keys.prefix}`,
        durationMs,
        minCoverage: options.minCoverage,
        changesLine: result.output.changes?.line,
        costLine: deployedCostLine(summary, config),
      })}\n`,
    );
  }
  if (percent >= options.minCoverage) return EXIT.ok;
  io.stderr.write(
    `lambda-inventory: coverage ${percent.toFixed(1)}% is below --min-coverage ${options.minCoverage}% (see ${store.location}/${result.output.keys.coverageCsv})\n`,
  );
  return EXIT.failed;
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0] ?? '';
}
