/**
 * The operating commands end to end: `start`, `status`, `runs`, `retry` and `redrive` through main(),
 * with the real SFNClient over HTTP to the local Step Functions endpoint (local/serve) in this process,
 * whose engine scans the fleet simulator and writes to a folder the commands read reports from.
 * Expectations come from the simulator's ground truth and the report files, read independently.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as serve from '../../cli/commands/serve.ts';
import { main } from '../../cli/main.ts';
import { SERVE_STATE_MACHINE_ARN } from '../../cli/operate/connection.ts';
import { getJson } from '../../functions/shared/object-store.ts';
import { ReduceOutput, RunInput, Summary } from '../../shared/contracts.ts';
import { captureIo } from '../cli/support.ts';
import {
  type Endpoint,
  expectedFunctionCount,
  expectedScannedTargets,
  FLEET_SPEC,
  REGIONS,
  startEndpoint,
  waitForExecution,
} from '../serve/support.ts';
import { tempDir } from './support.ts';

let endpoint: Endpoint;
let connection: string[];
/** `--wait` looking often: the simulated runs take about a second. */
const FAST_WAIT = ['--wait', '--poll-interval', '50'];

beforeAll(async () => {
  endpoint = await startEndpoint();
  connection = ['--endpoint-url', endpoint.server.url, '--out', endpoint.store.location];
}, 60_000);

afterAll(async () => {
  await endpoint?.stop();
});

async function cli(...argv: string[]) {
  const { io, stdout, stderr } = captureIo();
  const code = await main(argv, io);
  // the capturing streams hand their data on a later tick
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: stdout(), stderr: stderr() };
}

const executionArn = (name: string) =>
  endpoint.server.stateMachineArn.replace(':stateMachine:', ':execution:').concat(`:${name}`);

async function executionNames(): Promise<string[]> {
  const { executions = [] } = await endpoint.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: endpoint.server.stateMachineArn }),
  );
  return executions.map((execution) => execution.name ?? '');
}

/** The members of the serve config the simulator answers AccessDenied for (no role, or suspended). */
function unreachableAccounts(): string[] {
  const { config, sim } = endpoint;
  if (config.targets.source !== 'accounts') throw new Error('the serve config lists accounts');
  return config.targets.accounts
    .map((account) => account.id)
    .filter((id) => REGIONS.some((region) => !sim.fleet.isReachable(id, region)));
}

describe('start --wait', () => {
  it('runs the workflow and prints the summary table read from the report folder', async () => {
    const expectedPercent = (100 * expectedScannedTargets(endpoint.sim.fleet, endpoint.config)) / 8;

    const run = await cli(
      'start',
      ...connection,
      '--run-id',
      'op-first',
      ...FAST_WAIT,
      '--min-coverage',
      '0',
    );

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`started ${executionArn('op-first')}`);
    expect(run.stdout).toContain(
      `Run op-first: ${expectedFunctionCount(endpoint.sim.fleet, endpoint.config)} functions`,
    );
    expect(run.stdout).toContain(`Coverage: ${expectedPercent.toFixed(1)}% of 8 targets`);
    expect(run.stdout).toMatch(/Report: .*\/reports\/\d{4}-\d{2}-\d{2}\/op-first\//);
    // plain progress lines (not a TTY) from the Map Run's item counts, ending with every target done
    expect(run.stdout).toMatch(/op-first RUNNING: \d+\/8 targets: \d+ succeeded, \d+ failed, \d+ pending/);
  }, 90_000);

  it('exits 1 naming the threshold when coverage is below --min-coverage', async () => {
    const status = await cli('status', 'op-first', ...connection, '--min-coverage', '100');

    expect(unreachableAccounts().length).toBeGreaterThan(0);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/coverage [\d.]+% is below --min-coverage 100%/);
  });
});

describe('status', () => {
  it('shows an ended execution by name or ARN with the same summary as start --wait', async () => {
    const byName = await cli('status', 'op-first', ...connection, '--min-coverage', '0');
    const byArn = await cli('status', executionArn('op-first'), ...connection, '--min-coverage', '0');

    expect(byName.code).toBe(0);
    expect(byName.stdout).toContain('Run op-first:');
    expect(byArn.stdout).toBe(byName.stdout);
  });

  it('exits 2 for an execution that does not exist', async () => {
    const status = await cli('status', 'no-such-run', ...connection);

    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/^lambda-inventory: status: ExecutionDoesNotExist: .*no-such-run/);
  });
});

