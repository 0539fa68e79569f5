/**
 * The deployable stack's API, triggers and deploy-time settings: every method AWS_IAM and
 * validated, the scale wiring (API route, alarm rules, schedules) proven with a stub scale
 * machine, the newest Node.js runtime everywhere, no wildcard action, and cdk-nag clean.
 */
import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { API_ROUTES } from '../../infra/api-routes';
import { acknowledgeStateMachineRole } from '../../infra/nag';
import { deploySettings, SETTING_KEYS } from '../../infra/settings';
import { MesosClusterStack } from '../../infra/stacks/mesos-cluster-stack';

type Json = Record<string, unknown>;

const SCHEDULE = {
  name: 'evening-scale-in',
  clusterId: 'blue-1a2b3c',
  expression: 'cron(0 20 ? * MON-FRI *)',
  timezone: 'Europe/Berlin',
  slaves: 1,
};

/** A Pass-only machine standing in for the scale machine, logged and traced like the real ones. */
function stubScaleMachine(stack: Stack): sfn.StateMachine {
  const machine = new sfn.StateMachine(stack, 'ScaleStub', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Plan Scale')),
    tracingEnabled: true,
    logs: { destination: new logs.LogGroup(stack, 'ScaleStubLogs'), level: sfn.LogLevel.ALL },
  });
  acknowledgeStateMachineRole(machine.role);
  return machine;
}

function buildStack(context: Json = {}, withScale = true): { stack: MesosClusterStack; template: Template; scale?: sfn.StateMachine } {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], [SETTING_KEYS.scheduledScaling]: [SCHEDULE], ...context },
    builtinCloudFormationValidation: false,
  });
  const stack = new MesosClusterStack(app, 'MesosCluster', { env: { region: 'eu-west-1' } });
  const scale = withScale ? stubScaleMachine(stack) : undefined;
  if (scale) stack.addScaleMachine(scale);
  return { stack, template: Template.fromStack(stack), scale };
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** `GET /clusters/{id}` for each method, from the template's resources. */
function methodsOf(template: Template): Map<string, Json> {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Record<
    string,
    { Properties: { ParentId: unknown; PathPart: string } }
  >;
  const pathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    const resource = id ? resources[id] : undefined;
    return resource ? `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}` : '';
  };
  const methods = template.findResources('AWS::ApiGateway::Method') as Record<string, { Properties: Json }>;
  return new Map(Object.values(methods).map((m) => [`${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId) || '/'}`, m.Properties]));
}

