/**
 * The Lambda function of one API route: `functions/api/<route>/handler.ts`, bundled like the
 * step functions (local esbuild, minified, source maps, the runtime's AWS SDK), Node.js 24
 * on Graviton, its own log group with a retention and its own role. The route's
 * permissions are added by the API construct (infra/api-permissions.ts).
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './step-function';

/** The API routes' function folders under functions/api/. */
export const API_FUNCTION_IDS = ['create-cluster', 'list-clusters', 'get-cluster', 'scale-cluster', 'delete-cluster'] as const;
export type ApiFunctionId = (typeof API_FUNCTION_IDS)[number];

export interface ApiFunctionProps {
  readonly functionId: ApiFunctionId;
  readonly environment?: Readonly<Record<string, string>>;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default 256 */
  readonly memorySize?: number;
  /** API Gateway waits 29 s at most. @default 20 s */
  readonly timeout?: Duration;
}

/** One API route's NodejsFunction with its log group and role. */
export class ApiFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.seconds(20);
    if (timeout.toSeconds() > 29) throw new Error(`ApiFunction ${props.functionId}: API Gateway waits 29 s at most`);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Serves the ${props.functionId} route of the Mesos cluster API`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, 'functions', 'api', props.functionId, 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: `Mesos cluster API: ${props.functionId}`,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: `api-${props.functionId}`,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        target: 'node24',
        format: nodejs.OutputFormat.CJS,
        bundleAwsSDK: false,
        forceDockerBundling: false,
      },
    });
  }
}