describe('runs', () => {
  it("lists executions with the functions, coverage and deprecated count of each run's summary", async () => {
    const execution = await endpoint.sfn.send(
      new DescribeExecutionCommand({ executionArn: executionArn('op-first') }),
    );
    const report = ReduceOutput.parse(JSON.parse(execution.output ?? '{}').report);
    const summary = Summary.parse(await getJson(endpoint.store, report.keys.summaryJson));

    const listed = await cli('runs', ...connection, '--json');
    const table = await cli('runs', ...connection);

    const row = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .find((entry) => entry.name === 'op-first');
    expect(listed.code).toBe(0);
    expect(row).toMatchObject({
      status: 'SUCCEEDED',
      runId: 'op-first',
      functions: summary.functionCount,
      deprecated: summary.byRuntimeStatus.deprecated ?? 0,
    });
    expect(row.coveragePercent).toBeCloseTo((100 * summary.coverage.scanned) / summary.coverage.targets, 1);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^execution\s+status\s+started\s+duration\s+functions\s+coverage\s+deprecated$/,
    );
    expect(table.stdout).toMatch(
      new RegExp(`op-first\\s+SUCCEEDED\\s+\\S+\\s+.+\\s${summary.functionCount}\\s`),
    );
  });
});

describe('retry', () => {
  it('starts a run over exactly the accounts and regions the run did not scan', async () => {
    const retried = await cli(
      'retry',
      'op-first',
      ...connection,
      '--run-id',
      'op-retry',
      ...FAST_WAIT,
      '--min-coverage',
      '0',
    );

    const execution = await endpoint.sfn.send(
      new DescribeExecutionCommand({ executionArn: executionArn('op-retry') }),
    );
    const input = RunInput.parse(JSON.parse(execution.input ?? '{}'));
    expect(retried.code).toBe(0);
    expect(retried.stderr).toMatch(/retrying \d+ targets of run op-first/);
    expect(input.accounts?.map((account) => account.id).sort()).toEqual(unreachableAccounts().sort());
    expect(input.regions?.slice().sort()).toEqual(REGIONS.slice().sort());
    // the accounts are still unreachable: the retry covers none of its targets
    expect(retried.stdout).toContain('Run op-retry: 0 functions');
    expect(retried.stdout).toMatch(/Coverage: 0\.0% of \d+ targets/);
  }, 90_000);

  it('exits 2 when the run has no report', async () => {
    const before = await executionNames();

    const retried = await cli('retry', 'never-ran', ...connection);

    expect(retried.code).toBe(2);
    expect(retried.stderr).toMatch(/^lambda-inventory: no report of run never-ran in /);
    expect(await executionNames()).toEqual(before);
  });
});

describe('redrive', () => {
  it('runs a failed execution again to a complete report', async () => {
    endpoint.store.failNextWrites((key) => key.endsWith('/targets.json'), 1);
    const started = await cli('start', ...connection, '--run-id', 'op-failing');
    await waitForExecution(endpoint.sfn, executionArn('op-failing'));

    const failed = await cli('status', 'op-failing', ...connection);
    const redriven = await cli('redrive', 'op-failing', ...connection, ...FAST_WAIT, '--min-coverage', '0');

    expect(started.code).toBe(0);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^lambda-inventory: execution op-failing FAILED: /);
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain(`redriven ${executionArn('op-failing')}`);
    expect(redriven.stdout).toContain(
      `Run op-failing: ${expectedFunctionCount(endpoint.sim.fleet, endpoint.config)} functions`,
    );
  }, 90_000);

  it('exits 2 for an execution that succeeded', async () => {
    const redriven = await cli('redrive', 'op-first', ...connection);

    expect(redriven.code).toBe(2);
    expect(redriven.stderr).toMatch(/^lambda-inventory: redrive: ExecutionNotRedrivable: /);
  });
});

