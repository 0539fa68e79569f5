/**
 * Duplicate delivery: Lambda invokes at least once, and Step Functions may re-run a task
 * whose result was lost. Here EVERY Task invocation runs its step twice with the same
 * input (the first outcome, result or error, is dropped; the second is returned), for a
 * whole create and a whole teardown. Nothing may be created or deleted twice: the
 * inventory must equal that of a normal run, and both runs must succeed.
 *
 * Overlapping duplicates (the second invocation starts before the first has answered)
 * are a weaker case: CreateVpc, CreateInternetGateway and AllocateAddress take no
 * ClientToken, so two invocations that both look up the tag before either has created
 * make two VPCs, internet gateways or addresses. The last test pins what still holds:
 * the create succeeds, every extra resource carries the cluster's tags, and the teardown
 * (whose steps find resources by tag) leaves nothing.
 */
import type { AnyStep } from '../../cli/runner/step-registry';
import type { InventoryItem } from '../../simulator';
import { SimulatedWorld } from '../helpers/run';
import { ADMIN } from './operations';

const SPEC = { name: 'twice', masters: 1, slaves: 2, adminCidr: ADMIN };
const CLUSTER_ID = 'twice-000001';

/** The step, run twice per invocation: the first outcome is lost, the second is returned. */
function deliveredTwice(step: AnyStep): AnyStep {
  return {
    id: step.id,
    run: async (input, clients) => {
      await step.run(input, clients).catch(() => undefined);
      return step.run(input, clients);
    },
  };
}

/** The step, invoked twice at once: the second outcome is returned. */
function deliveredTwiceAtOnce(step: AnyStep): AnyStep {
  return {
    id: step.id,
    run: async (input, clients) => {
      const [, second] = await Promise.allSettled([step.run(input, clients), step.run(input, clients)]);
      if (second.status === 'rejected') throw second.reason;
      return second.value;
    },
  };
}

/** How many live resources of each type. */
function countsByType(items: readonly InventoryItem[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.type] = (counts[item.type] ?? 0) + 1;
  return counts;
}

describe('duplicate delivery: every step invoked twice with the same input', () => {
  it('creates each resource once: the inventory equals a normal create (1 VPC, 2 subnets, 1 NAT, 1 EIP, 2 SGs, 3 instances, 1 image)', async () => {
    // Prepare
    const normal = new SimulatedWorld();
    expect((await normal.create(SPEC)).status).toBe('SUCCEEDED');
    const expected = countsByType(await normal.look(async () => normal.cloud.inventory()));
    const world = new SimulatedWorld();
    let invocations = 0;

    // Act
    const result = await world.create(SPEC, CLUSTER_ID, {
      wrapStep: (step) => {
        const twice = deliveredTwice(step);
        return {
          id: step.id,
          run: (input, clients) => {
            invocations++;
            return twice.run(input, clients);
          },
        };
      },
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(invocations).toBeGreaterThan(20);
    const counts = countsByType(await world.look(async () => world.cloud.inventory()));
    expect(counts).toEqual(expected);
    expect(counts).toMatchObject({
      vpc: 1,
      subnet: 2,
      'internet-gateway': 1,
      'route-table': 2,
      'elastic-ip': 1,
      'nat-gateway': 1,
      'security-group': 2,
      instance: SPEC.masters + SPEC.slaves,
      image: 1,
    });
    const d = await world.describe(CLUSTER_ID);
    expect(d.statusTag).toBe('CREATE_COMPLETE');
    expect(d.templateSlaves).toHaveLength(0);
    const agents = await world.look(async () => world.cloud.mesosAgents(d.masters[0]?.privateIp ?? '', d.vpc?.id));
    expect(agents.sort()).toEqual(d.slaves.map((s) => s.instanceId).sort());
  });

  it('deletes each resource once and leaves nothing: a teardown with every step invoked twice succeeds', async () => {
    // Prepare
    const world = new SimulatedWorld();
    expect((await world.create(SPEC)).status).toBe('SUCCEEDED');
    const callsBefore = { ...world.cloud.calls };

    // Act
    const result = await world.teardown(CLUSTER_ID, SPEC.name, undefined, { wrapStep: deliveredTwice });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(await world.inventoryIds()).toEqual([]);
    const made = (op: string) => (world.cloud.calls[op] ?? 0) - (callsBefore[op] ?? 0);
    // The second delivery finds the resource gone (by tag) and sends no second delete.
    expect(made('DeleteVpc')).toBe(1);
    expect(made('DeleteNatGateway')).toBe(1);
    expect(made('ReleaseAddress')).toBe(1);
    expect(made('DeregisterImage')).toBe(1);
  });

  it('overlapping duplicates: the create succeeds, every resource is tagged, and the teardown leaves nothing', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const created = await world.create(SPEC, CLUSTER_ID, { wrapStep: deliveredTwiceAtOnce });
    const items = await world.look(async () => world.cloud.inventory());
    const deleted = await world.teardown(CLUSTER_ID, SPEC.name, undefined, { wrapStep: deliveredTwiceAtOnce });

    // Assess
    expect(created.status).toBe('SUCCEEDED');
    expect(countsByType(items)).toMatchObject({ subnet: 2, 'nat-gateway': 1, 'security-group': 2, instance: 3, image: 1 });
    expect(items.every((item) => item.tags['mesos-cluster:id'] === CLUSTER_ID)).toBe(true);
    expect(deleted.status).toBe('SUCCEEDED');
    expect(await world.inventoryIds()).toEqual([]);
  });
});
