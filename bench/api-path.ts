/**
 * The cluster API in-process, as API Gateway would call it: each request is a Lambda proxy
 * event handed to the route's handler wrapper (`apiHandler`) and route logic
 * (createCluster, getCluster, deleteCluster) with its clients injected, as the Lambda
 * entries pass theirs: EC2 answered by the simulated cloud, Step Functions by the local
 * stand-in (bench/step-functions.ts), which runs the create, teardown and scale machines'
 * ASL against the same cloud. Inside one virtual-time session many requests and the
 * executions they start proceed side by side.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { TaskTokens } from '../cli/runner/task-tokens';
import { createCluster } from '../functions/api/create-cluster/create-cluster';
import { deleteCluster } from '../functions/api/delete-cluster/delete-cluster';
import { getCluster } from '../functions/api/get-cluster/get-cluster';
import type { ClusterView } from '../functions/api/shared/cluster-status';
import type { ApiConfig } from '../functions/api/shared/config';
import { apiHandler } from '../functions/api/shared/handler';
import type { ApiRequest, ApiResponse } from '../functions/api/shared/http';
import { ALLOWED_INSTANCE_TYPES, MAX_SLAVES } from '../functions/shared/cluster-spec-rules';
import type { StepClients } from '../functions/shared/step';
import type { MachineName } from '../workflow/export';
import { LocalStepFunctions } from './step-functions';

const ACCOUNT = '123456789012';
const machineArn = (region: string, machine: MachineName) => `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${machine}`;

/** An answer of the API: the status code and the parsed JSON body. */
export interface ApiAnswer<T = unknown> {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: T;
}

export interface ApiPathOptions {
  /** The clients of one execution's steps (called once per execution). */
  readonly stepClients: () => StepClients;
  /** The task tokens the steps' Step Functions answers settle (the simulated cloud's). @default a registry of its own */
  readonly taskTokens?: TaskTokens;
  /** The EC2 client of the API functions. */
  readonly ec2: EC2Client;
  readonly region?: string;
  /** Makes the id of a new cluster. @default the API's own (`<name>-<6 random hex digits>`) */
  readonly newClusterId?: (name: string) => string;
}

type Route = (request: ApiRequest) => Promise<ApiResponse>;
type RouteName = 'create' | 'get' | 'delete';

/** POST /clusters, GET /clusters/{id} and DELETE /clusters/{id} through the API's own code. */
export class ApiPath {
  readonly stepFunctions: LocalStepFunctions;
  readonly config: ApiConfig;
  readonly #routes: Readonly<Record<RouteName, ReturnType<typeof apiHandler>>>;
  #requests = 0;

  constructor(options: ApiPathOptions) {
    const region = options.region ?? 'eu-west-1';
    this.config = {
      createMachineArn: machineArn(region, 'create-cluster'),
      teardownMachineArn: machineArn(region, 'teardown-cluster'),
      scaleMachineArn: machineArn(region, 'scale-cluster'),
      allowedInstanceTypes: [...ALLOWED_INSTANCE_TYPES],
      maxSlaves: MAX_SLAVES,
    };
    this.stepFunctions = new LocalStepFunctions({
      machines: {
        [this.config.createMachineArn]: 'create-cluster',
        [this.config.teardownMachineArn]: 'teardown-cluster',
        [this.config.scaleMachineArn ?? '']: 'scale-cluster',
      },
      clients: options.stepClients,
      ...(options.taskTokens ? { taskTokens: options.taskTokens } : {}),
      region,
    });
    const deps = { ec2: options.ec2, sfn: this.stepFunctions.client, config: this.config };
    const route = (name: string, run: (request: ApiRequest, d: typeof deps) => Promise<ApiResponse>) =>
      apiHandler(name, ((request) => run(request, deps)) as Route);
    this.#routes = {
      create: route('create-cluster', (request, d) => createCluster(request, { ...d, newClusterId: options.newClusterId })),
      get: route('get-cluster', getCluster),
      delete: route('delete-cluster', deleteCluster),
    };
  }

  async #call<T>(route: RouteName, method: string, path: string, id?: string, body?: unknown): Promise<ApiAnswer<T>> {
    this.#requests++;
    const event = {
      httpMethod: method,
      path,
      resource: path,
      body: body === undefined ? null : JSON.stringify(body),
      isBase64Encoded: false,
      headers: { Host: 'api.example.com' },
      pathParameters: id === undefined ? null : { id },
      queryStringParameters: null,
      requestContext: { stage: 'v1', requestId: `request-${this.#requests}`, domainName: 'api.example.com' },
    } as unknown as APIGatewayProxyEvent;
    const result = await this.#routes[route](event);
    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
    return { statusCode: result.statusCode, headers, body: JSON.parse(result.body) as T };
  }

  /** POST /clusters. */
  create(spec: unknown): Promise<ApiAnswer<{ clusterId?: string; executionArn?: string; error?: { message: string } }>> {
    return this.#call('create', 'POST', '/clusters', undefined, spec);
  }

  /** GET /clusters/{id}. */
  get(clusterId: string): Promise<ApiAnswer<ClusterView & { error?: { message: string } }>> {
    return this.#call('get', 'GET', `/clusters/${clusterId}`, clusterId);
  }

  /** DELETE /clusters/{id}. */
  delete(clusterId: string): Promise<ApiAnswer<{ executionArn?: string; error?: { message: string } }>> {
    return this.#call('delete', 'DELETE', `/clusters/${clusterId}`, clusterId);
  }

  /** 503 answers (AWS throttled the API function's own calls) that a wait retried after their Retry-After. */
  unavailable = 0;

  /**
   * Polls GET /clusters/{id} every `everySeconds` until the status is none of `passing`
   * (as a script waiting on the API would), and returns the last answer. A 503 is asked
   * again after its Retry-After or the poll interval, whichever is longer (Retry-After is
   * the least wait; asking sooner than the interval would add to the throttling).
   */
  async waitWhile(clusterId: string, passing: readonly string[], everySeconds = 30): Promise<ApiAnswer<ClusterView>> {
    for (;;) {
      const answer = await this.get(clusterId);
      let waitSeconds = everySeconds;
      if (answer.statusCode === 503) {
        this.unavailable++;
        waitSeconds = Math.max(everySeconds, Number(answer.headers['Retry-After'] ?? 0) || 0);
      } else if (answer.statusCode !== 200 || !passing.includes(answer.body.status)) {
        return answer;
      }
      await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
    }
  }
}
