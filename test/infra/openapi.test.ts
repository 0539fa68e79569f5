/**
 * docs/openapi.json is true: it is what the code builds, it lists exactly the methods the
 * stack deploys, its request schema agrees with parseClusterSpec and the gateway model on a
 * table of bodies, and the routes' real responses validate against its response schemas.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import Ajv from 'ajv';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { createCluster } from '../../functions/api/create-cluster/create-cluster';
import { listClusters } from '../../functions/api/list-clusters/list-clusters';
import { parseClusterSpec } from '../../functions/shared/cluster-spec';
import { clusterSpecModelSchema } from '../../infra/api-schemas';
import { PROJECT_ROOT } from '../../infra/constructs/step-function';
import { acknowledgeStateMachineRole } from '../../infra/nag';
import { buildOpenApi } from '../../infra/openapi';
import { DEFAULT_SETTINGS } from '../../infra/settings';
import { MesosClusterStack } from '../../infra/stacks/mesos-cluster-stack';
import { CONFIG, request } from '../unit/api/helpers';

type Doc = { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, Record<string, unknown>> } };
const doc = JSON.parse(readFileSync(join(PROJECT_ROOT, 'docs', 'openapi.json'), 'utf8')) as Doc;

function ajv(): Ajv {
  const a = new Ajv({ strict: false, allErrors: true });
  for (const [name, schema] of Object.entries(doc.components.schemas)) a.addSchema(schema, `#/components/schemas/${name}`);
  return a;
}

describe('docs/openapi.json', () => {
  it('is the document the code builds (regenerate: npx tsx infra/print-openapi.ts > docs/openapi.json)', () => {
    // Act
    const built = JSON.parse(JSON.stringify(buildOpenApi()));

    // Assess
    expect(doc).toEqual(built);
  });

  it('describes exactly the methods the stack deploys, all with SigV4', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
    const stack = new MesosClusterStack(app, 'MesosCluster', { env: { region: 'eu-west-1' } });
    const scale = new sfn.StateMachine(stack, 'ScaleStub', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, 'Pass')),
      tracingEnabled: true,
      logs: { destination: new logs.LogGroup(stack, 'ScaleStubLogs'), level: sfn.LogLevel.ALL },
    });
    acknowledgeStateMachineRole(scale.role);
    stack.addScaleMachine(scale);
    const template = Template.fromStack(stack);

    // Act
    const deployed = Object.values(template.findResources('AWS::ApiGateway::Method'))
      .map((m) => (m.Properties as { HttpMethod: string }).HttpMethod)
      .sort();
    const documented = Object.values(doc.paths)
      .flatMap((methods) => Object.keys(methods).map((m) => m.toUpperCase()))
      .sort();

    // Assess
    expect(documented).toEqual(deployed);
    expect((doc as unknown as { security: unknown }).security).toEqual([{ sigv4: [] }]);
  });

  it.each([
    [{ name: 'blue', adminCidr: '198.51.100.0/24' }, true],
    [{ name: 'blue', adminCidr: '198.51.100.0/24', masters: 3, slaves: 10, masterInstanceType: 't3.large' }, true],
    [{ name: 'blue', adminCidr: '198.51.100.0/24', autoscaling: { minSlaves: 1, maxSlaves: 20 } }, true],
    [{ name: 'blue', adminCidr: '198.51.100.0/24', software: { ubuntuRelease: '22.04' } }, true],
    [{ name: 'blue' }, false],
    [{ name: 'Blue!', adminCidr: '198.51.100.0/24' }, false],
    [{ name: 'blue', adminCidr: '198.51.100.0/24', masters: 2 }, false],
    [{ name: 'blue', adminCidr: '198.51.100.0/24', slaves: 201 }, false],
    [{ name: 'blue', adminCidr: '198.51.100.0/24', slaves: '3' }, false],
    [{ name: 'blue', adminCidr: '198.51.100.0/24', masterInstanceType: 'p5.48xlarge' }, false],
    [{ name: 'blue', adminCidr: 'nowhere' }, false],
    [{ name: 'blue', adminCidr: '198.51.100.0/24', color: 'red' }, false],
    [{ name: 'blue', adminCidr: '198.51.100.0/24', autoscaling: { step: 0 } }, false],
    [{ name: 'blue', adminCidr: '198.51.100.0/24', keepOnFailure: 'yes' }, false],
  ])('agrees with parseClusterSpec on %j (the gateway model never refuses what the spec accepts)', (body, valid) => {
    // Prepare
    const validator = ajv();
    const { $schema: _, ...model } = clusterSpecModelSchema(DEFAULT_SETTINGS);

    // Act
    const documented = validator.validate('#/components/schemas/ClusterSpec', body);
    const gateway = validator.validate(model, body);
    let parsed = true;
    try {
      parseClusterSpec(body);
    } catch {
      parsed = false;
    }

    // Assess
    expect([documented, parsed]).toEqual([valid, valid]);
    if (valid) expect(gateway).toBe(true);
  });

  it('validates the real responses of the routes against their documented schemas', async () => {
    // Prepare
    const ec2 = mockClient(EC2Client);
    const sfnMock = mockClient(SFNClient);
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    sfnMock.on(ListExecutionsCommand).resolves({ executions: [] });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:aws:states:eu-west-1:1:execution:Create:create-blue-0a1b2c' });
    const deps = { ec2: ec2 as unknown as EC2Client, sfn: sfnMock as unknown as SFNClient, config: CONFIG };
    const validator = ajv();

    // Act
    const created = await createCluster(request({ body: '{"name":"blue","adminCidr":"198.51.100.0/24"}' }), deps);
    const listed = await listClusters(request(), deps);
    let refused: unknown;
    try {
      await createCluster(request({ body: '{"name":"blue"}' }), deps);
    } catch (err) {
      refused = (err as { toResponse: () => { body: unknown } }).toResponse().body;
    }

    // Assess
    expect(validator.validate('#/components/schemas/CreateAccepted', created.body)).toBe(true);
    expect(validator.validate('#/components/schemas/ClusterList', listed.body)).toBe(true);
    expect(validator.validate('#/components/schemas/Error', refused)).toBe(true);
    expect(Object.keys(doc.paths['/clusters'] ?? {})).toEqual(['post', 'get']);
  });
});
