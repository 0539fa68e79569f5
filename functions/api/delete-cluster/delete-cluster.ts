/**
 * DELETE /clusters/{id}: stops the cluster's create if it is still running (the teardown
 * removes whatever it built, by tag), then starts the teardown machine with the execution
 * named `delete-<clusterId>`. A delete while another runs returns that one (two deletes do
 * not fight); a delete after a failed one starts `delete-<clusterId>-2`, and so on.
 */
import { DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { type SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { clusterFilters } from '../../shared/tags';
import type { ApiConfig } from '../shared/config';
import { createExecutionName, deleteExecutionName, describeExecution, executionArnOf } from '../shared/executions';
import { type ApiRequest, type ApiResponse, accepted, clusterIdOf, clusterNameOf, conflict, notFound } from '../shared/http';

export interface DeleteClusterDeps {
  readonly ec2: EC2Client;
  readonly sfn: SFNClient;
  readonly config: ApiConfig;
}

/** How many delete executions one cluster may have (a retried failed delete starts the next). */
export const MAX_DELETE_ATTEMPTS = 20;

/** The error of a create stopped by a delete. */
export const STOPPED_BY_DELETE = 'ClusterDeleted';

/** Handles DELETE /clusters/{id}. */
export async function deleteCluster(request: ApiRequest, deps: DeleteClusterDeps): Promise<ApiResponse> {
  const clusterId = clusterIdOf(request);
  const { config, sfn } = deps;
  const createArn = executionArnOf(config.createMachineArn, createExecutionName(clusterId));
  const [create, vpcs] = await Promise.all([
    describeExecution(sfn, 'create', createArn),
    deps.ec2.send(new DescribeVpcsCommand({ Filters: clusterFilters(clusterId, 'vpc') })).then((r) => r.Vpcs ?? []),
  ]);
  const firstDeleteArn = executionArnOf(config.teardownMachineArn, deleteExecutionName(clusterId, 1));
  if (!create && vpcs.length === 0 && !(await describeExecution(sfn, 'delete', firstDeleteArn))) {
    throw notFound(`no cluster ${clusterId}`);
  }

  if (create?.status === 'RUNNING') {
    await sfn.send(
      new StopExecutionCommand({
        executionArn: createArn,
        error: STOPPED_BY_DELETE,
        cause: `DELETE /clusters/${clusterId} stopped the create; the teardown removes what it built`,
      })
    );
  }

  const statusUrl = `${request.baseUrl}/clusters/${clusterId}`;
  const input = JSON.stringify({ clusterId, clusterName: clusterNameOf(clusterId) });
  for (let attempt = 1; attempt <= MAX_DELETE_ATTEMPTS; attempt++) {
    const name = deleteExecutionName(clusterId, attempt);
    try {
      const { executionArn = '' } = await sfn.send(new StartExecutionCommand({ stateMachineArn: config.teardownMachineArn, name, input }));
      return accepted({ clusterId, status: 'DELETE_IN_PROGRESS', executionArn, statusUrl }, statusUrl);
    } catch (err) {
      if ((err as { name?: string }).name !== 'ExecutionAlreadyExists') throw err;
    }
    const existing = await describeExecution(sfn, 'delete', executionArnOf(config.teardownMachineArn, name));
    if (existing?.status === 'RUNNING') {
      return accepted(
        { clusterId, status: 'DELETE_IN_PROGRESS', executionArn: existing.executionArn, statusUrl, alreadyRunning: true },
        statusUrl
      );
    }
  }
  throw conflict('id', `cluster ${clusterId} has had ${MAX_DELETE_ATTEMPTS} delete executions; see their failures`);
}
