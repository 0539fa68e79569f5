import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildSync } from 'esbuild';
import { PROJECT_ROOT } from '../../infra/constructs/step-function';
import { type StepGrant, stepGrants } from '../../infra/permissions';
import { STEP_IDS, type StepId } from '../../workflow/step-catalogue';

/** The IAM service prefix of each SDK client package. */
const SERVICES: Record<string, string> = {
  ec2: 'ec2',
  ssm: 'ssm',
  cloudwatch: 'cloudwatch',
  'service-quotas': 'servicequotas',
  dynamodb: 'dynamodb',
  sfn: 'states',
};

/**
 * The API actions each step's bundled code can call: esbuild tree-shakes the handler with
 * the SDK left external, then every `new XCommand(` of an imported SDK command is a call.
 */
function actionsCalledByCode(): { calls: Map<StepId, Set<string>>; clients: Map<StepId, Set<string>> } {
  const out = buildSync({
    entryPoints: Object.fromEntries(STEP_IDS.map((id) => [id, join(PROJECT_ROOT, 'functions', id, 'handler.ts')])),
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@aws-sdk/*', '@aws-lambda-powertools/*'],
    outdir: join(PROJECT_ROOT, 'cdk.out', 'permissions-scan'),
    logLevel: 'silent',
  });
  const calls = new Map<StepId, Set<string>>();
  const clients = new Map<StepId, Set<string>>();
  for (const file of out.outputFiles) {
    const stepId = file.path.split('/').pop()?.replace(/\.js$/, '') as StepId;
    const found = new Set<string>();
    // Every SDK client package the bundle imports at all: the runtime loads each at cold start.
    clients.set(stepId, new Set([...file.text.matchAll(/from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g)].map((m) => m[1] ?? '')));
    for (const m of file.text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g)) {
      const service = SERVICES[m[2] ?? ''];
      if (!service) throw new Error(`${stepId}: no IAM prefix known for @aws-sdk/client-${m[2]}`);
      for (const spec of (m[1] ?? '').split(',')) {
        const [name = '', alias = name] = spec.trim().split(/\s+as\s+/);
        if (name.endsWith('Command') && new RegExp(`new ${alias}\\(`).test(file.text))
          found.add(`${service}:${name.replace(/Command$/, '')}`);
      }
    }
    calls.set(stepId, found);
  }
  return { calls, clients };
}

function grantsOf(stepId: StepId): StepGrant[] {
  const stack = new Stack(new App(), 'Test', { env: { region: 'eu-west-1' } });
  const nodeRole = new iam.Role(stack, 'Node', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  return stepGrants(stepId, {
    scope: stack,
    documents: {
      configureMaster: 'cm',
      configureSlave: 'cs',
      countAgents: 'ca',
      agentLoad: 'al',
      drainAgents: 'da',
      marathonSmokeTest: 'ms',
    },
    nodeRole,
    commandWaitsTableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/CommandWaits',
  });
}

describe('step permissions', () => {
  let called: Map<StepId, Set<string>>;
  let imported: Map<StepId, Set<string>>;

  beforeAll(() => {
    const scan = actionsCalledByCode();
    called = scan.calls;
    imported = scan.clients;
  });

  it.each(STEP_IDS)('bundles %s with only the SDK clients it calls', (stepId) => {
    // Prepare
    const services = new Set([...(called.get(stepId) ?? [])].map((action) => action.split(':')[0]));

    // Act
    const unused = [...(imported.get(stepId) ?? [])].filter((client) => !services.has(SERVICES[client] ?? client));

    // Assess
    expect(unused).toEqual([]);
  });

  it.each(STEP_IDS)('grants %s exactly the API actions its code calls', (stepId) => {
    // Prepare
    const calls = called.get(stepId) ?? new Set<string>();
    const grants = grantsOf(stepId);

    // Act
    const granted = new Set(grants.flatMap((g) => g.statement.actions));
    // Tagging on create (EC2, CloudWatch's PutMetricAlarm and SSM's PutParameter with Tags) and
    // passing the node role are authorizations, not API calls.
    const implied = [...granted].filter((a) => !calls.has(a));

    // Assess
    expect(calls.size).toBeGreaterThan(0);
    expect([...calls].filter((a) => !granted.has(a))).toEqual([]);
    for (const action of implied)
      expect(['ec2:CreateTags', 'iam:PassRole', 'cloudwatch:TagResource', 'ssm:AddTagsToResource']).toContain(action);
  });

  it('gives a reason to every statement with a wildcard resource', () => {
    // Prepare
    const grants = STEP_IDS.flatMap((id) => grantsOf(id).map((g) => ({ id, g })));

    // Act
    const unexplained = grants.filter(({ g }) => g.statement.resources.some((r) => r.includes('*')) && !g.reason).map(({ id }) => id);

    // Assess
    expect(grants.length).toBeGreaterThan(STEP_IDS.length);
    expect(unexplained).toEqual([]);
  });
});
