/**
 * The alarms on runs, each notifying the run events topic:
 * - a run failed: an execution ended FAILED, TIMED_OUT or ABORTED (AWS/States, one metric-math sum);
 * - coverage low: a run covered less than `alarms.minCoveragePercent` of its targets (reduce's EMF metric);
 * - no success: no run succeeded for `alarms.maxHoursWithoutSuccess` hours, with the schedule on (a
 *   dead man's switch: a schedule that stopped firing, or runs that never finish, raise nothing else).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { InventoryConfig } from '../../shared/config.ts';
import { METRICS } from '../../shared/signals.ts';
import type { RunEventsTopic } from './run-events-topic.ts';

export interface RunAlarmsProps {
  readonly stateMachine: IStateMachine;
  readonly topic: RunEventsTopic;
  readonly alarms: InventoryConfig['alarms'];
  /** Watch for runs that stop succeeding: only when a schedule starts them. */
  readonly expectNightlyRuns: boolean;
}

/** The metric reduce emits with each report (shared/signals.ts), as the coverage alarm reads it. */
export function coverageMetric(period: Duration): Metric {
  return new Metric({
    namespace: METRICS.namespace,
    metricName: METRICS.names.coveragePercent,
    dimensionsMap: { [METRICS.serviceDimension]: METRICS.service },
    statistic: Stats.MINIMUM,
    period,
  });
}

export class RunAlarms extends Construct {
  readonly runFailed: Alarm;
  readonly coverageLow: Alarm;
  /** Absent without a schedule. */
  readonly noSuccess?: Alarm;

  constructor(scope: Construct, id: string, props: RunAlarmsProps) {
    super(scope, id);
    const { stateMachine, alarms } = props;
    const prefix = Stack.of(this).stackName;
    const fiveMinutes = Duration.minutes(5);

    this.runFailed = new Alarm(this, 'RunFailed', {
      alarmName: `${prefix}-run-failed`,
      alarmDescription:
        'A lambda-inventory run ended FAILED, TIMED_OUT or ABORTED: see reports/failures/<execution>.json in the report bucket.',
      // a metric without data in the period counts as 0, so one failure alone raises the alarm
      metric: new MathExpression({
        expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
        usingMetrics: {
          failed: stateMachine.metricFailed({ statistic: Stats.SUM, period: fiveMinutes }),
          timedOut: stateMachine.metricTimedOut({ statistic: Stats.SUM, period: fiveMinutes }),
          aborted: stateMachine.metricAborted({ statistic: Stats.SUM, period: fiveMinutes }),
        },
        label: 'Runs that ended FAILED, TIMED_OUT or ABORTED',
        period: fiveMinutes,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // no runs, no failures
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    this.coverageLow = new Alarm(this, 'CoverageLow', {
      alarmName: `${prefix}-coverage-low`,
      alarmDescription: `A lambda-inventory run covered less than ${alarms.minCoveragePercent}% of its targets: see coverage.csv of the latest report.`,
      metric: coverageMetric(Duration.hours(1)),
      threshold: alarms.minCoveragePercent,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // one value per run: the alarm keeps the latest run's verdict until the next run reports
      treatMissingData: TreatMissingData.IGNORE,
    });

    if (props.expectNightlyRuns) {
      const hours = alarms.maxHoursWithoutSuccess;
      this.noSuccess = new Alarm(this, 'NoSuccess', {
        alarmName: `${prefix}-no-successful-run`,
        alarmDescription: `No lambda-inventory run succeeded in the last ${hours} hours: is the schedule firing, and do runs finish?`,
        metric: stateMachine.metricSucceeded({ statistic: Stats.SUM, period: Duration.hours(1) }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        // every hour of the window without a success: one success anywhere in it keeps the alarm off
        evaluationPeriods: hours,
        datapointsToAlarm: hours,
        // an hour without runs has no data: it counts as an hour without success
        treatMissingData: TreatMissingData.BREACHING,
      });
    }

    // a failed run is one event, and its alarm clears by itself: only the state changes that say something new
    props.topic.notifyFromAlarms([
      { alarm: this.runFailed, ok: false },
      { alarm: this.coverageLow, ok: true },
      ...(this.noSuccess ? [{ alarm: this.noSuccess, ok: true }] : []),
    ]);
  }
}
