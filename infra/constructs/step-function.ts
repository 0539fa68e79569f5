/**
 * The Lambda function of one workflow step: `functions/<step-id>/handler.ts`, bundled
 * locally with esbuild (no Docker), Node.js 24 on Graviton, its own log group with a
 * retention, and its own role that may write only to that log group. The step's API
 * permissions are added by the stack (infra/permissions.ts).
 */
import * as path from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StepId } from '../../workflow/step-catalogue';
import { STEP_LAMBDA_TIMEOUT } from '../../workflow/timings';

/** The repository root: the project root of the bundles and the place of package-lock.json. */
export const PROJECT_ROOT = path.resolve(__dirname, '../..');

export interface StepFunctionProps {
  /** The step id: the folder under functions/ and the logger's service name. */
  readonly stepId: StepId;
  /** Environment variables besides POWERTOOLS_SERVICE_NAME and NODE_OPTIONS. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** The folder that holds functions/<step-id>/handler.ts. @default <repo>/functions */
  readonly functionsDir?: string;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default STEP_LAMBDA_TIMEOUT (30 s) */
  readonly timeout?: Duration;
}

/** One step's NodejsFunction with its log group and role. */
export class StepFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: StepFunctionProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]+$/.test(props.stepId)) throw new Error(`StepFunction: invalid step id '${props.stepId}'`);
    const memorySize = props.memorySize ?? 256;
    if (memorySize < 128 || memorySize > 10240) throw new Error(`StepFunction ${props.stepId}: memorySize must be 128–10240 MB`);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: the function may write to its own
    // log group only (grantWrite: logs:CreateLogStream and logs:PutLogEvents on that group).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.stepId} step of the Mesos cluster workflows`,
    });
    this.logGroup.grantWrite(this.role);

    const entry = path.join(props.functionsDir ?? path.join(PROJECT_ROOT, 'functions'), props.stepId, 'handler.ts');
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout: props.timeout ?? STEP_LAMBDA_TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: `Mesos cluster workflow step ${props.stepId}`,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.stepId,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
        // The Node.js 24 runtime's AWS SDK v3: bundles of ~30 KB and a synth of seconds. Bundling
        // the SDK (bundleAwsSDK) trims a cold start by a few hundred ms (research (c), "Lambda
        // cold start") at ~1.4 MB per function; the steps run seconds apart, mostly warm.
        bundleAwsSDK: false,
        forceDockerBundling: false,
      },
    });
  }
}
