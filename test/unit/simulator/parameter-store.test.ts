import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { SimulatedCloud } from '../../../simulator';
import { errorOf, type InstalledClock, installClock, T0 } from './support';

describe('simulated Parameter Store', () => {
  let clock: InstalledClock;
  let cloud: SimulatedCloud;
  let ssm: SSMClient;

  beforeEach(() => {
    clock = installClock();
    cloud = new SimulatedCloud();
    ({ ssm } = cloud.clients({ maxAttempts: 1 }));
  });

  afterEach(() => clock.uninstall());

  const put = (Name: string, Value: string, extra: Partial<ConstructorParameters<typeof PutParameterCommand>[0]> = {}) =>
    ssm.send(new PutParameterCommand({ Name, Value, Type: 'String', ...extra }));

  it('creates a parameter once: a second create-only put of the name is refused, whoever sends it', async () => {
    // Arrange
    const first = await put('/app/locks/a', 'owner-1', { Tags: [{ Key: 'mesos-cluster:id', Value: 'c-1' }] });

    // Act
    const second = await errorOf(() => put('/app/locks/a', 'owner-2'));
    const read = await ssm.send(new GetParameterCommand({ Name: '/app/locks/a' }));

    // Assess
    expect(first.Version).toBe(1);
    expect(second.name).toBe('ParameterAlreadyExists');
    expect(read.Parameter?.Value).toBe('owner-1');
    expect(read.Parameter?.LastModifiedDate?.getTime()).toBe(T0);
  });

  it('overwrites with a new version, and refuses tags with Overwrite', async () => {
    // Arrange
    await put('/app/x', 'v1');

    // Act
    const overwritten = await put('/app/x', 'v2', { Overwrite: true });
    const tagged = await errorOf(() => put('/app/x', 'v3', { Overwrite: true, Tags: [{ Key: 'k', Value: 'v' }] }));

    // Assess
    expect(overwritten.Version).toBe(2);
    expect(tagged.name).toBe('ValidationException');
    expect((await ssm.send(new GetParameterCommand({ Name: '/app/x' }))).Parameter?.Value).toBe('v2');
  });

  it('lists a path: direct children, or everything below with Recursive, in pages of at most 10', async () => {
    // Arrange
    for (let i = 0; i < 12; i++) await put(`/app/bakes/h1/${String(i).padStart(2, '0')}`, `v${i}`);
    await put('/app/bakes/h2/01', 'other');
    await put('/app/bakes/top', 'top');

    // Act
    const direct = await ssm.send(new GetParametersByPathCommand({ Path: '/app/bakes' }));
    const firstPage = await ssm.send(new GetParametersByPathCommand({ Path: '/app/bakes/h1' }));
    const secondPage = await ssm.send(new GetParametersByPathCommand({ Path: '/app/bakes/h1', NextToken: firstPage.NextToken }));
    const recursive = await ssm.send(new GetParametersByPathCommand({ Path: '/app/bakes', Recursive: true, MaxResults: 10 }));
    const tooMany = await errorOf(() => ssm.send(new GetParametersByPathCommand({ Path: '/app', MaxResults: 11 })));

    // Assess
    expect(direct.Parameters?.map((p) => p.Name)).toEqual(['/app/bakes/top']);
    expect(firstPage.Parameters).toHaveLength(10);
    expect(secondPage.Parameters?.map((p) => p.Value)).toEqual(['v10', 'v11']);
    expect(secondPage.NextToken).toBeUndefined();
    expect(recursive.NextToken).toBeDefined();
    expect(tooMany.name).toBe('ValidationException');
  });

  it('deletes a parameter (ParameterNotFound the second time) and lists live ones in the inventory with their tags', async () => {
    // Arrange
    await put('/app/a', 'x', { Tags: [{ Key: 'mesos-cluster:id', Value: 'c-1' }] });
    await put('/app/b', 'y');
    const listed = cloud.inventory().filter((item) => item.type === 'parameter');

    // Act
    await ssm.send(new DeleteParameterCommand({ Name: '/app/a' }));
    const again = await errorOf(() => ssm.send(new DeleteParameterCommand({ Name: '/app/a' })));

    // Assess
    expect(listed).toEqual([
      { id: '/app/a', type: 'parameter', state: 'active', tags: { 'mesos-cluster:id': 'c-1' } },
      { id: '/app/b', type: 'parameter', state: 'active', tags: {} },
    ]);
    expect(again.name).toBe('ParameterNotFound');
    expect(
      cloud
        .inventory()
        .filter((item) => item.type === 'parameter')
        .map((item) => item.id)
    ).toEqual(['/app/b']);
  });

  it('refuses names the service reserves and values over 4 KB, and still answers the public Ubuntu parameters', async () => {
    // Act
    const reserved = await errorOf(() => put('/aws/mine', 'x'));
    const big = await errorOf(() => put('/app/big', 'x'.repeat(4097)));
    const ubuntu = await ssm.send(
      new GetParameterCommand({ Name: '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id' })
    );

    // Assess
    expect(reserved.name).toBe('ValidationException');
    expect(big.name).toBe('ValidationException');
    expect(ubuntu.Parameter?.Value).toMatch(/^ami-/);
  });

  it('keeps its parameters across a save and restore', async () => {
    // Arrange
    await put('/app/kept', 'v');

    // Act
    const restored = SimulatedCloud.fromJSON(cloud.toJSON());
    const { ssm: restoredSsm } = restored.clients({ maxAttempts: 1 });

    // Assess
    expect((await restoredSsm.send(new GetParameterCommand({ Name: '/app/kept' }))).Parameter?.Value).toBe('v');
  });
});
