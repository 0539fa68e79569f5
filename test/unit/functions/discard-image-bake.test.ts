import {
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeSnapshotsCommand,
  DescribeVpcsCommand,
  EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { discardImageBakeStep } from '../../../functions/discard-image-bake/discard-image-bake';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const input = { clusterId: 'c-1', clusterName: 'demo' };
const run = () => invokeStep(discardImageBakeStep, input, { ec2: new EC2Client({}), ssm: new SSMClient({}) });
const role = (value: string) => [
  { Key: 'mesos-cluster:id', Value: 'c-1' },
  { Key: 'mesos-cluster:role', Value: value },
];

describe('discard-image-bake', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ssmMock.reset();
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  });

  function cluster(images: { ImageId: string; BlockDeviceMappings?: { Ebs: { SnapshotId: string } }[] }[]): void {
    ec2Mock.on(DescribeInstancesCommand).callsFake((req: DescribeInstancesCommandInput) => {
      // Other clusters' instances running from the image: none.
      if (req.Filters?.some((f) => f.Name === 'image-id')) return { Reservations: [] };
      return {
        Reservations: [
          {
            Instances: [
              { InstanceId: 'i-master', Tags: role('master') },
              { InstanceId: 'i-template', Tags: role('template-slave') },
            ],
          },
        ],
      };
    });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: images });
  }

  it("terminates the template slave (not the masters), deregisters the bake's image and deletes its snapshot", async () => {
    // Prepare
    cluster([{ ImageId: 'ami-new', BlockDeviceMappings: [{ Ebs: { SnapshotId: 'snap-new' } }] }]);
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    ec2Mock.on(DeregisterImageCommand).resolves({});
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ terminated: ['i-template'], deleted: ['ami-new', 'snap-new'], kept: [], claimsReleased: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(TerminateInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: ['i-template'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DeregisterImageCommand, { ImageId: 'ami-new' });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSnapshotCommand, { SnapshotId: 'snap-new' });
    // Its claims on the bake are released too, for a cluster that waits for it.
    expect(ssmMock).toHaveReceivedCommandWith(GetParametersByPathCommand, { Path: '/mesos-cluster/image-bakes', Recursive: true });
  });

  it('is safe to run again: a template slave already gone and no image left are success', async () => {
    // Prepare
    cluster([]);
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ terminated: ['i-template'], deleted: [], kept: [], claimsReleased: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DeregisterImageCommand);
  });

  it('lets any other error of the termination fail the step', async () => {
    // Prepare
    cluster([]);
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('UnauthorizedOperation'));
    // Act + Assess
    await expect(run()).rejects.toMatchObject({ name: 'FatalError' });
  });
});
