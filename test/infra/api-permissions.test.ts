/**
 * Each API function's role allows exactly the AWS calls its bundled code makes, and the
 * bundles stay small: the SDK is left to the runtime and only the clients a route uses are
 * required.
 */
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { buildSync } from 'esbuild';
import { apiGrants } from '../../infra/api-permissions';
import { API_FUNCTION_IDS, type ApiFunctionId } from '../../infra/constructs/api-function';
import { PROJECT_ROOT } from '../../infra/constructs/step-function';

/** The IAM service prefix of each SDK client package. */
const SERVICES: Record<string, string> = { ec2: 'ec2', sfn: 'states', ssm: 'ssm', cloudwatch: 'cloudwatch' };

interface Bundle {
  readonly calls: Set<string>;
  readonly requires: Set<string>;
  readonly bytes: number;
}

/** Bundles every API handler (SDK external) and reads the commands it constructs. */
function bundles(): Map<ApiFunctionId, Bundle> {
  const out = buildSync({
    entryPoints: Object.fromEntries(API_FUNCTION_IDS.map((id) => [id, join(PROJECT_ROOT, 'functions', 'api', id, 'handler.ts')])),
    bundle: true,
    write: false,
    minify: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['@aws-sdk/*'],
    outdir: join(PROJECT_ROOT, 'cdk.out', 'api-permissions-scan'),
    logLevel: 'silent',
  });
  const esm = buildSync({
    entryPoints: Object.fromEntries(API_FUNCTION_IDS.map((id) => [id, join(PROJECT_ROOT, 'functions', 'api', id, 'handler.ts')])),
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: ['@aws-sdk/*', '@aws-lambda-powertools/*'],
    outdir: join(PROJECT_ROOT, 'cdk.out', 'api-permissions-scan-esm'),
    logLevel: 'silent',
  });
  const result = new Map<ApiFunctionId, Bundle>();
  for (const file of esm.outputFiles) {
    const id = file.path.split('/').pop()?.replace(/\.js$/, '') as ApiFunctionId;
    const calls = new Set<string>();
    for (const m of file.text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g)) {
      const service = SERVICES[m[2] ?? ''];
      if (!service) throw new Error(`${id}: no IAM prefix known for @aws-sdk/client-${m[2]}`);
      for (const spec of (m[1] ?? '').split(',')) {
        const [name = '', alias = name] = spec.trim().split(/\s+as\s+/);
        if (name.endsWith('Command') && new RegExp(`new ${alias}\\(`).test(file.text))
          calls.add(`${service}:${name.replace(/Command$/, '')}`);
      }
    }
    const cjs = out.outputFiles.find((f) => f.path.endsWith(`/${id}.js`));
    const requires = new Set([...(cjs?.text ?? '').matchAll(/require\("(@aws-sdk\/[a-z0-9-]+)"\)/g)].map((m) => m[1] ?? ''));
    result.set(id, { calls, requires, bytes: cjs?.text.length ?? 0 });
  }
  return result;
}

function grantedActions(id: ApiFunctionId): Set<string> {
  const stack = new Stack(new App(), 'Test', { env: { region: 'eu-west-1' } });
  const machine = (name: string) =>
    new sfn.StateMachine(stack, name, { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, `${name}Pass`)) });
  const grants = apiGrants(id, { scope: stack, create: machine('Create'), teardown: machine('Teardown'), scale: machine('Scale') });
  return new Set(grants.flatMap((g) => g.statement.actions));
}

describe('API function permissions', () => {
  let built: Map<ApiFunctionId, Bundle>;

  beforeAll(() => {
    built = bundles();
  });

  it.each(API_FUNCTION_IDS)('grants %s exactly the API actions its code calls', (id) => {
    // Prepare
    const calls = built.get(id)?.calls ?? new Set<string>();

    // Act
    const granted = grantedActions(id);

    // Assess
    expect(calls.size).toBeGreaterThan(0);
    expect([...granted].sort()).toEqual([...calls].sort());
  });

  it.each(API_FUNCTION_IDS)('bundles %s small, requiring only the EC2 and Step Functions clients of the runtime', (id) => {
    // Act
    const bundle = built.get(id);

    // Assess
    expect(bundle?.bytes).toBeLessThan(150_000);
    expect(bundle?.requires.has('@aws-sdk/client-sfn')).toBe(true);
    // describeCluster's module also imports the SSM helpers of functions/shared/instances.ts.
    expect(
      [...(bundle?.requires ?? [])].filter((r) => !['@aws-sdk/client-ec2', '@aws-sdk/client-sfn', '@aws-sdk/client-ssm'].includes(r))
    ).toEqual([]);
  });
});
