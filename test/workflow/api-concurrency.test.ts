/**
 * Concurrent creates through the API path: POST /clusters to the API's own handler and
 * route code, its Step Functions client answered by the local stand-in
 * (bench/step-functions.ts), which runs the create and teardown machines' ASL against one
 * simulated account on one virtual clock; every client then waits on GET /clusters/{id}.
 *
 * With the quotas raised and EC2 throttling on (the simulator's default), every create
 * ends CREATE_COMPLETE and DELETE /clusters/{id} of each leaves nothing. With the default
 * quotas the API accepts every request (202: it starts the execution, and the pre-flight
 * is the machine's first state); the creates the account cannot hold fail at Validate
 * Cluster Spec, which GET shows as CREATE_FAILED with VALIDATE_SPEC_FAILED and the quota
 * named, and nothing was created for them.
 */
import { ApiPath } from '../../bench/api-path';
import { inVirtualTime } from '../../cli/runner/virtual-time';
import { SimulatedCloud } from '../../simulator';
import { simulatedClients } from '../../simulator/clients';
import { T0 } from '../helpers/run';
import { TEST_STEP_CONFIG } from '../helpers/step-config';
import { ADMIN } from './operations';

/** The API on a cloud, with the throttled answers its steps got counted. */
function apiOn(cloud: SimulatedCloud): { api: ApiPath; throttled: () => number } {
  let throttled = 0;
  const counting = {
    handle: async (service: Parameters<SimulatedCloud['handle']>[0], command: string, input: Record<string, unknown>) => {
      try {
        return await cloud.handle(service, command, input);
      } catch (err) {
        if ((err as Error).name === 'RequestLimitExceeded') throttled++;
        throw err;
      }
    },
  };
  const api = new ApiPath({
    stepClients: () => ({ ...simulatedClients(counting, cloud.region), config: TEST_STEP_CONFIG }),
    ec2: simulatedClients(cloud, cloud.region).ec2,
    newClusterId: (name) => `${name}-000001`,
  });
  return { api, throttled: () => throttled };
}

const names = (count: number) => Array.from({ length: count }, (_, i) => `team${i + 1}`);

describe('concurrent creates through the API', () => {
  it('6 at once with the quotas raised under EC2 throttling: all CREATE_COMPLETE, a second POST of a name in flight is refused, 6 DELETEs leave nothing', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    cloud.setQuotas({ vpcs: 11, elasticIps: 11, vcpus: 128, natGatewaysPerZone: 11 });
    const { api, throttled } = apiOn(cloud);

    // Act
    const { value } = await inVirtualTime(T0, 'api-concurrency-raised', async () => {
      const posts = await Promise.all(names(6).map((name) => api.create({ name, masters: 1, slaves: 1, adminCidr: ADMIN })));
      const again = await api.create({ name: 'team1', masters: 1, slaves: 1, adminCidr: ADMIN });
      const created = await Promise.all(names(6).map((name) => api.waitWhile(`${name}-000001`, ['CREATE_IN_PROGRESS'])));
      const deletes = await Promise.all(names(6).map((name) => api.delete(`${name}-000001`)));
      const deleted = await Promise.all(names(6).map((name) => api.waitWhile(`${name}-000001`, ['DELETE_IN_PROGRESS'])));
      await api.stepFunctions.settled();
      return { posts, again, created, deletes, deleted, left: cloud.inventory() };
    });

    // Assess
    expect(value.posts.map((p) => p.statusCode)).toEqual(Array(6).fill(202));
    expect(value.again.statusCode).toBe(409);
    expect(value.again.body.error?.message).toBe('name: is taken by cluster team1-000001; delete it first');
    expect(value.created.map((g) => [g.body.id, g.body.status])).toEqual(names(6).map((n) => [`${n}-000001`, 'CREATE_COMPLETE']));
    expect(value.created.every((g) => g.body.masters.length === 1 && g.body.slaveCount === 1)).toBe(true);
    expect(value.deletes.map((d) => d.statusCode)).toEqual(Array(6).fill(202));
    expect(value.deleted.map((g) => g.body.status)).toEqual(Array(6).fill('DELETE_COMPLETE'));
    expect(value.left).toEqual([]);
    const executions = api.stepFunctions.executions();
    expect(executions.filter((e) => e.machine === 'create-cluster' && e.status === 'SUCCEEDED')).toHaveLength(6);
    expect(executions.filter((e) => e.machine === 'teardown-cluster' && e.status === 'SUCCEEDED')).toHaveLength(6);
    // The creates contended for EC2's request buckets, and their steps retried.
    expect(throttled()).toBeGreaterThan(0);
  });

  it('7 requests 5 s apart with the default quotas: 5 complete; 2 accepted, then CREATE_FAILED at the pre-flight naming the quota, with nothing created', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { api } = apiOn(cloud);

    // Act
    const { value } = await inVirtualTime(T0, 'api-concurrency-default', async () => {
      const outcomes = await Promise.all(
        names(7).map(async (name, i) => {
          await new Promise((resolve) => setTimeout(resolve, i * 5000));
          const post = await api.create({ name, masters: 1, slaves: 0, adminCidr: ADMIN });
          const final = await api.waitWhile(`${name}-000001`, ['CREATE_IN_PROGRESS']);
          const tagged = cloud.inventory().filter((item) => item.tags['mesos-cluster:id'] === `${name}-000001`).length;
          return { post: post.statusCode, final: final.body, tagged };
        })
      );
      const completed = outcomes.filter((o) => o.final.status === 'CREATE_COMPLETE');
      await Promise.all(completed.map((o) => api.delete(o.final.id)));
      await Promise.all(completed.map((o) => api.waitWhile(o.final.id, ['DELETE_IN_PROGRESS'])));
      await api.stepFunctions.settled();
      return { outcomes, left: cloud.inventory() };
    });

    // Assess
    expect(value.outcomes.map((o) => o.post)).toEqual(Array(7).fill(202));
    expect(value.outcomes.map((o) => o.final.status)).toEqual([...Array(5).fill('CREATE_COMPLETE'), ...Array(2).fill('CREATE_FAILED')]);
    for (const refused of value.outcomes.slice(5)) {
      expect(refused.final.failureCode).toBe('VALIDATE_SPEC_FAILED');
      expect(refused.final.failureReason).toMatch(
        /^FatalError: validate-spec: the cluster needs .* \(quota [^)]+\); .* \((AddressLimitExceeded|VpcLimitExceeded)\)$/
      );
      expect(refused.tagged).toBe(0);
      expect(refused.final.vpcId).toBeNull();
    }
    const refusedRuns = api.stepFunctions.executions().filter((e) => e.status === 'FAILED');
    expect(refusedRuns.map((e) => e.name)).toEqual(['create-team6-000001', 'create-team7-000001']);
    expect(value.left).toEqual([]);
  });
});