describe('MesosClusterStack API', () => {
  let stack: MesosClusterStack;
  let template: Template;
  let scale: sfn.StateMachine;

  beforeAll(() => {
    const built = buildStack();
    stack = built.stack;
    template = built.template;
    scale = built.scale as sfn.StateMachine;
  });

  it('has exactly the routes of the route table, each with AWS_IAM authorization and the request validator', () => {
    // Prepare
    const validatorId = stack.getLogicalId(stack.api.validator.node.defaultChild as never);

    // Act
    const methods = methodsOf(template);

    // Assess
    expect([...methods.keys()].sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    for (const [key, method] of methods) {
      expect({ key, AuthorizationType: method.AuthorizationType }).toEqual({ key, AuthorizationType: 'AWS_IAM' });
      expect({ key, RequestValidatorId: method.RequestValidatorId }).toEqual({ key, RequestValidatorId: { Ref: validatorId } });
    }
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
  });

  it('validates the POST bodies against the ClusterSpec and ScaleRequest models and requires the path parameters', () => {
    // Prepare
    const methods = methodsOf(template);

    // Act
    const create = methods.get('POST /clusters');
    const scaleMethod = methods.get('POST /clusters/{id}/scale');
    const get = methods.get('GET /clusters/{id}');

    // Assess
    expect(create?.RequestModels).toEqual({
      'application/json': expect.objectContaining({ Ref: expect.stringMatching(/ClusterSpecModel/) }),
    });
    expect(scaleMethod?.RequestModels).toEqual({
      'application/json': expect.objectContaining({ Ref: expect.stringMatching(/ScaleRequestModel/) }),
    });
    expect(get?.RequestParameters).toEqual({ 'method.request.path.id': true });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'ScaleRequest',
      ContentType: 'application/json',
      Schema: {
        $schema: 'http://json-schema.org/draft-04/schema#',
        type: 'object',
        properties: { slaves: { type: 'number' } },
        required: ['slaves'],
        additionalProperties: false,
      },
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'ClusterSpec',
      Schema: Match.objectLike({ type: 'object', required: ['name', 'adminCidr'], additionalProperties: false }),
    });
  });

  it('answers a refused body with the error shape naming the field and the validator rule', () => {
    // Act
    const responses = template.findResources('AWS::ApiGateway::GatewayResponse', {
      Properties: { ResponseType: 'BAD_REQUEST_BODY' },
    }) as Record<string, { Properties: { StatusCode: string; ResponseTemplates: Record<string, string> } }>;
    const [response] = Object.values(responses);

    // Assess
    expect(response?.Properties.StatusCode).toBe('400');
    expect(response?.Properties.ResponseTemplates['application/json']).toBe(
      '{"error":{"code":"BadRequest","message":"body: $context.error.validationErrorString","field":"body","rule":"$context.error.validationErrorString"}}'
    );
  });

  it('throttles, traces and logs the stage (JSON access logs, execution errors)', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('"caller"'),
      },
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }),
      ],
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  it('runs every function on the newest Node.js runtime CDK knows, on arm64', () => {
    // Prepare
    const newest = Object.values(lambda.Runtime)
      .filter((r): r is lambda.Runtime => r instanceof lambda.Runtime && /^nodejs\d+\.x$/.test(r.name))
      .map((r) => r.name)
      .sort((a, b) => Number(b.match(/\d+/)?.[0]) - Number(a.match(/\d+/)?.[0]))[0];

    // Act
    const functions = Object.values(template.findResources('AWS::Lambda::Function') as Record<string, { Properties: Json }>);

    // Assess
    expect(newest).toBe('nodejs24.x');
    expect(functions.length).toBeGreaterThan(30);
    for (const fn of functions) expect([fn.Properties.Runtime, fn.Properties.Architectures]).toEqual([newest, ['arm64']]);
  });

  it('gives each API function its route environment: the machines and the deployment limits', () => {
    // Prepare
    const arn = (machine: sfn.StateMachine) => ({ Ref: stack.getLogicalId(machine.node.defaultChild as never) });

    // Assess
    for (const route of ['create-cluster', 'list-clusters', 'get-cluster', 'scale-cluster', 'delete-cluster']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Timeout: 20,
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: `api-${route}`,
            CREATE_STATE_MACHINE_ARN: arn(stack.createMachine.stateMachine),
            TEARDOWN_STATE_MACHINE_ARN: arn(stack.teardownMachine.stateMachine),
            MAX_SLAVES_PER_CLUSTER: '200',
            ALLOWED_INSTANCE_TYPES: Match.stringLikeRegexp('^t3.small,t3.medium,'),
          }),
        },
      });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'api-get-cluster', SCALE_STATE_MACHINE_ARN: arn(scale) }) },
    });
  });

  it('lets the API start only its own machine per route and stop only create executions', () => {
    // Prepare
    const policies = template.findResources('AWS::IAM::Policy') as Record<
      string,
      { Properties: { PolicyDocument: { Statement: Json[] } } }
    >;
    const statements = (prefix: string) =>
      Object.entries(policies)
        .filter(([id]) => id.startsWith(prefix))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const ref = (machine: sfn.StateMachine) => ({ Ref: stack.getLogicalId(machine.node.defaultChild as never) });

    // Act
    const starts = (prefix: string) => statements(prefix).filter((s) => list(s.Action).includes('states:StartExecution'));
    const stops = Object.keys(policies).filter((id) =>
      policies[id]?.Properties.PolicyDocument.Statement.some((s) => list(s.Action).includes('states:StopExecution'))
    );

    // Assess
    expect(starts('ApiCreateClusterApi').map((s) => s.Resource)).toEqual([ref(stack.createMachine.stateMachine)]);
    expect(starts('ApiDeleteClusterApi').map((s) => s.Resource)).toEqual([ref(stack.teardownMachine.stateMachine)]);
    expect(starts('ApiScaleClusterApi').map((s) => s.Resource)).toEqual([ref(scale)]);
    expect(starts('ApiGetClusterApi')).toEqual([]);
    expect(starts('ApiListClustersApi')).toEqual([]);
    expect(stops).toEqual([expect.stringMatching(/^ApiDeleteClusterApi/)]);
    const stop = statements('ApiDeleteClusterApi').find((s) => s.Action === 'states:StopExecution');
    expect(JSON.stringify(stop?.Resource)).toMatch(/:execution:".*CreateClusterStateMachine.*Name.*:\*"/);
  });

  it('starts the scale machine from the scale-out and scale-in alarms of the clusters, with the alarm name and direction', () => {
    // Prepare
    const machineArn = { Ref: stack.getLogicalId(scale.node.defaultChild as never) };

    // Act
    const rules = template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.cloudwatch'] } } }) as Record<
      string,
      { Properties: Json }
    >;

    // Assess
    expect(Object.keys(rules)).toHaveLength(2);
    for (const direction of ['out', 'in']) {
      template.hasResourceProperties('AWS::Events::Rule', {
        State: 'ENABLED',
        EventPattern: {
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          detail: { alarmName: [{ wildcard: `mesos-cluster-*-scale-${direction}` }], state: { value: ['ALARM'] } },
        },
        Targets: [
          Match.objectLike({
            Arn: machineArn,
            RoleArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
            InputTransformer: {
              InputPathsMap: { 'detail-alarmName': '$.detail.alarmName' },
              InputTemplate: `{"source":"alarm","alarmName":<detail-alarmName>,"direction":"${direction}"}`,
            },
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
          }),
        ],
      });
    }
  });

  it('starts the scale machine from the configured schedules through the scheduler role', () => {
    // Prepare
    const machineArn = { Ref: stack.getLogicalId(scale.node.defaultChild as never) };
    const roleArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.scaleTriggers?.schedulerRole.node.defaultChild as never), 'Arn'] };

    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: SCHEDULE.expression,
      ScheduleExpressionTimezone: SCHEDULE.timezone,
      GroupName: 'MesosCluster-scaling',
      Target: Match.objectLike({
        Arn: machineArn,
        RoleArn: roleArn,
        Input: JSON.stringify({ clusterId: SCHEDULE.clusterId, source: 'schedule', targetSlaves: SCHEDULE.slaves }),
      }),
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  it('outputs the API URL and the machine ARNs', () => {
    // Act
    const outputs = Object.keys(template.findOutputs('*'));

    // Assess
    expect(outputs).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'CreateStateMachineArn',
        'TeardownStateMachineArn',
        'ScaleStateMachineArn',
        'ScalingScheduleGroupName',
        'ScalingSchedulerRoleArn',
        'NodeInstanceProfileName',
        'CommandWaitsTableName',
      ])
    );
  });

  it('grants no IAM statement an action with a wildcard', () => {
    // Act
    const policies = template.findResources('AWS::IAM::Policy') as Record<
      string,
      { Properties: { PolicyDocument: { Statement: Json[] } } }
    >;
    const wildcards = Object.entries(policies).flatMap(([id, p]) =>
      p.Properties.PolicyDocument.Statement.filter((s) => list(s.Action).some((a) => String(a).includes('*'))).map((s) => ({ id, s }))
    );

    // Assess
    expect(Object.keys(policies).length).toBeGreaterThan(40);
    expect(wildcards).toEqual([]);
  });

  it('passes the cdk-nag AwsSolutions checks with the API, the triggers and a scale machine', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    expect(report.violations).toEqual([]);
  });

  it('refuses a second scale machine', () => {
    // Act
    const again = () => stack.addScaleMachine(scale);

    // Assess
    expect(again).toThrow('the scale machine is already added');
  });
});

