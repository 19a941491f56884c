/**
 * The state machine that runs the one workflow definition (statemachine/inventory-workflow.ts):
 * Standard, with every event logged (without execution data) and tracing.
 */
import { Aws, Duration, Fn, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { InventoryWorkflow, type MapSettings } from '../../statemachine/inventory-workflow.ts';

export interface InventoryStateMachineProps {
  readonly plan: IFunction;
  readonly worker: IFunction;
  /** How long one worker attempt may last (at least the worker's own timeout). */
  readonly workerTimeout: Duration;
  readonly reduce: IFunction;
  readonly bucket: IBucket;
  readonly map: MapSettings;
  readonly logRetention: RetentionDays;
}

export class InventoryStateMachine extends StateMachine {
  readonly logGroup: LogGroup;

  /** `id` names the state machine; its log group is a sibling, `<id>Logs`. */
  constructor(scope: Construct, id: string, props: InventoryStateMachineProps) {
    const workflow = new InventoryWorkflow(scope, 'Workflow', {
      plan: props.plan,
      worker: props.worker,
      workerTimeout: props.workerTimeout,
      reduce: props.reduce,
      bucket: props.bucket,
      ...props.map,
    });
    // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's size-limited
    // CloudWatch Logs resource policy. The log group outlives the stack (its logs are kept until they
    // expire), so its name ends with the stack's unique id: a stack deployed again after `cdk destroy`
    // does not collide with the log group its predecessor left behind.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/vendedlogs/states/${Stack.of(scope).stackName}-${stackUuid}`,
      retention: props.logRetention,
    });
    super(scope, id, {
      comment: 'lambda-inventory: plan, scan every account x region with a Distributed Map, reduce',
      definitionBody: DefinitionBody.fromChainable(workflow.definition),
      stateMachineType: StateMachineType.STANDARD,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      // a hung run ends before the next nightly run starts
      timeout: Duration.hours(23),
    });
    this.logGroup = logGroup;
  }
}
