import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { AwsSolutionsChecks } from 'cdk-nag';
import { documentBytes, documentContent, MAX_CONTENT_BYTES, PARAMETER_PATTERNS } from '../../infra/constructs/command-documents';
import { StepFunction } from '../../infra/constructs/step-function';
import { MesosClusterStack } from '../../infra/stacks/mesos-cluster-stack';
import { exportAsl, placeholderFunctionArn } from '../../workflow/export';
import { STEP_IDS, type StepId } from '../../workflow/step-catalogue';

type Json = Record<string, unknown>;

/** The stack as `cdk synth` builds it, without bundling the functions and without the built-in template validation. */
function buildStack(wireScaleMachine = false): { app: App; stack: MesosClusterStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new MesosClusterStack(app, 'MesosCluster', { env: { region: 'eu-west-1' }, wireScaleMachine });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Resolves a DefinitionString: Fn::Join, the partition, and each step function's Arn as its placeholder ARN. */
function definitionOf(stack: MesosClusterStack, definitionString: unknown): unknown {
  const byLogicalId = new Map<string, StepId>();
  for (const id of STEP_IDS) byLogicalId.set(stack.getLogicalId(stack.steps[id].function.node.defaultChild as lambda.CfnFunction), id);
  const flatten = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as Json;
    if (o['Fn::Join']) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(sep);
    }
    if (o.Ref === 'AWS::Partition') return 'aws';
    const getAtt = o['Fn::GetAtt'] as [string, string] | undefined;
    const stepId = getAtt && getAtt[1] === 'Arn' ? byLogicalId.get(getAtt[0]) : undefined;
    if (stepId) return placeholderFunctionArn(stepId);
    throw new Error(`unexpected value in a definition: ${JSON.stringify(v)}`);
  };
  return JSON.parse(flatten(definitionString));
}

