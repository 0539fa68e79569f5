/**
 * The stack's IAM and wiring choices that the service authorization data and cfn-lint call
 * for: the customer-managed EBS key, the cluster alarms' scope, DisassociateAddress, the
 * Canonical owner per partition, the opt-in API Gateway CloudWatch role, the scale starts'
 * dead-letter queue, and the empty defaults of the SSM documents.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CANONICAL_ACCOUNTS } from '../../infra/permissions';
import { deploySettings, SETTING_KEYS } from '../../infra/settings';
import { MesosClusterStack } from '../../infra/stacks/mesos-cluster-stack';

type Json = Record<string, unknown>;

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function buildStack(
  context: Json = {},
  props: { ebsKmsKeyArn?: string; apiGatewayCloudWatchRole?: boolean } = {}
): { stack: MesosClusterStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context }, builtinCloudFormationValidation: false });
  const stack = new MesosClusterStack(app, 'MesosCluster', { env: { region: 'eu-west-1' }, wireScaleMachine: true, ...props });
  return { stack, template: Template.fromStack(stack) };
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** The statements of the policies whose logical id starts with `prefix`. */
function statementsOf(template: Template, prefix = ''): Json[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, { Properties: { PolicyDocument: { Statement: Json[] } } }>;
  return Object.entries(policies)
    .filter(([id]) => id.startsWith(prefix))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

const withAction = (statements: Json[], action: string) => statements.filter((s) => list(s.Action).includes(action));

const VIA_EC2 = { 'kms:ViaService': { 'Fn::Join': ['', ['ec2.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } };

describe('the customer-managed default EBS key', () => {
  it('grants no KMS action anywhere without a configured key', () => {
    // Act
    const { template } = buildStack();

    // Assess
    expect(statementsOf(template).filter((s) => list(s.Action).some((a) => String(a).startsWith('kms:')))).toEqual([]);
  });

  it.each([
    ['the context', { [SETTING_KEYS.ebsKmsKeyArn]: KEY_ARN }, {}],
    ['the stack prop', {}, { ebsKmsKeyArn: KEY_ARN }],
  ])('lets the launch and bake steps use the key through EC2 when %s names it', (_, context, props) => {
    // Act
    const { template } = buildStack(context, props);
    const kms = statementsOf(template).filter((s) => list(s.Action).some((a) => String(a).startsWith('kms:')));

    // Assess
    for (const step of ['LaunchInstancesStep', 'BakeImageStep']) {
      const statements = statementsOf(template, step);
      expect(withAction(statements, 'kms:CreateGrant')).toEqual([
        {
          Effect: 'Allow',
          Action: 'kms:CreateGrant',
          Resource: KEY_ARN,
          Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' }, StringEquals: VIA_EC2 },
        },
      ]);
      expect(withAction(statements, 'kms:Decrypt')).toEqual([
        {
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
          Resource: KEY_ARN,
          Condition: { StringEquals: VIA_EC2 },
        },
      ]);
    }
    // Only those two steps, two statements each.
    expect(kms).toHaveLength(4);
  });

  it('passes the cdk-nag AwsSolutions checks with a key and the API Gateway role', () => {
    // Prepare
    const { stack } = buildStack({ [SETTING_KEYS.ebsKmsKeyArn]: KEY_ARN, [SETTING_KEYS.apiGatewayCloudWatchRole]: true });

    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    expect(report.violations).toEqual([]);
  });

  it.each([
    ['alias/aws/ebs', /ebsKmsKeyArn: must be a KMS key ARN/],
    ['arn:aws:kms:eu-west-1:111122223333:alias/ebs', /ebsKmsKeyArn: must be a KMS key ARN/],
  ])('refuses %s as the key (a grant needs the key ARN)', (value, message) => {
    // Prepare
    const app = new App({ context: { [SETTING_KEYS.ebsKmsKeyArn]: value } });

    // Act
    const read = () => deploySettings(app.node);

    // Assess
    expect(read).toThrow(message);
  });
});

describe('the cluster alarms', () => {
  let template: Template;

  beforeAll(() => {
    ({ template } = buildStack());
  });

  const ALARMS_ARN = {
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:', { Ref: 'AWS::AccountId' }, ':alarm:mesos-cluster-*']],
  };

  it('lets DescribeAlarms read only the alarms named mesos-cluster-…', () => {
    // Act
    const describes = withAction(statementsOf(template), 'cloudwatch:DescribeAlarms');

    // Assess
    expect(describes).toHaveLength(3);
    for (const statement of describes)
      expect(statement).toEqual({ Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: ALARMS_ARN });
  });

  it('lets Create Scaling Alarms create and tag only alarms that carry a cluster id', () => {
    // Act
    const puts = withAction(statementsOf(template), 'cloudwatch:PutMetricAlarm');

    // Assess
    expect(puts).toEqual([
      {
        Effect: 'Allow',
        Action: ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource'],
        Resource: ALARMS_ARN,
        Condition: { Null: { 'aws:RequestTag/mesos-cluster:id': 'false' } },
      },
    ]);
  });
});

describe('releasing the addresses', () => {
  it('names only the address and the network interface for DisassociateAddress, never an instance', () => {
    // Prepare
    const { template } = buildStack();

    // Act
    const resources = withAction(statementsOf(template, 'ReleaseAddressesStep'), 'ec2:DisassociateAddress').flatMap((s) =>
      list(s.Resource).map((r) => JSON.stringify(r))
    );

    // Assess
    expect(resources).toHaveLength(2);
    expect(resources.filter((r) => r.includes(':elastic-ip/*'))).toHaveLength(1);
    expect(resources.filter((r) => r.includes(':network-interface/*'))).toHaveLength(1);
    expect(resources.filter((r) => r.includes(':instance/'))).toEqual([]);
  });
});

describe("Canonical's account per partition", () => {
  it('lets RunInstances use images of Canonical in the stack partition or of this account', () => {
    // Prepare
    const { template } = buildStack();

    // Act
    const images = withAction(statementsOf(template, 'LaunchInstancesStep'), 'ec2:RunInstances').filter((s) =>
      JSON.stringify(s.Resource).includes(':image/*')
    );
    const mappings = template.toJSON().Mappings as Record<string, unknown>;
    const [mappingId] = Object.keys(mappings).filter((id) => id.startsWith('CanonicalAccountByPartition'));

    // Assess
    expect(mappings[mappingId ?? '']).toEqual({
      aws: { account: '099720109477' },
      'aws-us-gov': { account: '513442679011' },
      'aws-cn': { account: '837727238323' },
    });
    expect(Object.keys(CANONICAL_ACCOUNTS).sort()).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
    expect(images).toHaveLength(1);
    expect(images[0]?.Condition).toEqual({
      StringEquals: { 'ec2:Owner': [{ 'Fn::FindInMap': [mappingId, { Ref: 'AWS::Partition' }, 'account'] }, { Ref: 'AWS::AccountId' }] },
    });
  });
});

describe("API Gateway's account-wide CloudWatch role", () => {
  it('is left alone by default', () => {
    // Act
    const { template } = buildStack();

    // Assess
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain('AmazonAPIGatewayPushToCloudWatchLogs');
  });

  it.each([
    ['the context', { [SETTING_KEYS.apiGatewayCloudWatchRole]: 'true' }, {}],
    ['the stack prop', {}, { apiGatewayCloudWatchRole: true }],
  ])('is set from the stack when %s asks for it', (_, context, props) => {
    // Act
    const { template } = buildStack(context, props);

    // Assess
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    template.hasResourceProperties('AWS::ApiGateway::Account', { CloudWatchRoleArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
  });

  it('refuses a setting that is not true or false', () => {
    // Prepare
    const app = new App({ context: { [SETTING_KEYS.apiGatewayCloudWatchRole]: 'yes' } });

    // Act
    const read = () => deploySettings(app.node);

    // Assess
    expect(read).toThrow(/apiGatewayCloudWatchRole: must be true or false/);
  });
});

describe('the starts of the scale machine', () => {
  let stack: MesosClusterStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = buildStack({
      'mesos-cluster:scheduledScaling': [{ name: 'nightly', clusterId: 'blue-1a2b3c', expression: 'cron(0 20 * * ? *)', slaves: 1 }],
    }));
  });

  it('sends every start the alarm rules and schedules gave up on to an encrypted, TLS-only dead-letter queue', () => {
    // Prepare
    const queueArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.scaleTriggers?.deadLetterQueue.node.defaultChild as never), 'Arn'] };

    // Act
    const rules = Object.values(
      template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.cloudwatch'] } } })
    ) as { Properties: { Targets: Json[] } }[];
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule')) as { Properties: { Target: Json } }[];

    // Assess
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      },
    });
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.Properties.Targets[0]).toEqual(
        expect.objectContaining({
          DeadLetterConfig: { Arn: queueArn },
          RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        })
      );
    }
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.Properties.Target).toEqual(expect.objectContaining({ DeadLetterConfig: { Arn: queueArn } }));
  });

  it('alarms as soon as one start is in the dead-letter queue', () => {
    // Act
    const queueName = { 'Fn::GetAtt': [stack.getLogicalId(stack.scaleTriggers?.deadLetterQueue.node.defaultChild as never), 'QueueName'] };

    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queueName }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
    });
  });
});

describe('the SSM documents', () => {
  it('give every parameter that may be empty the empty default', () => {
    // Prepare
    const { template } = buildStack();
    const docs = template.findResources('AWS::SSM::Document') as Record<
      string,
      { Properties: { Content: { parameters: Record<string, { allowedPattern: string; default?: string }> } } }
    >;

    // Act
    const parameters = Object.values(docs).flatMap((d) => Object.entries(d.Properties.Content.parameters));
    const mayBeEmpty = parameters.filter(([, p]) => new RegExp(p.allowedPattern).test(''));
    const mustBeGiven = parameters.filter(([, p]) => !new RegExp(p.allowedPattern).test(''));

    // Assess
    expect(new Set(mayBeEmpty.map(([name]) => name))).toEqual(
      new Set([
        'AgentIps',
        'ClusterId',
        'PackageSource',
        'MesosPackageKey',
        'MesosPackageSha256',
        'MarathonPackageKey',
        'MarathonPackageSha256',
      ])
    );
    for (const [, parameter] of mayBeEmpty) expect(parameter.default).toBe('');
    expect(mustBeGiven.length).toBeGreaterThan(0);
    for (const [, parameter] of mustBeGiven) expect(parameter.default).toBeUndefined();
  });
});
