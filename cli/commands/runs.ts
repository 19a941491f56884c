/**
 * `runs`: the state machine's recent executions, newest first, with each succeeded run's figures from
 * its report's summary.json (functions, coverage, deprecated functions).
 */
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { getJson, type ObjectStore } from '../../functions/shared/object-store.ts';
import { ReduceOutput, Summary } from '../../shared/contracts.ts';
import { coveragePercent } from '../../shared/signals.ts';
import { EXIT, type Io } from '../io.ts';
import {
  CONNECTION_FLAGS,
  CONNECTION_HELP,
  type Connection,
  connect,
  parseConnection,
  request,
} from '../operate/connection.ts';
import { type RunRow, renderRuns } from '../operate/runs-table.ts';
import { integer, parseOptions } from '../options.ts';
import { formatDuration } from '../summary.ts';

export interface RunsOptions {
  connection: Connection;
  limit: number;
  json: boolean;
}

const DEFAULT_LIMIT = 20;

export const help = `Usage: lambda-inventory runs [options]

Lists the inventory state machine's recent executions, newest first: status, start, duration, and for
a succeeded run its functions, coverage and deprecated functions (from the report's summary.json).

${CONNECTION_HELP}

  --limit <n>                    how many executions (default ${DEFAULT_LIMIT}, at most 1000)
  --json                         print JSON lines instead of a table
  -h, --help                     show this help`;

export function parse(argv: readonly string[]): RunsOptions {
  const values = parseOptions(argv, {
    ...CONNECTION_FLAGS,
    limit: { type: 'string' },
    json: { type: 'boolean' },
  });
  return {
    connection: parseConnection(values),
    limit: integer(values.limit, '--limit', 1, 1000) ?? DEFAULT_LIMIT,
    json: values.json ?? false,
  };
}

export async function execute(options: RunsOptions, io: Io): Promise<number> {
  const connected = await connect(options.connection);
  try {
    const { executions = [] } = await request(
      'runs',
      connected.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: connected.stateMachineArn, maxResults: options.limit }),
      ),
    );
    const rows: RunRow[] = [];
    for (const execution of executions) {
      rows.push(await runRow(execution, connected.sfn, connected.store));
    }
    if (options.json) {
      for (const row of rows) io.stdout.write(`${JSON.stringify(row)}\n`);
    } else {
      io.stdout.write(`${renderRuns(rows, formatDuration)}\n`);
    }
    return EXIT.ok;
  } finally {
    connected.close();
  }
}

async function runRow(execution: ExecutionListItem, sfn: SFNClient, store: ObjectStore): Promise<RunRow> {
  const row: RunRow = {
    name: execution.name ?? '',
    status: execution.status ?? '',
    startDate: execution.startDate?.toISOString() ?? null,
    durationMs:
      execution.startDate && execution.stopDate
        ? execution.stopDate.getTime() - execution.startDate.getTime()
        : null,
    runId: null,
    functions: null,
    coveragePercent: null,
    deprecated: null,
  };
  if (execution.status !== 'SUCCEEDED' || !execution.executionArn) return row;
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
  const report = ReduceOutput.safeParse(
    (JSON.parse(described.output ?? '{}') as { report?: unknown }).report,
  );
  if (!report.success) return row;
  // the summary may have expired or be unreadable: the row still shows what the execution says
  const summary = await getJson(store, report.data.keys.summaryJson).then(
    (value) => Summary.safeParse(value),
    () => undefined,
  );
  return {
    ...row,
    runId: report.data.runId,
    functions: report.data.functionCount,
    coveragePercent: Number(coveragePercent(report.data.coverage).toFixed(1)),
    deprecated: summary?.success ? (summary.data.byRuntimeStatus.deprecated ?? 0) : null,
  };
}