function statementsOf(template: Template): { policy: string; statement: Json }[] {
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, { Properties: { PolicyDocument: { Statement: Json[] } } }>;
  return Object.entries(policies).flatMap(([policy, p]) =>
    p.Properties.PolicyDocument.Statement.map((statement) => ({ policy, statement }))
  );
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

describe('MesosClusterStack', () => {
  let stack: MesosClusterStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = buildStack());
  });

  it('deploys the three state machines as Standard, logging ALL to vended log groups, traced, with their timeouts', () => {
    // Prepare
    const machines = template.findResources('AWS::StepFunctions::StateMachine');

    // Act
    const logGroups = template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/MesosCluster-(create|teardown|scale)$') },
    });

    // Assess
    expect(Object.keys(machines)).toHaveLength(3);
    expect(Object.keys(logGroups)).toHaveLength(3);
    template.allResourcesProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } }],
      },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it('deploys exactly the exported (golden) definitions', () => {
    // Prepare
    const resolve = (machine: { stateMachine: { node: { defaultChild?: unknown } } }) =>
      definitionOf(stack, stack.resolve((machine.stateMachine.node.defaultChild as { definitionString: unknown }).definitionString));

    // Act
    const create = resolve(stack.createMachine) as { TimeoutSeconds: number };
    const teardown = resolve(stack.teardownMachine) as { TimeoutSeconds: number };
    const scale = resolve(stack.scaleMachine) as { TimeoutSeconds: number };

    // Assess
    expect(create).toEqual(exportAsl('create-cluster'));
    expect(teardown).toEqual(exportAsl('teardown-cluster'));
    expect(scale).toEqual(exportAsl('scale-cluster'));
    expect(create.TimeoutSeconds).toBe(2 * 3600);
    expect(teardown.TimeoutSeconds).toBe(2 * 3600);
    expect(scale.TimeoutSeconds).toBe(6 * 3600);
  });

  it('alarms on failed executions of each machine', () => {
    // Prepare
    const alarm = {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Threshold: 1,
      Statistic: 'Sum',
      TreatMissingData: 'notBreaching',
    };

    // Act
    const alarms = template.findResources('AWS::CloudWatch::Alarm', { Properties: alarm });

    // Assess
    expect(Object.keys(alarms)).toHaveLength(3);
  });

  it('deploys one Node.js 24 arm64 function per step with its service name, documents and instance profile', () => {
    // Prepare
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: Match.stringLikeRegexp('^(?!api-)') } } },
    }) as Record<string, { Properties: Json }>;

    // Act
    const services = Object.values(functions).map(
      (f) => (f.Properties.Environment as { Variables: Json }).Variables.POWERTOOLS_SERVICE_NAME
    );

    // Assess
    expect(Object.keys(functions)).toHaveLength(STEP_IDS.length);
    expect([...services].sort()).toEqual([...STEP_IDS].sort());
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: 30,
        MemorySize: 256,
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.anyValue() } },
        Environment: {
          Variables: {
            POWERTOOLS_SERVICE_NAME: Match.anyValue(),
            NODE_OPTIONS: '--enable-source-maps',
            NODE_INSTANCE_PROFILE: { Ref: stack.getLogicalId(stack.nodeRole.instanceProfile.node.defaultChild as never) },
            DOCUMENT_CONFIGURE_MASTER: { Ref: stack.getLogicalId(stack.documents.documents.configureMaster) },
            DOCUMENT_CONFIGURE_SLAVE: { Ref: stack.getLogicalId(stack.documents.documents.configureSlave) },
            DOCUMENT_COUNT_AGENTS: { Ref: stack.getLogicalId(stack.documents.documents.countAgents) },
            DOCUMENT_AGENT_LOAD: { Ref: stack.getLogicalId(stack.documents.documents.agentLoad) },
            DOCUMENT_DRAIN_AGENTS: { Ref: stack.getLogicalId(stack.documents.documents.drainAgents) },
            DOCUMENT_MARATHON_SMOKE_TEST: { Ref: stack.getLogicalId(stack.documents.documents.marathonSmokeTest) },
          },
        },
      },
      STEP_IDS.length
    );
  });

  it('builds the SSM documents from the bootstrap scripts, with a pattern on every parameter', () => {
    // Prepare
    const docs = template.findResources('AWS::SSM::Document') as Record<string, { Properties: { DocumentType: string; Content: Json } }>;
    const master = docs[stack.getLogicalId(stack.documents.documents.configureMaster)]?.Properties.Content as {
      parameters: Record<string, { type: string; allowedPattern: string }>;
      mainSteps: { action: string; name: string; inputs: { runCommand: string[] } }[];
    };

    const drain = docs[stack.getLogicalId(stack.documents.documents.drainAgents)]?.Properties.Content as typeof master;
    const load = docs[stack.getLogicalId(stack.documents.documents.agentLoad)]?.Properties.Content as typeof master;

    // Act
    const script = master.mainSteps.find((step) => step.action === 'aws:runShellScript');
    const runCommand = script?.inputs.runCommand ?? [];
    const {
      ClusterId: clusterId,
      PackageSource: _source,
      MesosPackageKey: _mesosKey,
      MesosPackageSha256: _mesosSha,
      MarathonPackageKey: _marathonKey,
      MarathonPackageSha256: _marathonSha,
      ...required
    } = master.parameters;

    // Assess
    expect(Object.values(docs).map((d) => d.Properties.DocumentType)).toEqual(Array(7).fill('Command'));
    expect(Object.keys(required).sort()).toEqual(
      ['ClusterName', 'MarathonVersion', 'MasterIps', 'MesosVersion', 'PackageKeyUrl', 'PackageRepository'].sort()
    );
    for (const [name, parameter] of Object.entries(required)) {
      expect(parameter).toEqual({ type: 'String', description: expect.any(String), allowedPattern: PARAMETER_PATTERNS[name]?.pattern });
    }
    // Optional: the metrics publisher's cluster id.
    expect(clusterId).toEqual({
      type: 'String',
      description: expect.any(String),
      allowedPattern: PARAMETER_PATTERNS.ClusterId?.pattern,
      default: '',
    });
    expect(drain.parameters).toEqual({
      AgentIps: { type: 'String', description: expect.any(String), allowedPattern: PARAMETER_PATTERNS.AgentIps?.pattern, default: '' },
    });
    expect(drain.mainSteps[0]?.inputs.runCommand[0]).toBe("export AGENT_IPS='{{ AgentIps }}'");
    expect(load.parameters).toEqual({});
    expect(load.mainSteps[0]?.inputs.runCommand.join('\n')).toContain('agent_load_lines');
    expect(master.mainSteps.map((step) => `${step.action} ${step.name}`)).toEqual([
      'aws:downloadContent downloadMesosPackage',
      'aws:downloadContent downloadMarathonPackage',
      'aws:runShellScript configure-master',
      'aws:runDocument runAfter',
    ]);
    expect(runCommand.slice(0, 2)).toEqual(["export CLUSTER_NAME='{{ ClusterName }}'", "export MASTER_IPS='{{ MasterIps }}'"]);
    expect(runCommand).toContain('#!/usr/bin/env bash');
    expect(runCommand.join('\n')).toContain('write_zookeeper_config');
  });

  it('downloads the mirrored packages from the package bucket only for PackageSource mirror, then runs the publisher document', () => {
    // Prepare
    const docs = template.findResources('AWS::SSM::Document') as Record<string, { Properties: { Content: Json } }>;
    const content = (doc: ssm.CfnDocument) =>
      docs[stack.getLogicalId(doc)]?.Properties.Content as { parameters: Record<string, Json>; mainSteps: Json[] };
    const master = content(stack.documents.documents.configureMaster);
    const slave = content(stack.documents.documents.configureSlave);
    const bucket = stack.getLogicalId(stack.packageMirror.bucket.node.defaultChild as CfnElement);

    // Act
    const downloads = [...master.mainSteps, ...slave.mainSteps].filter((step) => step.action === 'aws:downloadContent');

    // Assess
    expect(downloads).toHaveLength(3);
    for (const step of downloads) {
      expect(step.precondition).toEqual({ StringEquals: ['{{ PackageSource }}', 'mirror'] });
      expect(step.inputs).toEqual({
        sourceType: 'S3',
        sourceInfo: {
          'Fn::Join': [
            '',
            [
              expect.stringContaining('{"path":"https://'),
              { 'Fn::GetAtt': [bucket, 'RegionalDomainName'] },
              expect.stringMatching(/^\/\{\{ M(esos|arathon)PackageKey \}\}"\}$/),
            ],
          ],
        },
        destinationPath: '/var/lib/mesos-cluster/packages/',
      });
    }
    expect(master.mainSteps.at(-1)).toEqual({
      action: 'aws:runDocument',
      name: 'runAfter',
      inputs: {
        documentType: 'SSMDocument',
        documentPath: { Ref: stack.getLogicalId(stack.documents.installMetricsPublisher) },
        documentParameters: '{"ClusterId":"{{ ClusterId }}"}',
      },
    });
    for (const name of ['PackageSource', 'MesosPackageKey', 'MesosPackageSha256']) {
      expect(slave.parameters[name]).toEqual({
        type: 'String',
        description: expect.any(String),
        allowedPattern: PARAMETER_PATTERNS[name]?.pattern,
        default: '',
      });
    }
  });

  it('keeps every document under the 56 KB the synth allows, and refuses a larger one', () => {
    // Prepare
    const docs = template.findResources('AWS::SSM::Document') as Record<string, { Properties: { Content: object } }>;

    // Act
    const sizes = Object.values(docs).map((doc) => documentBytes(doc.Properties.Content));
    const tooLarge = () => documentContent('count-agents', 'too large', 60, `#!/usr/bin/env bash\n${'echo padding\n'.repeat(5000)}`);

    // Assess
    expect(Math.max(...sizes)).toBeLessThan(MAX_CONTENT_BYTES);
    expect(MAX_CONTENT_BYTES).toBe(56 * 1024);
    expect(tooLarge).toThrow(/the count-agents document is \d+ bytes; this project keeps documents under 57344/);
  });

  it('gives the package mirror an encrypted, versioned, private, TLS-only bucket that the nodes may only read', () => {
    // Prepare
    const bucket = stack.getLogicalId(stack.packageMirror.bucket.node.defaultChild as CfnElement);

    // Assess
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(stack.nodeRole.role.node.defaultChild as CfnElement) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, '/pool/*']] },
          },
          {
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
            Condition: { StringLike: { 's3:prefix': ['pool/*'] } },
          },
        ]),
      },
    });
    template.hasOutput('PackageMirrorBucketName', { Value: { Ref: bucket } });
  });

  it('lets the parameter patterns through good values and stops shell injection', () => {
    // Prepare
    const matches = (name: string, value: string) => new RegExp(PARAMETER_PATTERNS[name]?.pattern ?? '^$').test(value);

    // Act
    const good = [
      matches('ClusterName', 'demo-1'),
      matches('MasterIps', '10.0.1.5'),
      matches('MasterIps', '10.0.1.5,10.0.1.6,10.0.1.7'),
      matches('MesosVersion', '1.11.0-0.7.1.ubuntu2404'),
      matches('PackageRepository', 'https://rpm.aventer.biz/Ubuntu/noble'),
      matches('PackageKeyUrl', 'https://www.aventer.biz/assets/support_aventer.asc'),
      matches('AgentIps', ''),
      matches('AgentIps', '10.0.2.5,10.0.2.17'),
      matches('AgentIps', Array.from({ length: 50 }, (_, i) => `10.0.2.${i + 1}`).join(',')),
      matches('ClusterId', ''),
      matches('ClusterId', 'demo-0a1b2c'),
      matches('PackageSource', 'mirror'),
      matches('PackageSource', ''),
      matches('MesosPackageKey', 'pool/noble/aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb'),
      matches('MesosPackageSha256', 'a'.repeat(64)),
    ];
    const bad = [
      matches('ClusterName', "demo'; reboot; '"),
      matches('MasterIps', '10.0.1.5;reboot'),
      matches('MasterIps', '10.0.1.256'),
      matches('MesosVersion', '1.11 $(id)'),
      matches('PackageRepository', 'http://insecure.example.com'),
      matches('PackageKeyUrl', "https://x.example.com/'`id`'"),
      matches('AgentIps', '10.0.2.5;reboot'),
      matches('AgentIps', Array.from({ length: 51 }, (_, i) => `10.0.2.${i + 1}`).join(',')),
      matches('ClusterId', "demo'$(id)"),
      matches('PackageSource', 'elsewhere'),
      matches('MesosPackageKey', '../secrets/x.deb'),
      matches('MesosPackageKey', "pool/noble/x.deb'; reboot"),
      matches('MarathonPackageSha256', 'A'.repeat(64)),
    ];

    // Assess
    expect(good).toEqual(good.map(() => true));
    expect(bad).toEqual(bad.map(() => false));
  });

  it('gives the nodes a role with AmazonSSMManagedInstanceCore and an instance profile', () => {
    // Prepare
    const ec2Role = {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
    };

    // Act
    const roles = template.findResources('AWS::IAM::Role', { Properties: ec2Role });

    // Assess
    expect(Object.keys(roles)).toHaveLength(1);
    template.resourceCountIs('AWS::IAM::InstanceProfile', 1);
    template.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: Object.keys(roles)[0] }] });
  });

  it('grants no wildcard action, no write on *, and iam:PassRole only on the node role to EC2', () => {
    // Prepare
    const statements = statementsOf(template);
    const nodeRoleId = stack.getLogicalId(stack.nodeRole.role.node.defaultChild as never);

    // Act
    const wildcardActions = statements.filter(({ statement }) => list(statement.Action).some((a) => String(a).includes('*')));
    const writesOnStar = statements.filter(
      ({ statement }) =>
        list(statement.Resource).includes('*') &&
        list(statement.Action).some((a) => !/^(ec2:Describe|ssm:(Describe|List|Get)|cloudwatch:Describe|logs:|xray:)/.test(String(a)))
    );
    const passRole = statements.filter(({ statement }) => list(statement.Action).includes('iam:PassRole'));

    // Assess
    expect(statements.length).toBeGreaterThan(100);
    expect(wildcardActions).toEqual([]);
    // The writes on *: the nodes publish the cluster metrics, in the product's namespace only; the
    // signal steps answer task tokens (SendTaskSuccess names no resource for a callback task's token).
    expect(writesOnStar).toEqual(
      expect.arrayContaining(
        ['AwaitCommandSignalStep', 'RelayCommandSignalStep'].map((step) => ({
          policy: expect.stringMatching(new RegExp(`^${step}`)),
          statement: { Effect: 'Allow', Action: 'states:SendTaskSuccess', Resource: '*' },
        }))
      )
    );
    expect(writesOnStar).toHaveLength(3);
    expect(writesOnStar).toEqual(
      expect.arrayContaining([
        {
          policy: expect.stringMatching(/^NodeRoleDefaultPolicy/),
          statement: {
            Effect: 'Allow',
            Action: 'cloudwatch:PutMetricData',
            Resource: '*',
            Condition: { StringEquals: { 'cloudwatch:namespace': 'MesosCluster' } },
          },
        },
      ])
    );
    expect(passRole).toEqual([
      {
        policy: expect.stringMatching(/^LaunchInstancesStep/),
        statement: {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: { 'Fn::GetAtt': [nodeRoleId, 'Arn'] },
          Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        },
      },
    ]);
  });

  it('allows RunInstances only for instances and volumes tagged with a cluster id at launch', () => {
    // Prepare
    const launch = statementsOf(template).filter(({ policy }) => policy.startsWith('LaunchInstancesStep'));

    // Act
    const tagged = launch.find(({ statement }) => statement.Action === 'ec2:RunInstances' && statement.Condition !== undefined);
    const createTags = launch.find(({ statement }) => statement.Action === 'ec2:CreateTags');

    // Assess
    expect(tagged?.statement.Condition).toEqual({ Null: { 'aws:RequestTag/mesos-cluster:id': 'false' } });
    expect(JSON.stringify(tagged?.statement.Resource)).toMatch(/instance\/\*.*volume\/\*/);
    expect(createTags?.statement.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'RunInstances' } });
  });

  it('lets the Marathon smoke test send only its own document, to cluster-tagged instances, and read command results', () => {
    // Prepare
    const documentId = stack.getLogicalId(stack.documents.documents.marathonSmokeTest);
    const smoke = statementsOf(template).filter(({ policy }) => policy.startsWith('MarathonSmokeTestStep'));

    // Act
    const statements = smoke.map(({ statement }) => statement);
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'marathon-smoke-test' } } },
    });

    // Assess
    expect(Object.keys(functions)).toHaveLength(1);
    expect(statements).toHaveLength(4);
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 'ssm:SendCommand',
          Resource: {
            'Fn::Join': [
              '',
              ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:', { Ref: 'AWS::AccountId' }, ':document/', { Ref: documentId }],
            ],
          },
        },
        {
          Effect: 'Allow',
          Action: 'ssm:SendCommand',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:', { Ref: 'AWS::AccountId' }, ':instance/*']] },
          Condition: { Null: { 'ssm:resourceTag/mesos-cluster:id': 'false' } },
        },
        { Effect: 'Allow', Action: ['ssm:ListCommands', 'ssm:GetCommandInvocation'], Resource: '*' },
      ])
    );
  });

  it('limits deletes to resources that carry the cluster-id tag', () => {
    // Prepare
    const deletes = statementsOf(template).filter(({ statement }) =>
      list(statement.Action).some((a) => /^ec2:(Delete|Terminate|Release|Detach|Deregister|Revoke)/.test(String(a)))
    );

    // Act
    const conditions = new Set(deletes.map(({ statement }) => JSON.stringify(statement.Condition)));

    // Assess
    expect(deletes.length).toBeGreaterThanOrEqual(12);
    expect([...conditions]).toEqual([JSON.stringify({ Null: { 'aws:ResourceTag/mesos-cluster:id': 'false' } })]);
  });

  it('passes the cdk-nag AwsSolutions checks (every finding acknowledged with a reason)', () => {
    // Prepare
    const checks = new AwsSolutionsChecks();

    // Act
    const report = checks.validateScope(stack);

    // Assess
    expect(report.violations).toEqual([]);
  });
});

describe('MesosClusterStack with its scale machine wired (infra/app.ts)', () => {
  let stack: MesosClusterStack;
  let template: Template;

  beforeAll(() => {
    ({ stack, template } = buildStack(true));
  });

  it('starts the scale machine from both scaling alarm rules, with the alarm name and direction', () => {
    // Prepare
    const machineRef = { Ref: stack.getLogicalId(stack.scaleMachine.stateMachine.node.defaultChild as never) };

    // Act
    const rules = Object.values(
      template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.cloudwatch'] } } })
    ) as { Properties: Json }[];

    // Assess
    expect(stack.scaleTriggers).toBeDefined();
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.Properties.EventPattern).toEqual(
        expect.objectContaining({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] })
      );
      const [target] = rule.Properties.Targets as Json[];
      expect(target?.Arn).toEqual(machineRef);
      const transformer = target?.InputTransformer as Json | undefined;
      expect(String(transformer?.InputTemplate)).toContain('"source":"alarm"');
    }
    template.hasOutput('ScaleStateMachineArn', { Value: machineRef });
  });

  it('passes the cdk-nag AwsSolutions checks with the scale machine wired', () => {
    // Act
    const report = new AwsSolutionsChecks().validateScope(stack);

    // Assess
    expect(report.violations).toEqual([]);
  });
});

describe('StepFunction bundling', () => {
  it('bundles a handler locally with esbuild into one minified file with a source map, leaving the SDK out', () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), 'mesos-cluster-bundle-'));
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Bundle', { env: { region: 'eu-west-1' } });

    try {
      // Act
      const step = new StepFunction(stack, 'CreateVpcStep', { stepId: 'create-vpc' });
      // The bundle is staged into the cloud assembly when the function is constructed.
      const assets = readdirSync(outdir).filter((f) => f.startsWith('asset.'));
      const dir = join(outdir, assets[0] ?? 'missing');
      const code = readFileSync(join(dir, 'index.js'), 'utf8');

      // Assess
      expect(step.function.runtime.name).toBe('nodejs24.x');
      expect(assets).toHaveLength(1);
      expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map']);
      expect(code).toContain('create-vpc');
      expect(code).toMatch(/require\("@aws-sdk\/client-ec2"\)/);
      expect(code.split('\n').length).toBeLessThan(50);
      expect(code.length).toBeLessThan(200_000);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