describe('serve', () => {
  it('serves the simulated fleet until stopped, and the start command it prints runs to a report in its folder', async () => {
    const dir = await tempDir('serve');
    const spec = join(dir.path, 'fleet.json');
    await writeFile(spec, JSON.stringify(FLEET_SPEC));
    const served = captureIo();
    let stop: () => void = () => undefined;
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    try {
      const exitCode = serve.execute(
        serve.parse(['--simulate', spec, '--regions', REGIONS.join(','), '--port', '0', '--out', dir.path]),
        served.io,
        until,
      );
      await vi.waitFor(() => expect(served.stdout()).toContain('Press Ctrl-C to stop.'), { timeout: 30_000 });
      const printed = served.stdout();
      const url = /^Step Functions endpoint listening on (\S+)$/m.exec(printed)?.[1] ?? '';
      const tryStart = /^ {2}lambda-inventory (start .*)$/m.exec(printed)?.[1] ?? '';

      const run = await cli(...tryStart.split(' '), '--poll-interval', '50', '--min-coverage', '0');
      stop();

      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(printed).toContain(`state machine ${SERVE_STATE_MACHINE_ARN}`);
      expect(tryStart).toBe(`start --endpoint-url ${url} --out ${dir.path} --wait`);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^Run \S+: \d+ functions in /m);
      expect(run.stdout).toContain(`Report: ${dir.path}/reports/`);
      expect(await exitCode).toBe(0);
      expect(served.stdout()).toMatch(/endpoint stopped\n$/);
    } finally {
      stop();
      await dir.remove();
    }
  }, 90_000);
});

describe('bad input', () => {
  const cases: [string, string[], RegExp][] = [
    ['start: a bad account id', ['start', '--accounts', '12345'], /--accounts: "12345"/],
    [
      'start: OU filters without --organization',
      ['start', '--include-ous', 'ou-ab12-cdef5678'],
      /--include-ous/,
    ],
    ['start: a bad region', ['start', '--regions', 'mars-1'], /--regions: "mars-1"/],
    ['start: a bad run id', ['start', '--run-id', 'no spaces'], /--run-id/],
    ['start: an unknown flag', ['start', '--acounts', '123456789012'], /unknown option --acounts/],
    [
      'start: a bad state machine ARN',
      ['start', '--state-machine-arn', 'nope', '--bucket', 'b'],
      /--state-machine-arn/,
    ],
    ['start: --bucket without the ARN', ['start', '--bucket', 'b'], /--bucket needs --state-machine-arn/],
    ['start: a bad endpoint', ['start', '--endpoint-url', 'localhost'], /--endpoint-url/],
    ['start: --out without an endpoint', ['start', '--out', 'dir'], /--out needs --endpoint-url/],
    ['start: a bad --min-coverage', ['start', ...FAST_WAIT, '--min-coverage', '101'], /--min-coverage/],
    ['status: no execution', ['status', '--wait'], /missing execution/],
    ['status: a bad --poll-interval', ['status', 'x', '--poll-interval', '-1'], /--poll-interval/],
    ['runs: a bad --limit', ['runs', '--limit', '0'], /--limit/],
    ['retry: no run id', ['retry'], /missing run id/],
    ['retry: a bad run id', ['retry', 'bad id!'], /retry <runId>: "bad id!"/],
    ['retry: a bad --run-id', ['retry', 'op-first', '--run-id', '-x'], /--run-id/],
    ['redrive: no execution', ['redrive'], /missing execution/],
    [
      'redrive: --stack with --endpoint-url',
      ['redrive', 'x', '--stack', 's', '--endpoint-url', 'http://127.0.0.1:1'],
      /--endpoint-url and --stack/,
    ],
    ['serve: a bad port', ['serve', '--port', '70000'], /--port/],
    ['serve: --out with --bucket', ['serve', '--out', 'a', '--bucket', 'b'], /--out and --bucket/],
    ['serve: a bad account id', ['serve', '--accounts', 'abc'], /--accounts: "abc"/],
  ];

  /** Where no connection flag is under test, the endpoint: a command that got past parsing would start something. */
  const CONNECTION = ['--endpoint-url', '--stack', '--state-machine-arn', '--bucket', '--out'];
  const withEndpoint = (argv: string[]) =>
    argv[0] === 'serve' || argv.some((arg) => CONNECTION.includes(arg))
      ? argv
      : [...argv, '--endpoint-url', endpoint.server.url];

  it.each(cases)('%s exits 2 with one line naming the flag, and starts nothing', async (_, argv, flag) => {
    const before = await executionNames();

    const result = await cli(...withEndpoint(argv));

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(flag);
    expect(await executionNames()).toEqual(before);
  });
});
