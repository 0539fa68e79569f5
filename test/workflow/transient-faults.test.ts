/**
 * Transient faults on every operation: for each AWS operation that the create and the
 * teardown call (recorded from real runs, see operations.ts), a retryable fault with a
 * small count makes no run fail, and a teardown still leaves nothing.
 *
 * Per operation the faults are stacked (the simulator takes them in order, one per call):
 *   - every operation: throttling x2, with the service's code (`RequestLimitExceeded` for
 *     EC2, `ThrottlingException` for SSM, `Throttling` for CloudWatch; the SDK retries it);
 *   - create operations that name a just-created resource by id: its NotFound code x2, the
 *     eventual consistency of EC2 and SSM (the steps raise RetryableError, the machine
 *     retries); a NotFound on a Describe by filter, or on an old resource, is not natural
 *     and is not injected;
 *   - EC2 teardown operations that delete, detach, disassociate, revoke, release, deregister
 *     or terminate: `DependencyViolation` x2, plus the codes AWS answers while dependants drain:
 *     `InvalidGroup.InUse` (DeleteSecurityGroup), `InvalidSnapshot.InUse` (DeleteSnapshot),
 *     `InvalidIPAddress.InUse` and the misleading `AuthFailure` (ReleaseAddress while the NAT
 *     gateway lets go of the address).
 * A last case runs a whole create and teardown with a 10-second eventual-consistency window
 * (every call by id within 10 s of a create answers NotFound), as AWS may after a busy moment.
 *
 * Teardown cases start from one created cluster, forked for each case.
 */
import { failureOf } from '../../cli/run-outcome';
import { SimulatedCloud } from '../../simulator';
import { loadLatencyModel } from '../../simulator/latency-model';
import type { FaultSpec, ServiceName } from '../../simulator/types';
import { SimulatedWorld } from '../helpers/run';
import { ADMIN, type OperationUse, recordedOperations } from './operations';

const recorded = recordedOperations();
const SPEC = { name: 'flaky', masters: 1, slaves: 1, adminCidr: ADMIN };
const CLUSTER_ID = 'flaky-000001';
/** The throttling code of each service. */
const THROTTLING: Readonly<Record<ServiceName, string>> = {
  ec2: 'RequestLimitExceeded',
  ssm: 'ThrottlingException',
  cloudwatch: 'Throttling',
  s3: 'SlowDown',
  servicequotas: 'TooManyRequestsException',
  sfn: 'ThrottlingException',
  dynamodb: 'ThrottlingException',
};

/** The NotFound code that an operation naming a just-created resource by id may answer. */
const NOT_FOUND_BY_ID: Readonly<Record<string, string>> = {
  ModifyVpcAttribute: 'InvalidVpcID.NotFound',
  ModifySubnetAttribute: 'InvalidSubnetID.NotFound',
  AttachInternetGateway: 'InvalidInternetGatewayID.NotFound',
  CreateRoute: 'InvalidRouteTableID.NotFound',
  AssociateRouteTable: 'InvalidRouteTableID.NotFound',
  AuthorizeSecurityGroupIngress: 'InvalidGroup.NotFound',
  CreateNatGateway: 'InvalidAllocationID.NotFound',
  RunInstances: 'InvalidGroup.NotFound',
  SendCommand: 'InvalidInstanceId',
  GetCommandInvocation: 'InvocationDoesNotExist',
  CreateImage: 'InvalidInstanceID.NotFound',
};

/** The codes a teardown operation answers while what depends on the resource drains. */
const DRAINING: Readonly<Record<string, readonly string[]>> = {
  DeleteSecurityGroup: ['DependencyViolation', 'InvalidGroup.InUse'],
  DeleteSnapshot: ['DependencyViolation', 'InvalidSnapshot.InUse'],
  ReleaseAddress: ['DependencyViolation', 'InvalidIPAddress.InUse', 'AuthFailure'],
};
const MUTATING = /^(Delete|Detach|Disassociate|Revoke|Release|Deregister|Terminate)/;

