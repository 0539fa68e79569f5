/**
 * The cluster API: a regional REST API in which every method requires AWS_IAM (SigV4)
 * authorization, validates its request (body model, path and query parameters), and is
 * throttled at the stage; access logs (JSON) and execution errors go to CloudWatch Logs,
 * and requests are traced with X-Ray. One Lambda function per route (functions/api/), each
 * with only the permissions its code uses (infra/api-permissions.ts).
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { API_ENV } from '../../functions/api/shared/config';
import { PACKAGE_SOURCE_ENV } from '../../functions/shared/package-manifest';
import { type ApiPermissionContext, baseApiGrants, scaleApiGrants } from '../api-permissions';
import { API_ROUTES, type ApiRoute } from '../api-routes';
import { clusterSpecModelSchema, type JsonSchema, scaleRequestModelSchema } from '../api-schemas';
import { acknowledgeWildcards } from '../nag';
import type { StepGrant } from '../permissions';
import type { DeploySettings } from '../settings';
import { ApiFunction, type ApiFunctionId } from './api-function';

export interface ClusterApiProps {
  readonly createMachine: sfn.IStateMachine;
  readonly teardownMachine: sfn.IStateMachine;
  readonly settings: DeploySettings;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default 'v1' */
  readonly stageName?: string;
}

/** The error body of a request that API Gateway's validator refuses (the function's errors have the same shape). */
const VALIDATION_ERROR = (field: string) =>
  `{"error":{"code":"BadRequest","message":"${field}: $context.error.validationErrorString","field":"${field}","rule":"$context.error.validationErrorString"}}`;
const GATEWAY_ERROR = '{"error":{"code":"$context.error.responseType","message":$context.error.messageString}}';

/** The REST API, its functions, and the scale route once a scale machine exists. */
export class ClusterApi extends Construct {
  readonly api: apigw.RestApi;
  readonly accessLogs: logs.LogGroup;
  readonly validator: apigw.RequestValidator;
  readonly functions: Partial<Record<ApiFunctionId, ApiFunction>> = {};
  private readonly models: Partial<Record<NonNullable<ApiRoute['body']>, apigw.Model>> = {};
  private readonly ctx: ApiPermissionContext;
  private readonly props: ClusterApiProps;
  private scaleMachine?: sfn.IStateMachine;

