/**
 * What every state machine of the product has: a log group under /aws/vendedlogs/states/
 * at level ALL with execution data, X-Ray tracing (cdk-nag AwsSolutions-SF1/SF2), and an
 * alarm on failed executions.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Logging and tracing settings of a machine construct. */
export interface MachineObservabilityProps {
  /** @default a new log group `/aws/vendedlogs/states/<stack name>-<machine>` */
  readonly logGroup?: logs.ILogGroup;
  /** @default sfn.LogLevel.ALL */
  readonly logLevel?: sfn.LogLevel;
  /** Log the states' input and output (the CLI and operators read failure codes from it). @default true */
  readonly includeExecutionData?: boolean;
  /** Retention of the log group created when none is given. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default true */
  readonly tracingEnabled?: boolean;
}

interface ObservabilityConstructProps extends MachineObservabilityProps {
  /** 'create' or 'teardown': names the log group. */
  readonly machineLabel: string;
}

/** The log group, log options and tracing flag of one machine, and its failure alarm. */
export class MachineObservability extends Construct {
  readonly logGroup: logs.ILogGroup;
  readonly logOptions: sfn.LogOptions;
  readonly tracingEnabled: boolean;

  constructor(scope: Construct, id: string, props: ObservabilityConstructProps) {
    super(scope, id);
    // Step Functions delivers logs through CloudWatch vended logs; this prefix keeps the
    // log group's resource policy small (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html).
    this.logGroup =
      props.logGroup ??
      new logs.LogGroup(this, 'LogGroup', {
        logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${props.machineLabel}`,
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    this.logOptions = {
      destination: this.logGroup,
      level: props.logLevel ?? sfn.LogLevel.ALL,
      includeExecutionData: props.includeExecutionData ?? true,
    };
    this.tracingEnabled = props.tracingEnabled ?? true;
  }

  /** An alarm that fires when an execution of the machine fails. */
  alarmOnFailures(machine: sfn.StateMachine): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, 'ExecutionsFailedAlarm', {
      metric: machine.metricFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `An execution of ${machine.node.path} failed`,
    });
  }
}
