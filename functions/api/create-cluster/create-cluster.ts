/**
 * POST /clusters: validates the cluster spec (the same parseClusterSpec as the CLI and the
 * workflow's first state), applies the deployment's limits, refuses a name that a live
 * cluster or a running create holds (409), and starts the create machine with the
 * execution named `create-<clusterId>`. 202 with the cluster id, the execution and the
 * status URL.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { clusterIdFor, createStart } from '../../shared/cluster-id';
import { type ClusterSpec, parseClusterSpec } from '../../shared/cluster-spec';
import { findClusterIdsByName } from '../../shared/describe-cluster';
import { ValidationError } from '../../shared/errors';
import type { ApiConfig } from '../shared/config';
import { clusterIdOfExecution, listExecutions } from '../shared/executions';
import { type ApiRequest, type ApiResponse, accepted, badRequest, clusterNameOf, conflict, jsonBody } from '../shared/http';

export interface CreateClusterDeps {
  readonly ec2: EC2Client;
  readonly sfn: SFNClient;
  readonly config: ApiConfig;
  /** Makes the id of a new cluster. @default `clusterIdFor(name)`: `<name>-<6 random hex digits>` */
  readonly newClusterId?: (name: string) => string;
}

/** The body of a 202 from POST /clusters. */
export interface CreateClusterAccepted {
  readonly clusterId: string;
  readonly name: string;
  readonly status: 'CREATE_IN_PROGRESS';
  readonly executionArn: string;
  readonly statusUrl: string;
}

/** A ValidationError as a 400 naming its field and rule. */
export function validationResponse(err: ValidationError): never {
  const prefix = `${err.field}: `;
  throw badRequest(err.field, err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message);
}

/** Checks the limits this deployment was configured with (cdk.json context). */
export function checkDeploymentLimits(spec: ClusterSpec, config: ApiConfig): void {
  for (const field of ['masterInstanceType', 'slaveInstanceType'] as const) {
    if (!config.allowedInstanceTypes.includes(spec[field])) {
      throw badRequest(field, `must be one of ${config.allowedInstanceTypes.join(', ')} (allowed by this deployment)`);
    }
  }
  if (spec.slaves > config.maxSlaves) throw badRequest('slaves', `must be at most ${config.maxSlaves} (this deployment's limit)`);
  if (spec.autoscaling.maxSlaves > config.maxSlaves) {
    throw badRequest('autoscaling.maxSlaves', `must be at most ${config.maxSlaves} (this deployment's limit)`);
  }
}

/** Handles POST /clusters. */
export async function createCluster(request: ApiRequest, deps: CreateClusterDeps): Promise<ApiResponse> {
  let spec: ClusterSpec;
  try {
    spec = parseClusterSpec(jsonBody(request));
  } catch (err) {
    if (err instanceof ValidationError) validationResponse(err);
    throw err;
  }
  checkDeploymentLimits(spec, deps.config);

  const [live, running] = await Promise.all([
    findClusterIdsByName(spec.name, deps),
    listExecutions(deps.sfn, 'create', deps.config.createMachineArn, 'RUNNING'),
  ]);
  const creating = running
    .map((e) => clusterIdOfExecution('create', e.name))
    .filter((id): id is string => id !== undefined && clusterNameOf(id) === spec.name);
  const holders = [...new Set([...live, ...creating])];
  if (holders.length > 0) throw conflict('name', `is taken by cluster ${holders.join(', ')}; delete it first`);

  const start = createStart(deps.newClusterId?.(spec.name) ?? clusterIdFor(spec.name), spec.name, spec);
  const { clusterId } = start;
  const { executionArn = '' } = await deps.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: deps.config.createMachineArn,
      name: start.executionName,
      input: JSON.stringify(start.input),
    })
  );
  const statusUrl = `${request.baseUrl}/clusters/${clusterId}`;
  const body: CreateClusterAccepted = { clusterId, name: spec.name, status: 'CREATE_IN_PROGRESS', executionArn, statusUrl };
  return accepted(body, statusUrl);
}
