import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SIGNAL_TIMEOUT_SECONDS } from '../../functions/shared/command-signals';
import { STEP_ENV } from '../../functions/shared/env';
import { MesosClusterStack } from '../../infra/stacks/mesos-cluster-stack';

type Json = Record<string, unknown>;

describe('MesosClusterStack command signals', () => {
  let stack: MesosClusterStack;
  let template: Template;

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
    stack = new MesosClusterStack(app, 'MesosCluster', { env: { region: 'eu-west-1' } });
    template = Template.fromStack(stack);
  });

  const tableId = () => stack.getLogicalId(stack.commandSignals.table.node.defaultChild as never);
  const fnId = (step: string) => stack.getLogicalId(stack.steps[step as 'relay-command-signal'].function.node.defaultChild as never);

  it('keeps the task tokens in an encrypted on-demand table keyed by command id, with point-in-time recovery and a TTL', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'commandId', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'commandId', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('hands the final status of the configure documents to Relay Command Signal, keeping an event no longer than a signal wait lasts', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ssm'],
        'detail-type': ['EC2 Command Status-change Notification'],
        detail: {
          'document-name': [
            { Ref: Match.stringLikeRegexp('^DocumentsConfigureMaster') },
            { Ref: Match.stringLikeRegexp('^DocumentsConfigureSlave') },
          ],
          status: ['Success', 'Failed', 'TimedOut', 'Cancelled'],
        },
      },
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [fnId('relay-command-signal'), 'Arn'] },
          Id: 'Target0',
          RetryPolicy: { MaximumEventAgeInSeconds: SIGNAL_TIMEOUT_SECONDS, MaximumRetryAttempts: 2 },
        },
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId('relay-command-signal'), 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });

  it('names the table in every step function environment', () => {
    // Prepare
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables?: Json } };
    }[];

    // Assess
    const steps = functions.filter((f) => f.Properties.Environment?.Variables?.[STEP_ENV.nodeInstanceProfile] !== undefined);
    expect(steps.length).toBeGreaterThan(40);
    for (const f of steps) expect(f.Properties.Environment?.Variables?.[STEP_ENV.commandWaitsTable]).toEqual({ Ref: tableId() });
  });

  it.each([
    ['await-command-signal', ['dynamodb:PutItem', 'dynamodb:DeleteItem']],
    ['relay-command-signal', ['dynamodb:GetItem', 'dynamodb:DeleteItem']],
  ])('lets %s use items of the table only, and no other step touch it', (step, actions) => {
    // Prepare
    const policies = template.findResources('AWS::IAM::Policy') as Record<
      string,
      { Properties: { PolicyDocument: { Statement: Json[] } } }
    >;
    const onTable = Object.entries(policies).flatMap(([id, p]) =>
      p.Properties.PolicyDocument.Statement.filter((s) => JSON.stringify(s).includes('dynamodb:')).map((s) => ({ id, s }))
    );

    // Assess
    const own = onTable.filter(({ id }) => id.startsWith(step.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())));
    expect(own).toEqual([
      { id: expect.any(String), s: { Effect: 'Allow', Action: actions, Resource: { 'Fn::GetAtt': [tableId(), 'Arn'] } } },
    ]);
    expect(onTable).toHaveLength(2);
  });

  it('passes the cdk-nag AwsSolutions checks', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    expect(report.violations).toEqual([]);
  });
});
