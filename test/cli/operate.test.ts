/**
 * The pure parts of the operating commands: which state machine and reports the flags name, the
 * execution input of `start`, the targets `retry` reads back from a coverage.csv written by reduce's own
 * writer, the `runs` table, and the stack outputs (CloudFormation mocked: there is no AWS here).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_STACK,
  executionArnOf,
  parseConnection,
  SERVE_STATE_MACHINE_ARN,
  stackOutputs,
} from '../../cli/operate/connection.ts';
import { coverageKeyOf, parseCoverageCsv, retryPlan } from '../../cli/operate/coverage-file.ts';
import { describeRetry } from '../../cli/operate/retry-input.ts';
import { parseRunInput } from '../../cli/operate/run-input.ts';
import { type RunRow, renderRuns } from '../../cli/operate/runs-table.ts';
import { progressLine, watchExecution } from '../../cli/operate/watch.ts';
import { coverageCsv } from '../../functions/reduce/csv.ts';
import { FolderObjectStore } from '../../functions/shared/object-store.ts';
import type { CoverageEntry } from '../../shared/contracts.ts';
import { captureIo } from './support.ts';

const ARN = 'arn:aws:states:eu-west-1:111122223333:stateMachine:Inventory';

describe('parseConnection', () => {
  it.each([
    ['nothing: the default stack', {}, { kind: 'stack', stack: DEFAULT_STACK }],
    ['--stack', { stack: 'Other' }, { kind: 'stack', stack: 'Other' }],
    [
      '--state-machine-arn with --bucket',
      { 'state-machine-arn': ARN, bucket: 'reports' },
      { kind: 'explicit', stateMachineArn: ARN, bucket: 'reports' },
    ],
    [
      '--endpoint-url: serve state machine, default folder',
      { 'endpoint-url': 'http://127.0.0.1:8083/' },
      {
        kind: 'endpoint',
        endpointUrl: 'http://127.0.0.1:8083',
        stateMachineArn: SERVE_STATE_MACHINE_ARN,
        reports: { folder: './inventory-data' },
      },
    ],
    [
      '--endpoint-url with --bucket',
      { 'endpoint-url': 'http://localhost:4566', 'state-machine-arn': ARN, bucket: 'b' },
      {
        kind: 'endpoint',
        endpointUrl: 'http://localhost:4566',
        stateMachineArn: ARN,
        reports: { bucket: 'b' },
      },
    ],
  ])('reads %s', (_, values, expected) => {
    expect(parseConnection(values)).toEqual(expected);
  });

  it.each([
    [
      { 'state-machine-arn': 'arn:aws:states:eu-west-1:111122223333:execution:Inventory:x', bucket: 'b' },
      '--state-machine-arn',
    ],
    [{ 'state-machine-arn': ARN }, '--state-machine-arn needs --bucket'],
    [{ bucket: 'b' }, '--bucket needs --state-machine-arn'],
    [{ stack: 's', 'state-machine-arn': ARN, bucket: 'b' }, '--stack and --state-machine-arn'],
    [{ 'endpoint-url': 'ftp://host' }, '--endpoint-url'],
    [{ 'endpoint-url': 'http://h:1', stack: 's' }, '--endpoint-url and --stack'],
    [{ 'endpoint-url': 'http://h:1', out: 'o', bucket: 'b' }, '--out and --bucket'],
    [{ out: 'o' }, '--out needs --endpoint-url'],
  ])('rejects %j naming the flag', (values, message) => {
    expect(() => parseConnection(values)).toThrow(message);
  });
});

describe('executionArnOf', () => {
  it('builds the ARN of an execution of the state machine from its name, and keeps an ARN', () => {
    expect(executionArnOf('run-1', ARN)).toBe(
      'arn:aws:states:eu-west-1:111122223333:execution:Inventory:run-1',
    );
    expect(executionArnOf('arn:aws:states:x', ARN)).toBe('arn:aws:states:x');
  });
});

describe('parseRunInput', () => {
  it('gives only the targets asked for, in the RunInput contract', () => {
    expect(parseRunInput({ accounts: ['111122223333,444455556666'], regions: ['eu-west-1'] })).toEqual({
      accounts: [{ id: '111122223333' }, { id: '444455556666' }],
      regions: ['eu-west-1'],
    });
    expect(parseRunInput({})).toEqual({});
    expect(parseRunInput({ organization: true, 'exclude-accounts': ['111122223333'] })).toEqual({
      organization: { includeOus: [], excludeOus: [], excludeAccounts: ['111122223333'] },
    });
  });

  it('rejects --accounts with --organization', () => {
    expect(() => parseRunInput({ accounts: ['111122223333'], organization: true })).toThrow(
      '--accounts and --organization',
    );
  });
});

const entry = (accountId: string, region: string | null, status: CoverageEntry['status']): CoverageEntry => ({
  accountId,
  accountName: 'name, with "quotes"',
  region,
  status,
  functionCount: status === 'ok' ? 3 : null,
  pages: null,
  durationMs: null,
  errorCode: status === 'ok' ? null : 'Code',
  message: status === 'account-skipped' ? 'SUSPENDED' : null,
});

describe('retryPlan', () => {
  it('retries access-denied, throttled, error and not-scanned targets, not disabled regions or skipped accounts', () => {
    const csv = coverageCsv([
      entry('111111111111', 'eu-west-1', 'ok'),
      entry('111111111111', 'us-east-1', 'throttled'),
      entry('222222222222', 'eu-west-1', 'access-denied'),
      entry('222222222222', 'us-east-1', 'access-denied'),
      entry('333333333333', 'eu-south-1', 'region-not-enabled'),
      entry('444444444444', null, 'account-skipped'),
      entry('555555555555', 'eu-west-1', 'not-scanned'),
      entry('666666666666', 'us-east-1', 'error'),
    ]);

    const plan = retryPlan(parseCoverageCsv(csv));

    expect(plan.pairs).toEqual([
      { accountId: '111111111111', region: 'us-east-1' },
      { accountId: '222222222222', region: 'eu-west-1' },
      { accountId: '222222222222', region: 'us-east-1' },
      { accountId: '555555555555', region: 'eu-west-1' },
      { accountId: '666666666666', region: 'us-east-1' },
    ]);
    expect(plan.accounts).toEqual(['111111111111', '222222222222', '555555555555', '666666666666']);
    expect(plan.regions).toEqual(['us-east-1', 'eu-west-1']);
    // 4 accounts x 2 regions scan 3 pairs the run had no trouble with, and the command says so
    expect(plan.extraPairs).toBe(3);
    expect(describeRetry('r1', plan)).toBe(
      'retrying 5 targets of run r1: 4 accounts x 2 regions (3 pairs of these scanned already: an execution input names accounts and regions, not pairs)',
    );
  });

  it('reads quoted cells back as written', () => {
    const [row] = parseCoverageCsv(coverageCsv([entry('444444444444', null, 'account-skipped')]));

    expect(row).toEqual({
      accountId: '444444444444',
      accountName: 'name, with "quotes"',
      region: '',
      status: 'account-skipped',
      errorCode: 'Code',
      message: 'SUSPENDED',
    });
  });

  it('rejects a file that is not a coverage.csv', () => {
    expect(() => parseCoverageCsv('a,b\r\n1,2\r\n')).toThrow('coverage.csv does not start with the header');
  });

  it("finds a run's coverage.csv among the report keys, the newest day first", () => {
    const keys = [
      'reports/2026-12-01/r1/coverage.csv',
      'reports/2026-12-02/r1/coverage.csv',
      'reports/2026-12-02/r10/coverage.csv',
      'reports/2026-12-02/r1/summary.json',
    ];

    expect(coverageKeyOf(keys, 'r1')).toBe('reports/2026-12-02/r1/coverage.csv');
    expect(coverageKeyOf(keys, 'r2')).toBeUndefined();
  });
});

describe('renderRuns', () => {
  const row: RunRow = {
    name: 'nightly-1',
    status: 'SUCCEEDED',
    startDate: '2026-12-03T02:00:00.123Z',
    durationMs: 65_000,
    runId: 'nightly-1',
    functions: 1200,
    coveragePercent: 97.5,
    deprecated: 40,
  };

  it('shows an unknown figure as "-", never as 0', () => {
    const failed: RunRow = {
      ...row,
      name: 'nightly-0',
      status: 'FAILED',
      functions: null,
      coveragePercent: null,
      deprecated: null,
    };

    const lines = renderRuns([row, failed], (ms) => `${ms / 1000} s`).split('\n');

    expect(lines[1]).toMatch(/^nightly-1\s+SUCCEEDED\s+2026-12-03T02:00:00Z\s+65 s\s+1200\s+97\.5%\s+40$/);
    expect(lines[2]).toMatch(/^nightly-0\s+FAILED\s+2026-12-03T02:00:00Z\s+65 s\s+-\s+-\s+-$/);
  });

  it('says so when there are no executions', () => {
    expect(renderRuns([], String)).toBe('no executions');
  });
});

describe('progressLine', () => {
  it("counts the Map Run's items", () => {
    expect(progressLine('r', 'RUNNING', { succeeded: 5, failed: 1, pending: 2, running: 2, total: 10 })).toBe(
      'r RUNNING: 6/10 targets: 5 succeeded, 1 failed, 4 pending',
    );
    expect(progressLine('r', 'RUNNING', undefined)).toBe('r RUNNING: planning');
  });
});

describe('stackOutputs', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  afterEach(() => cloudFormation.reset());

  it("reads the central stack's StateMachineArn and BucketName", async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'LambdaInventory' }).resolves({
      Stacks: [
        {
          StackName: 'LambdaInventory',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'StateMachineArn', OutputValue: ARN },
            { OutputKey: 'BucketName', OutputValue: 'inventory-reports' },
          ],
        },
      ],
    });

    await expect(
      stackOutputs('LambdaInventory', new CloudFormationClient({ region: 'eu-west-1' })),
    ).resolves.toEqual({
      stateMachineArn: ARN,
      bucket: 'inventory-reports',
    });
  });

  it('names --stack when the stack is missing or is not the central stack', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: 'Member' }).resolves({
      Stacks: [
        { StackName: 'Member', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [] },
      ],
    });
    cloudFormation
      .on(DescribeStacksCommand, { StackName: 'Gone' })
      .rejects(Object.assign(new Error('Stack with id Gone does not exist'), { name: 'ValidationError' }));
    const client = () => new CloudFormationClient({ region: 'eu-west-1' });

    await expect(stackOutputs('Member', client())).rejects.toThrow(
      '--stack Member: the stack has no StateMachineArn',
    );
    await expect(stackOutputs('Gone', client())).rejects.toThrow(
      "--stack Gone: cannot read the stack's outputs: Stack with id Gone does not exist",
    );
  });
});

describe('watchExecution', () => {
  const sfnMock = mockClient(SFNClient);
  afterEach(() => sfnMock.reset());
  const executionArn = 'arn:aws:states:eu-west-1:111122223333:execution:Inventory:r';
  const mapRunArn = 'arn:aws:states:eu-west-1:111122223333:mapRun:Inventory/Scan:1';

  /** Two looks while running (the Map Run half done, then done), then FAILED. */
  function failingExecution(): void {
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({
        executionArn,
        name: 'r',
        status: 'RUNNING',
        stateMachineArn: ARN,
        startDate: new Date(),
      })
      .resolvesOnce({
        executionArn,
        name: 'r',
        status: 'RUNNING',
        stateMachineArn: ARN,
        startDate: new Date(),
      })
      .resolves({
        executionArn,
        name: 'r',
        status: 'FAILED',
        stateMachineArn: ARN,
        startDate: new Date(),
        error: 'States.ExceedToleratedFailureThreshold',
        cause: 'too many failed batches\nmore detail',
      });
    sfnMock.on(ListMapRunsCommand, { executionArn }).resolves({
      mapRuns: [{ executionArn, mapRunArn, stateMachineArn: ARN, startDate: new Date() }],
    });
    const counts = (succeeded: number, pending: number) => ({
      pending,
      running: 0,
      succeeded,
      failed: 0,
      timedOut: 0,
      aborted: 0,
      total: 4,
      resultsWritten: succeeded,
    });
    sfnMock
      .on(DescribeMapRunCommand, { mapRunArn })
      .resolvesOnce({ itemCounts: counts(2, 2) } as never)
      .resolves({ itemCounts: counts(4, 0) } as never);
  }

  const options = { wait: true, pollMs: 1, minCoverage: 90, json: false };
  const store = new FolderObjectStore('/nonexistent');

  it('redraws one progress line on a TTY, clears it, and exits 1 naming the error of a failed execution', async () => {
    failingExecution();
    const captured = captureIo();
    Object.assign(captured.io.stdout, { isTTY: true });

    const code = await watchExecution(
      new SFNClient({ region: 'eu-west-1' }),
      store,
      executionArn,
      options,
      captured.io,
    );
    await new Promise((resolve) => setImmediate(resolve));

    expect(code).toBe(1);
    expect(captured.stdout()).toBe(
      '\rr RUNNING: 2/4 targets: 2 succeeded, 0 failed, 2 pending\x1b[K' +
        '\rr RUNNING: 4/4 targets: 4 succeeded, 0 failed, 0 pending\x1b[K' +
        '\r\x1b[K',
    );
    expect(captured.stderr()).toBe(
      'lambda-inventory: execution r FAILED: States.ExceedToleratedFailureThreshold: too many failed batches\n',
    );
  });

  it('writes plain lines, one per change, when not on a TTY', async () => {
    failingExecution();
    const captured = captureIo();

    await watchExecution(new SFNClient({ region: 'eu-west-1' }), store, executionArn, options, captured.io);
    await new Promise((resolve) => setImmediate(resolve));

    expect(captured.stdout()).toBe(
      'r RUNNING: 2/4 targets: 2 succeeded, 0 failed, 2 pending\n' +
        'r RUNNING: 4/4 targets: 4 succeeded, 0 failed, 0 pending\n',
    );
  });
});
