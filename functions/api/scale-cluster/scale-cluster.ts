/**
 * POST /clusters/{id}/scale {"slaves": N}: starts the scale machine with an exact target
 * (`{clusterId, clusterName, targetSlaves, source: 'api'}`) for a cluster that is
 * CREATE_COMPLETE. The scale machine's Plan Scale checks the cluster's own bounds and takes
 * the scale lease, so two scales never run at once.
 */
import { randomBytes } from 'node:crypto';
import { DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { ScaleRequest } from '../../shared/contracts';
import { clusterFilters, TAG_NAME, TAG_STATUS, tagValue } from '../../shared/tags';
import type { ApiConfig } from '../shared/config';
import { scaleExecutionName } from '../shared/executions';
import {
  type ApiRequest,
  type ApiResponse,
  accepted,
  badRequest,
  clusterIdOf,
  clusterNameOf,
  conflict,
  HttpError,
  jsonBody,
  notFound,
} from '../shared/http';

export interface ScaleClusterDeps {
  readonly ec2: EC2Client;
  readonly sfn: SFNClient;
  readonly config: ApiConfig;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Checks a scale body: exactly `{"slaves": <whole number 0..maxSlaves>}`. */
export function parseScaleBody(body: unknown, maxSlaves: number): number {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('body', 'must be a JSON object');
  const extra = Object.keys(body).filter((k) => k !== 'slaves');
  if (extra.length > 0) throw badRequest(extra.join(', '), 'is not a field of a scale request');
  const slaves = (body as { slaves?: unknown }).slaves;
  if (slaves === undefined) throw badRequest('slaves', 'is required');
  if (typeof slaves !== 'number') throw badRequest('slaves', 'must be a number');
  if (!Number.isInteger(slaves)) throw badRequest('slaves', 'must be a whole number');
  if (slaves < 0) throw badRequest('slaves', 'must be at least 0');
  if (slaves > maxSlaves) throw badRequest('slaves', `must be at most ${maxSlaves}`);
  return slaves;
}

/** Handles POST /clusters/{id}/scale. */
export async function scaleCluster(request: ApiRequest, deps: ScaleClusterDeps): Promise<ApiResponse> {
  const clusterId = clusterIdOf(request);
  const targetSlaves = parseScaleBody(jsonBody(request), deps.config.maxSlaves);
  const machineArn = deps.config.scaleMachineArn;
  if (!machineArn) throw new HttpError(501, 'NotImplemented', 'this deployment has no scale machine');

  const { Vpcs = [] } = await deps.ec2.send(new DescribeVpcsCommand({ Filters: clusterFilters(clusterId, 'vpc') }));
  const vpc = Vpcs[0];
  if (!vpc) throw notFound(`no cluster ${clusterId}`);
  const status = tagValue(vpc.Tags, TAG_STATUS) ?? 'CREATE_IN_PROGRESS';
  if (status !== 'CREATE_COMPLETE') throw conflict('status', `is ${status}; a cluster can be scaled when it is CREATE_COMPLETE`);

  const clusterName = tagValue(vpc.Tags, TAG_NAME) ?? clusterNameOf(clusterId);
  const input: ScaleRequest = { clusterId, clusterName, targetSlaves, source: 'api' };
  const name = scaleExecutionName(clusterId, (deps.now ?? Date.now)(), randomBytes(1).toString('hex'));
  const { executionArn = '' } = await deps.sfn.send(
    new StartExecutionCommand({ stateMachineArn: machineArn, name, input: JSON.stringify(input) })
  );
  const statusUrl = `${request.baseUrl}/clusters/${clusterId}`;
  return accepted({ clusterId, status: 'UPDATE_IN_PROGRESS', targetSlaves, executionArn, statusUrl }, statusUrl);
}
