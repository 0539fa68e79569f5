import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { checkSsmOnlineStep } from '../../../functions/check-ssm-online/check-ssm-online';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}) };
const input = { clusterId: 'c-1234', clusterName: 'demo', instanceIds: ['i-1', 'i-2'] };

describe('check-ssm-online', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ssmMock.reset();
  });

  it('reports online when every agent pings Online', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: [
        { InstanceId: 'i-1', PingStatus: 'Online' },
        { InstanceId: 'i-2', PingStatus: 'Online' },
      ],
    });
    // Act
    const result = await invokeStep(checkSsmOnlineStep, input, clients);
    // Assess
    expect(result).toEqual({ online: true, onlineCount: 2, total: 2 });
    expect(ssmMock).toHaveReceivedCommandWith(DescribeInstanceInformationCommand, {
      Filters: [{ Key: 'InstanceIds', Values: ['i-1', 'i-2'] }],
    });
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
  });

  it('reports not online while an agent is not registered and its instance is running', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: 'i-1', PingStatus: 'Online' }] });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-2', State: { Name: 'running' } }] }] });
    // Act
    const result = await invokeStep(checkSsmOnlineStep, input, clients);
    // Assess
    expect(result).toEqual({ online: false, onlineCount: 1, total: 2 });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: ['i-2'] });
  });

  it('reports not online when EC2 does not know the new instance yet', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [] });
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'));
    // Act
    const result = await invokeStep(checkSsmOnlineStep, input, clients);
    // Assess
    expect(result).toEqual({ online: false, onlineCount: 0, total: 2 });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: ['i-1', 'i-2'] });
  });

  it('throws FatalError naming an instance that was terminated', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: 'i-1', PingStatus: 'Online' }] });
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-2',
              State: { Name: 'terminated' },
              StateReason: { Message: 'Server.InternalError: Internal error on launch' },
            },
          ],
        },
      ],
    });
    // Act
    const run = invokeStep(checkSsmOnlineStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'FatalError',
      message: expect.stringMatching(/^check-ssm-online: .*i-2 is terminated \(Server\.InternalError/),
    });
  });

  it('does not count an agent whose connection is lost as online', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({
      InstanceInformationList: [
        { InstanceId: 'i-1', PingStatus: 'Online' },
        { InstanceId: 'i-2', PingStatus: 'ConnectionLost' },
      ],
    });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-2', State: { Name: 'running' } }] }] });
    // Act
    const result = await invokeStep(checkSsmOnlineStep, input, clients);
    // Assess
    expect(result).toEqual({ online: false, onlineCount: 1, total: 2 });
  });

  it('asks SSM in chunks of 50 instance ids', async () => {
    // Prepare
    const many = Array.from({ length: 60 }, (_, i) => `i-${i}`);
    ssmMock.on(DescribeInstanceInformationCommand).callsFake((req: { Filters: { Values: string[] }[] }) => ({
      InstanceInformationList: (req.Filters[0]?.Values ?? []).map((id) => ({ InstanceId: id, PingStatus: 'Online' })),
    }));
    // Act
    const result = await invokeStep(checkSsmOnlineStep, { ...input, instanceIds: many }, clients);
    // Assess
    expect(result).toEqual({ online: true, onlineCount: 60, total: 60 });
    expect(ssmMock).toHaveReceivedCommandTimes(DescribeInstanceInformationCommand, 2);
    expect(ssmMock).toHaveReceivedNthSpecificCommandWith(2, DescribeInstanceInformationCommand, {
      Filters: [{ Key: 'InstanceIds', Values: many.slice(50) }],
    });
  });

  describe('within a budget', () => {
    afterEach(() => jest.useRealTimers());

    it('counts from the earliest LaunchTime and returns it for later loops', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:01:40Z') });
      ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: 'i-1', PingStatus: 'Online' }] });
      ec2Mock.on(DescribeInstancesCommand).resolves({
        Reservations: [
          {
            Instances: [
              { InstanceId: 'i-1', State: { Name: 'running' }, LaunchTime: new Date('2030-01-01T09:00:00Z') },
              { InstanceId: 'i-2', State: { Name: 'running' }, LaunchTime: new Date('2030-01-01T09:00:01Z') },
            ],
          },
        ],
      });
      // Act
      const result = await invokeStep(checkSsmOnlineStep, { ...input, budgetSeconds: 900 }, clients);
      // Assess
      expect(result).toMatchObject({
        online: false,
        onlineCount: 1,
        elapsedSeconds: 100,
        waitSeconds: 10,
        startedAt: '2030-01-01T09:00:00.000Z',
      });
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: ['i-1', 'i-2'] });
    });

    it('still throws FatalError for a terminated instance', async () => {
      // Prepare
      ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [] });
      ec2Mock.on(DescribeInstancesCommand).resolves({
        Reservations: [
          {
            Instances: [
              { InstanceId: 'i-1', State: { Name: 'terminated' } },
              { InstanceId: 'i-2', State: { Name: 'running' } },
            ],
          },
        ],
      });
      // Act
      const error = await invokeStep(checkSsmOnlineStep, { ...input, budgetSeconds: 900 }, clients).catch((err: Error) => err);
      // Assess
      expect(error).toMatchObject({ name: 'FatalError', message: expect.stringContaining('i-1 is terminated') });
    });
  });
});
