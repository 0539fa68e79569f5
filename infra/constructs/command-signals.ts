/**
 * The completion signals of the SSM commands the machines wait for
 * (functions/shared/command-signals.ts):
 *
 * - the command-waits table: the token of each waiting task by command id, encrypted,
 *   with point-in-time recovery and a TTL attribute so that forgotten items go;
 * - an EventBridge rule on Systems Manager's `EC2 Command Status-change Notification` for a
 *   final status of the product's configure documents, whose target is Relay Command Signal.
 *
 * No dead-letter queue: an event that never reaches the relay costs the waiting task one
 * signal timeout, after which the machine checks the command itself. For the same reason an
 * event older than that timeout is of no use, and EventBridge keeps it no longer.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { COMMAND_WAIT_KEY, COMMAND_WAIT_TTL, commandSignalPattern, SIGNAL_TIMEOUT_SECONDS } from '../../functions/shared/command-signals';

export interface CommandSignalsProps {
  /** The names of the SSM documents whose commands the machines wait for. */
  readonly documentNames: readonly string[];
}

export class CommandSignals extends Construct {
  readonly table: dynamodb.Table;
  /** Created by `relayTo`. */
  rule?: events.Rule;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: CommandSignalsProps
  ) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'CommandWaits', {
      partitionKey: { name: COMMAND_WAIT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: COMMAND_WAIT_TTL,
      // Its items live a day at most: nothing to keep when the stack goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** The rule that hands the command status events to `relay` (Relay Command Signal). */
  relayTo(relay: lambda.IFunction): events.Rule {
    if (this.rule) throw new Error('CommandSignals: the relay is already set');
    const pattern = commandSignalPattern(this.props.documentNames);
    this.rule = new events.Rule(this, 'CommandStatusRule', {
      description: 'Final status of a configure command: Relay Command Signal wakes the task waiting for it',
      eventPattern: { source: pattern.source, detailType: pattern['detail-type'], detail: pattern.detail },
      targets: [
        new targets.LambdaFunction(relay, {
          retryAttempts: 2,
          maxEventAge: Duration.seconds(Math.max(60, SIGNAL_TIMEOUT_SECONDS)),
        }),
      ],
    });
    return this.rule;
  }
}
