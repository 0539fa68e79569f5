/**
 * The teardown machine, exported as ASL, executed by the local runner against the
 * simulated cloud after a real create: nothing tagged with the cluster may be left.
 */
import { isEmptyDescription } from '../../functions/shared/describe-cluster';
import { SimulatedWorld } from '../helpers/run';

const ADMIN = '203.0.113.0/24';

describe('teardown-cluster machine on the simulated cloud', () => {
  it.each([
    [1, 0],
    [3, 10],
  ])('deletes everything of a cluster with %i master(s) and %i slaves', async (masters, slaves) => {
    // Prepare
    const world = new SimulatedWorld();
    const name = `gone-${masters}-${slaves}`;
    const created = await world.create({ name, masters, slaves, adminCidr: ADMIN });
    expect(created.status).toBe('SUCCEEDED');
    const before = await world.describe(`${name}-000001`);
    expect(before.masters).toHaveLength(masters);
    expect(before.slaves).toHaveLength(slaves);

    // Act
    const result = await world.teardown(`${name}-000001`, name);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.events.some((e) => e.type === 'StateEntered' && e.state === 'Verify Nothing Left')).toBe(true);
    expect(await world.inventoryIds()).toEqual([]);
    expect(isEmptyDescription(await world.describe(`${name}-000001`))).toBe(true);
  });

  it('succeeds with nothing to do when the cluster is deleted twice', async () => {
    // Prepare
    const world = new SimulatedWorld();
    await world.create({ name: 'twice', masters: 1, slaves: 1, adminCidr: ADMIN });
    const first = await world.teardown('twice-000001', 'twice');
    const callsAfterFirst = { ...world.cloud.calls };

    // Act
    const second = await world.teardown('twice-000001', 'twice', 'delete-twice-000001-2');

    // Assess
    expect(first.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect(world.cloud.calls.TerminateInstances ?? 0).toBe(callsAfterFirst.TerminateInstances ?? 0);
    expect(world.cloud.calls.DeleteVpc ?? 0).toBe(callsAfterFirst.DeleteVpc ?? 0);
    expect(await world.inventoryIds()).toEqual([]);
  });
});