describe('MesosClusterStack without a scale machine', () => {
  it('has no scale route, no alarm rules and no schedules, and no scale machine in the functions', () => {
    // Act
    const { template } = buildStack({}, false);

    // Assess
    expect([...methodsOf(template).keys()]).not.toContain('POST /clusters/{id}/scale');
    // The one rule left: the configure commands' completion signals.
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.ssm'] } });
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('SCALE_STATE_MACHINE_ARN');
  });
});

describe('deploy-time settings', () => {
  it('reads the limits from the context and passes them to the API and its model', () => {
    // Act
    const { template } = buildStack({
      [SETTING_KEYS.allowedInstanceTypes]: ['t3.medium', 'm6i.large'],
      [SETTING_KEYS.maxSlavesPerCluster]: '25',
      [SETTING_KEYS.apiRateLimit]: 5,
    });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ALLOWED_INSTANCE_TYPES: 't3.medium,m6i.large', MAX_SLAVES_PER_CLUSTER: '25' }) },
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5 })] });
  });

  it.each([
    [
      { [SETTING_KEYS.allowedInstanceTypes]: ['t3.medium', 'p5.48xlarge'] },
      /allowedInstanceTypes: p5.48xlarge not in the spec's allow-list/,
    ],
    [{ [SETTING_KEYS.maxSlavesPerCluster]: 500 }, /maxSlavesPerCluster: must be a whole number from 0 to 200/],
    [{ [SETTING_KEYS.scheduledScaling]: [{ ...SCHEDULE, clusterId: 'Blue' }] }, /scheduledScaling\[0\]\.clusterId: must be a cluster id/],
    [{ [SETTING_KEYS.scheduledScaling]: [{ ...SCHEDULE, expression: 'every day' }] }, /scheduledScaling\[0\]\.expression/],
    [{ [SETTING_KEYS.scheduledScaling]: [{ ...SCHEDULE, direction: 'out' }] }, /give either slaves or direction/],
  ])('fails the synth naming the key for %j', (context, message) => {
    // Prepare
    const app = new App({ context });

    // Act
    const read = () => deploySettings(app.node);

    // Assess
    expect(read).toThrow(message);
  });
});
