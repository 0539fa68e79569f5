/**
 * GET /clusters: the clusters of this deployment, found without a database: the VPCs
 * tagged with a cluster id, and the clusters named by the newest executions of each
 * machine (a create still before its VPC, a create that failed and rolled back, a deleted
 * cluster). Deleted clusters are left out unless `?all=true`.
 */
import { DescribeVpcsCommand, type EC2Client, type Vpc } from '@aws-sdk/client-ec2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { TAG_FAILURE_CODE, TAG_ID, TAG_NAME, TAG_ROLE, TAG_STATUS, tagValue } from '../../shared/tags';
import { type ClusterStatus, deriveStatus } from '../shared/cluster-status';
import type { ApiConfig } from '../shared/config';
import { clusterIdOfExecution, executionsOfCluster, listAllExecutions } from '../shared/executions';
import { type ApiRequest, type ApiResponse, badRequest, clusterNameOf, ok } from '../shared/http';

export interface ListClustersDeps {
  readonly ec2: EC2Client;
  readonly sfn: SFNClient;
  readonly config: ApiConfig;
}

/** One row of GET /clusters. */
export interface ClusterListItem {
  readonly id: string;
  readonly name: string;
  readonly status: ClusterStatus;
  readonly failureCode?: string;
  readonly vpcId: string | null;
  /** The name of the running execution, if any. */
  readonly currentExecution: string | null;
  /** When the create execution started, if it is among the newest executions. */
  readonly createdAt: string | null;
}

/** Every VPC tagged as a cluster's VPC (paged). */
async function clusterVpcs(ec2: EC2Client): Promise<Vpc[]> {
  const vpcs: Vpc[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeVpcsCommand({
        Filters: [
          { Name: `tag:${TAG_ROLE}`, Values: ['vpc'] },
          { Name: 'tag-key', Values: [TAG_ID] },
        ],
        MaxResults: 1000,
        NextToken,
      })
    );
    vpcs.push(...(page.Vpcs ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return vpcs;
}

/** Handles GET /clusters. */
export async function listClusters(request: ApiRequest, deps: ListClustersDeps): Promise<ApiResponse> {
  const all = request.queryStringParameters.all;
  if (all !== undefined && all !== 'true' && all !== 'false') throw badRequest('all', 'must be true or false');
  const [vpcs, executions] = await Promise.all([clusterVpcs(deps.ec2), listAllExecutions(deps.sfn, deps.config)]);

  const vpcById = new Map<string, Vpc>();
  for (const vpc of vpcs) {
    const id = tagValue(vpc.Tags, TAG_ID);
    if (id) vpcById.set(id, vpc);
  }
  const ids = new Set<string>(vpcById.keys());
  for (const e of executions) {
    const id = clusterIdOfExecution(e.kind, e.name);
    if (id) ids.add(id);
  }

  const clusters: ClusterListItem[] = [];
  for (const id of [...ids].sort()) {
    const vpc = vpcById.get(id);
    const own = executionsOfCluster(executions, id);
    const derived = deriveStatus({
      statusTag: tagValue(vpc?.Tags, TAG_STATUS) ?? null,
      failureCodeTag: tagValue(vpc?.Tags, TAG_FAILURE_CODE) ?? null,
      hasResources: vpc !== undefined,
      executions: own,
    });
    if (!derived || (derived.status === 'DELETE_COMPLETE' && all !== 'true')) continue;
    const failureCode = tagValue(vpc?.Tags, TAG_FAILURE_CODE);
    clusters.push({
      id,
      name: tagValue(vpc?.Tags, TAG_NAME) ?? clusterNameOf(id),
      status: derived.status,
      ...(failureCode && derived.status.endsWith('_FAILED') ? { failureCode } : {}),
      vpcId: vpc?.VpcId ?? null,
      currentExecution: derived.current?.name ?? null,
      createdAt: own.find((e) => e.kind === 'create')?.startDate ?? null,
    });
  }
  return ok({ clusters });
}
