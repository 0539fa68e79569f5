/**
 * Launch Instances: the masters, the template slave or the slaves of a cluster, in ONE
 * RunInstances call (MinCount = MaxCount = count), so that N slaves cost one call of the
 * small RunInstances request bucket. The ClientToken, and a look-up by that token before
 * the call, make a re-run return the instances of the first run.
 */
import { type _InstanceType, type BlockDeviceMapping, type Instance, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { awsErrorCode } from '../shared/aws-errors';
import type { LaunchInstancesInput, LaunchInstancesOutput } from '../shared/contracts';
import { NODE_INSTANCE_PROFILE } from '../shared/documents';
import { CapacityError, FatalError, RetryableError } from '../shared/errors';
import { clientToken } from '../shared/idempotency';
import { findInstancesByClientToken } from '../shared/instances';
import { renderJoinUserData } from '../shared/render';
import { defineStep, type StepClients } from '../shared/step';
import { tagSpec } from '../shared/tags';

/** Root volume size in GiB: slaves get room for Docker images and task sandboxes. */
export const ROOT_VOLUME_GIB = { master: 20, 'template-slave': 20, slave: 30 } as const;

/** Root device of Canonical's Ubuntu images (and of the image baked from them). */
export const ROOT_DEVICE = '/dev/sda1';

const QUOTA_CODES = ['VcpuLimitExceeded', 'InstanceLimitExceeded'];

/** Launches `count` instances of one role with one RunInstances call; returns their ids and private IPs in launch order. */
export const launchInstancesStep = defineStep(
  'launch-instances',
  async (input: LaunchInstancesInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<LaunchInstancesOutput> => {
    if (!Number.isInteger(input.count) || input.count < 0) {
      throw new FatalError(`count must be a whole number >= 0, got ${input.count}`);
    }
    if (input.count === 0) return { instanceIds: [], privateIps: [] };
    const userData = input.role === 'slave' ? slaveUserData(input.masterIps) : undefined;

    const token = clientToken(input.clusterId, `launch-instances/${input.role}`);
    const existing = await findInstancesByClientToken(ec2, token);
    if (existing.length > 0) return toOutput(existing);

    const rootVolume: BlockDeviceMapping = {
      DeviceName: ROOT_DEVICE,
      Ebs: { VolumeSize: ROOT_VOLUME_GIB[input.role], VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
    };
    try {
      const result = await ec2.send(
        new RunInstancesCommand({
          ClientToken: token,
          MinCount: input.count,
          MaxCount: input.count,
          ImageId: input.imageId,
          InstanceType: input.instanceType as _InstanceType,
          SubnetId: input.subnetId,
          SecurityGroupIds: [input.securityGroupId],
          IamInstanceProfile: { Name: NODE_INSTANCE_PROFILE },
          MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
          BlockDeviceMappings: [rootVolume],
          UserData: userData,
          TagSpecifications: [tagSpec('instance', input, input.role), tagSpec('volume', input, input.role)],
        })
      );
      return toOutput(result.Instances ?? []);
    } catch (err) {
      throw launchError(err, input);
    }
  }
);

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
function launchError(err: unknown, input: LaunchInstancesInput): unknown {
  const code = awsErrorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const what = `${input.count} x ${input.instanceType} (${input.role}) in ${input.subnetId}`;
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
