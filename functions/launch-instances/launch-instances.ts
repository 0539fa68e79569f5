/**
 * Launch Instances: the masters, the template slave or the slaves of a cluster, spread
 * round-robin over the subnets of the cluster's zones, with ONE RunInstances call per
 * subnet (MinCount = MaxCount = that subnet's share), so that N slaves over Z zones cost Z
 * calls of the small RunInstances request bucket. The ClientToken of each subnet's call,
 * and a look-up by that token before it, make a re-run return the instances of the first
 * run (and launch only a share that the first run did not).
 */
import { type _InstanceType, type BlockDeviceMapping, type EC2Client, type Instance, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { awsErrorCode } from '../shared/aws-errors';
import type { LaunchInstancesInput, LaunchInstancesOutput } from '../shared/contracts';
import { CapacityError, FatalError, RetryableError } from '../shared/errors';
import { clientToken } from '../shared/idempotency';
import { findInstancesByClientToken } from '../shared/instances';
import { assertClusterNotDeleting } from '../shared/network';
import { renderJoinUserData } from '../shared/render';
import { defineStep, type StepClients } from '../shared/step';
import { tagSpec } from '../shared/tags';

/** Root volume size in GiB: slaves get room for Docker images and task sandboxes. */
export const ROOT_VOLUME_GIB = { master: 20, 'template-slave': 20, slave: 30 } as const;

/** Root device of Canonical's Ubuntu images (and of the image baked from them). */
export const ROOT_DEVICE = '/dev/sda1';

const QUOTA_CODES = ['VcpuLimitExceeded', 'InstanceLimitExceeded'];

/**
 * Launches `count` instances of one role, one RunInstances call per subnet; returns their
 * ids and private IPs round-robin over the subnets (instance k is in subnet k mod n), so
 * that consecutive masters (ZooKeeper ids) sit in different zones.
 */
export const launchInstancesStep = defineStep(
  'launch-instances',
  async (input: LaunchInstancesInput, { ec2, config }: Pick<StepClients, 'ec2' | 'config'>): Promise<LaunchInstancesOutput> => {
    if (!Number.isInteger(input.count) || input.count < 0) {
      throw new FatalError(`count must be a whole number >= 0, got ${input.count}`);
    }
    if (input.count === 0) return { instanceIds: [], privateIps: [] };
    const subnetIds = input.subnetIds?.length ? [...input.subnetIds] : input.subnetId ? [input.subnetId] : [];
    if (subnetIds.length === 0) throw new FatalError('subnetIds (or subnetId) is required');
    const userData = input.role === 'slave' ? slaveUserData(input.masterIps) : undefined;
    const step = `launch-instances/${input.role}${input.tokenSuffix ? `/${input.tokenSuffix}` : ''}`;
    await assertClusterNotDeleting(ec2, input.clusterId, `launch-instances (${input.role})`);

    const shares = spread(input.count, subnetIds.length);
    const launched: LaunchInstancesOutput[] = [];
    for (const [i, subnetId] of subnetIds.entries()) {
      const count = shares[i] ?? 0;
      if (count === 0) continue;
      // One subnet keeps the token of a single launch; more subnets get one token each.
      const token = clientToken(input.clusterId, subnetIds.length === 1 ? step : `${step}/${subnetId}`);
      launched.push(await launchInSubnet(ec2, input, { subnetId, count, token, userData }, config.nodeInstanceProfile));
    }
    return roundRobin(launched);
  }
);

/** `count` instances shared out over `n` subnets: the first `count mod n` get one more. */
export function spread(count: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(count / n) + (i < count % n ? 1 : 0));
}

