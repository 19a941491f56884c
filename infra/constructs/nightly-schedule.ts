/** The EventBridge Scheduler schedule that starts a run with an empty input (the deployed configuration). */
import { TimeZone } from 'aws-cdk-lib';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { InventoryConfig } from '../../shared/config.ts';

export interface NightlyScheduleProps {
  readonly stateMachine: IStateMachine;
  readonly schedule: InventoryConfig['schedule'];
}

export class NightlySchedule extends Schedule {
  constructor(scope: Construct, id: string, { stateMachine, schedule }: NightlyScheduleProps) {
    super(scope, id, {
      description: 'Starts the nightly lambda-inventory run',
      schedule: ScheduleExpression.expression(schedule.expression, TimeZone.of(schedule.timezone)),
      target: new StepFunctionsStartExecution(stateMachine, { input: ScheduleTargetInput.fromObject({}) }),
    });
  }
}