  constructor(scope: Construct, id: string, props: ClusterApiProps) {
    super(scope, id);
    this.props = props;
    this.ctx = { scope: this, create: props.createMachine, teardown: props.teardownMachine };
    const { settings } = props;

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigw.RestApi(this, 'RestApi', {
      restApiName: `${Stack.of(this).stackName}-clusters`,
      description: 'Mesos clusters on AWS: create, list, describe, scale and delete clusters (AWS_IAM authorization)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
      // Execution and access logging need API Gateway's account-level CloudWatch role. Setting it
      // replaces the account's existing one in this Region, so the stack does so only when asked.
      cloudWatchRole: settings.apiGatewayCloudWatchRole,
      deployOptions: {
        stageName: props.stageName ?? 'v1',
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: settings.apiRateLimit,
        throttlingBurstLimit: settings.apiBurstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
    });
    this.validator = new apigw.RequestValidator(this, 'Validator', {
      restApi: this.api,
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    this.api.addGatewayResponse('BadRequestBody', {
      type: apigw.ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      templates: { 'application/json': VALIDATION_ERROR('body') },
    });
    this.api.addGatewayResponse('BadRequestParameters', {
      type: apigw.ResponseType.BAD_REQUEST_PARAMETERS,
      statusCode: '400',
      templates: { 'application/json': VALIDATION_ERROR('parameters') },
    });
    this.api.addGatewayResponse('Default4xx', { type: apigw.ResponseType.DEFAULT_4XX, templates: { 'application/json': GATEWAY_ERROR } });
    this.api.addGatewayResponse('Default5xx', { type: apigw.ResponseType.DEFAULT_5XX, templates: { 'application/json': GATEWAY_ERROR } });

    this.model('ClusterSpec', clusterSpecModelSchema(settings));
    this.model('ScaleRequest', scaleRequestModelSchema());

    for (const functionId of ['create-cluster', 'list-clusters', 'get-cluster', 'delete-cluster'] as const) {
      const fn = this.addFunction(functionId);
      this.grant(fn, baseApiGrants(functionId, this.ctx));
    }
    for (const route of API_ROUTES.filter((r) => !r.needsScaleMachine)) this.addRoute(route);

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'Every method requires AWS_IAM (SigV4) authorization: callers are IAM principals of the account, not Cognito users',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Only SigV4-signed requests of IAM principals reach the integrations, and the stage is throttled; a WAF web ACL (billed per ACL and rule) can be attached per deployment',
    });
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: "API Gateway's account-level logging role: AWS's managed policy is the documented minimum for execution logs",
      });
    }
  }

  /** The invoke URL of the stage (`https://<id>.execute-api.<region>.amazonaws.com/v1/`). */
  get url(): string {
    return this.api.url;
  }

  /** The scale machine, once added. */
  get scale(): sfn.IStateMachine | undefined {
    return this.scaleMachine;
  }

  /**
   * Wires the scale machine: the scale route (POST /clusters/{id}/scale and its function),
   * and the status functions' view of scale executions. Once only.
   */
  addScaleMachine(machine: sfn.IStateMachine): void {
    if (this.scaleMachine) throw new Error('ClusterApi: the scale machine is already added');
    this.scaleMachine = machine;
    const ctx = { ...this.ctx, scale: machine };
    for (const functionId of ['list-clusters', 'get-cluster'] as const) {
      const fn = this.functions[functionId];
      if (!fn) continue;
      fn.function.addEnvironment(API_ENV.scaleMachineArn, machine.stateMachineArn);
      this.grant(fn, scaleApiGrants(functionId, ctx));
    }
    const scale = this.addFunction('scale-cluster');
    this.grant(scale, scaleApiGrants('scale-cluster', ctx));
    for (const route of API_ROUTES.filter((r) => r.needsScaleMachine)) this.addRoute(route);
  }

  private model(name: NonNullable<ApiRoute['body']>, schema: JsonSchema): void {
    this.models[name] = this.api.addModel(`${name}Model`, {
      modelName: name,
      contentType: 'application/json',
      schema: schema as apigw.JsonSchema,
    });
  }

  private addFunction(functionId: ApiFunctionId): ApiFunction {
    const { settings } = this.props;
    const environment: Record<string, string> = {
      [API_ENV.createMachineArn]: this.props.createMachine.stateMachineArn,
      [API_ENV.teardownMachineArn]: this.props.teardownMachine.stateMachineArn,
      [API_ENV.allowedInstanceTypes]: settings.allowedInstanceTypes.join(','),
      [API_ENV.maxSlaves]: String(settings.maxSlavesPerCluster),
      // A deployed stack installs from its own package mirror unless the spec says otherwise.
      [PACKAGE_SOURCE_ENV]: 'mirror',
    };
    if (this.scaleMachine) environment[API_ENV.scaleMachineArn] = this.scaleMachine.stateMachineArn;
    const pascal = functionId.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
    const fn = new ApiFunction(this, `${pascal}Api`, { functionId, environment, logRetention: this.props.logRetention });
    this.functions[functionId] = fn;
    return fn;
  }

  private grant(fn: ApiFunction, grants: StepGrant[]): void {
    for (const grant of grants) fn.role.addToPrincipalPolicy(grant.statement);
    acknowledgeWildcards(fn.role, grants);
  }

  private addRoute(route: ApiRoute): void {
    const fn = this.functions[route.functionId];
    if (!fn) throw new Error(`ClusterApi: no function for ${route.method} ${route.path}`);
    const resource = this.api.root.resourceForPath(route.path);
    const requestParameters: Record<string, boolean> = {};
    for (const m of route.path.matchAll(/\{([a-z]+)\}/g)) requestParameters[`method.request.path.${m[1]}`] = true;
    for (const q of route.query ?? []) requestParameters[`method.request.querystring.${q.name}`] = false;
    const model = route.body ? this.models[route.body] : undefined;
    resource.addMethod(route.method, new apigw.LambdaIntegration(fn.function, { proxy: true, allowTestInvoke: false }), {
      authorizationType: apigw.AuthorizationType.IAM,
      requestValidator: this.validator,
      requestParameters,
      ...(model ? { requestModels: { 'application/json': model } } : {}),
      operationName: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/\/([a-z])/g, (_, c: string) => c.toUpperCase())}`,
    });
  }
}