/** Interleaves the per-subnet launches: subnet 0's first, subnet 1's first, …, subnet 0's second, … */
function roundRobin(launched: readonly LaunchInstancesOutput[]): LaunchInstancesOutput {
  const out: LaunchInstancesOutput = { instanceIds: [], privateIps: [] };
  const longest = Math.max(0, ...launched.map((l) => l.instanceIds.length));
  for (let k = 0; k < longest; k++) {
    for (const l of launched) {
      const id = l.instanceIds[k];
      const ip = l.privateIps[k];
      if (id !== undefined && ip !== undefined) {
        out.instanceIds.push(id);
        out.privateIps.push(ip);
      }
    }
  }
  return out;
}

interface SubnetLaunch {
  readonly subnetId: string;
  readonly count: number;
  readonly token: string;
  readonly userData: string | undefined;
}

/** One subnet's share: the instances of an earlier run with the same token, or one RunInstances call. */
async function launchInSubnet(
  ec2: EC2Client,
  input: LaunchInstancesInput,
  launch: SubnetLaunch,
  instanceProfile: string
): Promise<LaunchInstancesOutput> {
  const existing = await findInstancesByClientToken(ec2, launch.token);
  if (existing.length > 0) return toOutput(existing);

  const rootVolume: BlockDeviceMapping = {
    DeviceName: ROOT_DEVICE,
    Ebs: { VolumeSize: ROOT_VOLUME_GIB[input.role], VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
  };
  try {
    const result = await ec2.send(
      new RunInstancesCommand({
        ClientToken: launch.token,
        MinCount: launch.count,
        MaxCount: launch.count,
        ImageId: input.imageId,
        InstanceType: input.instanceType as _InstanceType,
        SubnetId: launch.subnetId,
        SecurityGroupIds: [input.securityGroupId],
        IamInstanceProfile: { Name: instanceProfile },
        MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
        BlockDeviceMappings: [rootVolume],
        UserData: launch.userData,
        TagSpecifications: [tagSpec('instance', input, input.role), tagSpec('volume', input, input.role)],
      })
    );
    return toOutput(result.Instances ?? []);
  } catch (err) {
    throw launchError(err, input, launch);
  }
}

/** Base64 of the join script that points a slave launched from the cluster image at the masters. */
function slaveUserData(masterIps: readonly string[] | undefined): string {
  if (!masterIps || masterIps.length === 0) throw new FatalError('masterIps is required to launch slaves');
  try {
    return Buffer.from(renderJoinUserData(masterIps), 'utf8').toString('base64');
  } catch (err) {
    throw new FatalError(`cannot render the slave user data: ${(err as Error).message}`, { cause: err });
  }
}

function toOutput(instances: readonly Instance[]): LaunchInstancesOutput {
  const instanceIds: string[] = [];
  const privateIps: string[] = [];
  for (const instance of instances) {
    if (!instance.InstanceId) throw new RetryableError('RunInstances returned an instance without an id');
    // In a VPC the private address is assigned at launch; its absence is a not-yet-consistent answer.
    if (!instance.PrivateIpAddress) throw new RetryableError(`instance ${instance.InstanceId} has no private IP yet`);
    instanceIds.push(instance.InstanceId);
    privateIps.push(instance.PrivateIpAddress);
  }
  if (instanceIds.length === 0) throw new RetryableError('RunInstances returned no instances');
  return { instanceIds, privateIps };
}

/** Names the launch failures that the workflow treats specially; others go to toStepError. */
function launchError(err: unknown, input: LaunchInstancesInput, launch: SubnetLaunch): unknown {
  const code = awsErrorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const what = `${launch.count} x ${input.instanceType} (${input.role}) in ${launch.subnetId}`;
  if (code === 'InsufficientInstanceCapacity') {
    return new CapacityError(`InsufficientInstanceCapacity: EC2 has no capacity for ${what}: ${detail}`, { cause: err });
  }
  if (code && QUOTA_CODES.includes(code)) {
    return new FatalError(`${code}: the account's instance quota does not allow ${what}; raise the quota: ${detail}`, { cause: err });
  }
  if (code === 'InvalidParameterValue') {
    return new FatalError(`InvalidParameterValue: EC2 refused the launch parameters of ${what}: ${detail}`, { cause: err });
  }
  return err;
}
