/**
 * A cluster created without slaves: the create bakes no image, and its first scale-out
 * bakes the image from the recipe the VPC recorded (or reuses one of that recipe), then
 * launches the slaves. The create, scale and teardown machines run as ASL against the
 * simulated cloud in virtual time.
 */
import { DescribeImagesCommand, DescribeInstancesCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import type { RunResult } from '../../cli/runner/local-runner';
import { RECIPE_TAGS } from '../../functions/shared/image-recipe';
import { SimulatedWorld, T0, type SimulatedWorld as World } from '../helpers/run';

const ID = 'zero-000001';
const SPEC = { name: 'zero', masters: 1, slaves: 0, adminCidr: '203.0.113.0/24' };

let base: World;
let baseCreate: RunResult;
let baseCalls: { stepId: string; operation: string }[];

beforeAll(async () => {
  base = new SimulatedWorld(T0);
  baseCalls = base.recordStepCalls();
  baseCreate = await base.create(SPEC);
}, 30_000);

function entered(result: RunResult): string[] {
  return result.events.filter((e) => e.type === 'StateEntered').map((e) => e.state ?? '');
}

function scaleTo(world: World, targetSlaves: number, name: string): Promise<RunResult> {
  return world.run('scale-cluster', { clusterId: ID, clusterName: 'zero', targetSlaves, source: 'api' }, name);
}

/** The cluster's images (any state but deregistered) and snapshots, from EC2. */
async function imagesAndSnapshots(world: World): Promise<{ images: string[]; snapshots: string[] }> {
  return world.look(async () => {
    const { ec2 } = world.cloud.clients();
    const filters = [{ Name: 'tag:mesos-cluster:id', Values: [ID] }];
    const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: filters }));
    const { Snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: filters }));
    return {
      images: Images.filter((i) => i.State !== 'deregistered').map((i) => i.ImageId ?? ''),
      snapshots: Snapshots.map((s) => s.SnapshotId ?? ''),
    };
  });
}

/** The cluster's instances of a role that are not shutting down or gone. */
async function liveInstances(world: World, role: string): Promise<{ id: string; imageId: string }[]> {
  return world.look(async () => {
    const out = await world.cloud.clients().ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:mesos-cluster:id', Values: [ID] },
          { Name: 'tag:mesos-cluster:role', Values: [role] },
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
        ],
      })
    );
    return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => ({ id: i.InstanceId ?? '', imageId: i.ImageId ?? '' }));
  });
}

async function registeredAgents(world: World): Promise<string[]> {
  const d = await world.describe(ID);
  return world.look(async () => world.cloud.mesosAgents(d.masters[0]?.privateIp ?? '', d.vpc?.id));
}