function createFaults({ operation, service }: OperationUse): FaultSpec[] {
  const notFound = NOT_FOUND_BY_ID[operation];
  return [{ operation, code: THROTTLING[service], count: 2 }, ...(notFound ? [{ operation, code: notFound, count: 2 }] : [])];
}

function teardownFaults({ operation, service }: OperationUse): FaultSpec[] {
  const draining = DRAINING[operation] ?? (service === 'ec2' && MUTATING.test(operation) ? ['DependencyViolation'] : []);
  return [{ operation, code: THROTTLING[service], count: 2 }, ...draining.map((code) => ({ operation, code, count: 2 }))];
}

const codesOf = (faults: FaultSpec[]) => faults.map((f) => `${f.code} x${f.count}`).join(' + ');
const createCases = recorded.create.map((use) => [use.operation, codesOf(createFaults(use)), use] as const);
const teardownCases = recorded.teardown.map((use) => [use.operation, codesOf(teardownFaults(use)), use] as const);

describe(`transient faults on every operation: ${createCases.length} create and ${teardownCases.length} teardown operations`, () => {
  it.each(createCases)('create succeeds through %s failing with %s', async (operation, _codes, use) => {
    // Prepare
    const world = new SimulatedWorld();
    const faults = createFaults(use);
    for (const fault of faults) world.cloud.injectFault(fault);

    // Act
    const result = await world.create(SPEC, CLUSTER_ID);

    // Assess
    expect(failureOf(result, 'create')).toBeUndefined();
    expect(result.status).toBe('SUCCEEDED');
    expect(world.cloud.faults()).toEqual([]);
    const injected = faults.reduce((sum, f) => sum + (f.count ?? 0), 0);
    expect(world.cloud.calls[operation]).toBeGreaterThan(injected);
    const d = await world.describe(CLUSTER_ID);
    expect(d.statusTag).toBe('CREATE_COMPLETE');
    expect(d.slaves).toHaveLength(SPEC.slaves);
  });

  describe('teardown', () => {
    let created: SimulatedWorld;
    beforeAll(async () => {
      created = new SimulatedWorld();
      const result = await created.create(SPEC, CLUSTER_ID);
      if (result.status !== 'SUCCEEDED') throw new Error(`the create to tear down failed: ${result.cause}`);
    });

    it.each(teardownCases)('teardown succeeds through %s failing with %s, and leaves nothing', async (_operation, _codes, use) => {
      // Prepare
      const world = await created.fork();
      const faults = teardownFaults(use);
      for (const fault of faults) world.cloud.injectFault(fault);

      // Act
      const result = await world.teardown(CLUSTER_ID, SPEC.name);

      // Assess
      expect(failureOf(result, 'delete')).toBeUndefined();
      expect(result.status).toBe('SUCCEEDED');
      expect(world.cloud.faults()).toEqual([]);
      expect(await world.inventoryIds()).toEqual([]);
    });
  });

  it('creates and tears down with a 10-second eventual-consistency window on every call by id', async () => {
    // Prepare
    const latencyModel = { ...loadLatencyModel(), consistencyWindowMs: 10_000 };
    const slow = new SimulatedWorld(undefined, new SimulatedCloud({ latencyModel }));
    const normal = new SimulatedWorld();

    // Act
    const created = await slow.create(SPEC, CLUSTER_ID);
    const baseline = await normal.create(SPEC, CLUSTER_ID);
    const deleted = await slow.teardown(CLUSTER_ID, SPEC.name);

    // Assess
    expect(created.status).toBe('SUCCEEDED');
    expect(deleted.status).toBe('SUCCEEDED');
    const retries = (r: typeof created) => r.events.filter((e) => e.type === 'StateRetried').length;
    expect(retries(created)).toBeGreaterThan(retries(baseline));
    expect(await slow.inventoryIds()).toEqual([]);
  });
});