describe('a cluster created without slaves', () => {
  it('bakes nothing at the create: no template slave ever launched, no image, the recipe on the VPC', async () => {
    // Act
    const d = await base.describe(ID);
    const { images, snapshots } = await imagesAndSnapshots(base);

    // Assess
    expect(baseCreate.status).toBe('SUCCEEDED');
    expect(entered(baseCreate)).toContain('No Slave Image Needed');
    expect(entered(baseCreate)).not.toContain('Launch Template Slave');
    expect(entered(baseCreate)).not.toContain('Find Cached Slave Image');
    expect(baseCalls.filter((c) => c.operation === 'CreateImage')).toEqual([]);
    // One RunInstances call: the masters.
    expect(baseCalls.filter((c) => c.operation === 'RunInstances')).toHaveLength(1);
    expect(images).toEqual([]);
    expect(snapshots).toEqual([]);
    expect(await liveInstances(base, 'template-slave')).toEqual([]);
    expect(d.statusTag).toBe('CREATE_COMPLETE');
    const vpc = await base.look(async () => base.cloud.inventory().find((i) => i.type === 'vpc'));
    expect(vpc?.tags?.[RECIPE_TAGS.baseImageId]).toMatch(/^ami-/);
    expect(vpc?.tags?.[RECIPE_TAGS.mesosVersion]).toBe('1.11.0-0.7.1.ubuntu2404');
  });

  it('scales 0 → 2: bakes the image from the recorded recipe, then launches the slaves and their agents register', async () => {
    // Prepare
    const world = await base.fork();

    // Act
    const scaled = await scaleTo(world, 2, 'scale-zero-2');
    const slaves = await liveInstances(world, 'slave');
    const { images } = await imagesAndSnapshots(world);

    // Assess
    expect(scaled.status).toBe('SUCCEEDED');
    const states = entered(scaled);
    expect(states.indexOf('Bake Slave Image')).toBeGreaterThan(states.indexOf('Launch Template Slave'));
    expect(states.indexOf('Launch Slaves')).toBeGreaterThan(states.indexOf('Terminate Template Slave'));
    expect(images).toHaveLength(1);
    expect(slaves).toHaveLength(2);
    expect(slaves.every((s) => s.imageId === images[0])).toBe(true);
    expect((await registeredAgents(world)).sort()).toEqual(slaves.map((s) => s.id).sort());
    expect(await liveInstances(world, 'template-slave')).toEqual([]);
  });

  it('reuses the image at a second scale-out (after a scale back to 0 too): no second bake', async () => {
    // Prepare
    const world = await base.fork();
    const first = await scaleTo(world, 2, 'scale-zero-a');
    const { images: before } = await imagesAndSnapshots(world);
    const calls = world.recordStepCalls();

    // Act
    const down = await scaleTo(world, 0, 'scale-zero-b');
    const again = await scaleTo(world, 3, 'scale-zero-c');
    const { images: after } = await imagesAndSnapshots(world);
    const slaves = await liveInstances(world, 'slave');

    // Assess
    expect([first.status, down.status, again.status]).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(entered(again)).toContain("Use The Cluster's Slave Image");
    expect(entered(again)).not.toContain('Launch Template Slave');
    expect(calls.filter((c) => c.operation === 'CreateImage')).toEqual([]);
    expect(after).toEqual(before);
    expect(slaves).toHaveLength(3);
    expect(slaves.every((s) => s.imageId === before[0])).toBe(true);
  });

  it('reuses an image of the same recipe that another cluster baked, instead of baking', async () => {
    // Prepare
    const world = await base.fork();
    const other = await world.create({
      name: 'other',
      masters: 1,
      slaves: 1,
      adminCidr: '203.0.113.0/24',
      vpcCidr: '10.20.0.0/22',
      publicSubnetCidr: '10.20.0.0/24',
      privateSubnetCidr: '10.20.1.0/24',
    });
    const calls = world.recordStepCalls();

    // Act
    const scaled = await scaleTo(world, 1, 'scale-zero-1');
    const slaves = await liveInstances(world, 'slave');
    const otherImage = (await world.describe('other-000001')).imageId;

    // Assess
    expect(other.status).toBe('SUCCEEDED');
    expect(scaled.status).toBe('SUCCEEDED');
    expect(entered(scaled)).toContain('Use Cached Slave Image');
    expect(calls.filter((c) => c.operation === 'CreateImage')).toEqual([]);
    expect(slaves.map((s) => s.imageId)).toEqual([otherImage]);
  });

  it.each([
    ['CreateImage', 'BAKE_IMAGE_FAILED'],
    ['TerminateInstances', 'TERMINATE_INSTANCES_FAILED'],
  ])('rolls back a bake that fails at %s: no template slave, image or snapshot left, and the next scale works', async (operation, code) => {
    // Prepare
    const world = await base.fork();
    world.cloud.injectFault({ operation, code: 'UnauthorizedOperation', count: 1 });
    const calls = world.recordStepCalls();

    // Act
    const failed = await scaleTo(world, 2, 'scale-zero-f1');
    const deregistered = calls.filter((c) => c.stepId === 'discard-image-bake' && c.operation === 'DeregisterImage').length;
    const left = await imagesAndSnapshots(world);
    const templates = await liveInstances(world, 'template-slave');
    const slavesAfterFailure = await liveInstances(world, 'slave');
    const retried = await scaleTo(world, 2, 'scale-zero-f2');

    // Assess
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('SCALE_FAILED');
    expect(failed.cause).toMatch(new RegExp(`^${code}: `));
    expect(entered(failed)).toContain('Discard Image Bake');
    // Failing at TerminateInstances, the image was made and the rollback deregistered it; at CreateImage none was made.
    expect(deregistered).toBe(operation === 'CreateImage' ? 0 : 1);
    expect(entered(failed)).not.toContain('Launch Slaves');
    expect(left).toEqual({ images: [], snapshots: [] });
    expect(templates).toEqual([]);
    expect(slavesAfterFailure).toEqual([]);
    expect((await world.describe(ID)).statusTag).toBe('CREATE_COMPLETE');
    expect(retried.status).toBe('SUCCEEDED');
    expect(await liveInstances(world, 'slave')).toHaveLength(2);
  });

  it('runs a scale-out bake twice as one: every bake step run twice leaves one image and one template slave, terminated', async () => {
    // Prepare
    const world = await base.fork();
    const twice = new Set(['find-cached-image', 'launch-instances', 'configure-template-slave', 'bake-image', 'terminate-instances']);

    // Act
    const scaled = await world.run(
      'scale-cluster',
      { clusterId: ID, clusterName: 'zero', targetSlaves: 2, source: 'api' },
      'scale-zero-t',
      {
        wrapStep: (step) =>
          twice.has(step.id)
            ? {
                id: step.id,
                run: async (input, clients) => {
                  await step.run(input, clients);
                  return step.run(input, clients);
                },
              }
            : step,
      }
    );
    const { images } = await imagesAndSnapshots(world);

    // Assess
    expect(scaled.status).toBe('SUCCEEDED');
    expect(images).toHaveLength(1);
    expect(await liveInstances(world, 'slave')).toHaveLength(2);
    expect(await liveInstances(world, 'template-slave')).toEqual([]);
  });

  it('tears down after a scale-out, deleting the image it baked: nothing left', async () => {
    // Prepare
    const world = await base.fork();
    const scaled = await scaleTo(world, 2, 'scale-zero-d');

    // Act
    const deleted = await world.teardown(ID, 'zero');

    // Assess
    expect(scaled.status).toBe('SUCCEEDED');
    expect(deleted.status).toBe('SUCCEEDED');
    expect(await imagesAndSnapshots(world)).toEqual({ images: [], snapshots: [] });
    expect(await world.inventoryIds()).toEqual([]);
  });
});
