import { EC2Client } from '@aws-sdk/client-ec2';
import { ListCommandsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { configureMastersStep } from '../../../functions/configure-masters/configure-masters';
import { DEFAULT_SOFTWARE } from '../../../functions/shared/cluster-spec';
import type { ConfigureMastersInput } from '../../../functions/shared/contracts';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';
import { awsError } from './aws-error';

const MESOS_SHA = 'a'.repeat(64);
const MARATHON_SHA = 'b'.repeat(64);
// A manifest with recorded hashes (the committed one has none yet).
jest.mock('../../../functions/shared/package-manifest.json', () => ({
  packages: [
    {
      package: 'aventer-mesos',
      version: '1.11.0-0.7.1.ubuntu2404',
      ubuntuRelease: '24.04',
      file: 'aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb',
      vendorUrl: null,
      sha256: 'a'.repeat(64),
    },
    {
      package: 'marathon',
      version: '1.11.30',
      ubuntuRelease: '24.04',
      file: 'marathon_1.11.30-1_all.deb',
      vendorUrl: null,
      sha256: 'b'.repeat(64),
    },
  ],
}));
const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}), config: TEST_STEP_CONFIG };

const input: ConfigureMastersInput = {
  clusterId: 'c-1234',
  clusterName: 'demo',
  instanceIds: ['i-1', 'i-2', 'i-3'],
  masterIps: ['10.0.1.10', '10.0.1.11', '10.0.1.12'],
  software: { ...DEFAULT_SOFTWARE },
};

describe('configure-masters', () => {
  beforeEach(() => {
    ssmMock.reset();
    ssmMock.on(ListCommandsCommand).resolves({ Commands: [] });
  });

  it('sends the configure-master document to every master with the spec software', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    // Act
    const result = await invokeStep(configureMastersStep, input, clients);
    // Assess
    expect(result).toEqual({ commandId: 'cmd-1' });
    expect(ssmMock).toHaveReceivedCommandTimes(SendCommandCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'MesosCluster-ConfigureMaster',
      InstanceIds: ['i-1', 'i-2', 'i-3'],
      Parameters: {
        ClusterName: ['demo'],
        MasterIps: ['10.0.1.10,10.0.1.11,10.0.1.12'],
        MesosVersion: [DEFAULT_SOFTWARE.mesosVersion],
        MarathonVersion: [DEFAULT_SOFTWARE.marathonVersion],
        PackageRepository: [DEFAULT_SOFTWARE.packageRepository],
        PackageKeyUrl: [DEFAULT_SOFTWARE.packageKeyUrl],
        ClusterId: ['c-1234'],
        PackageSource: ['vendor'],
      },
      Comment: 'c-1234/configure-masters',
      TimeoutSeconds: 600,
    });
    expect(ssmMock).toHaveReceivedCommandWith(ListCommandsCommand, {
      InstanceId: 'i-1',
      Filters: [{ key: 'DocumentName', value: 'MesosCluster-ConfigureMaster' }],
    });
  });

  it('names the mirrored packages and their recorded SHA256 when the spec installs from the mirror', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
    // Act
    const result = await invokeStep(
      configureMastersStep,
      { ...input, software: { ...DEFAULT_SOFTWARE, packageSource: 'mirror' } },
      clients
    );
    // Assess
    expect(result).toEqual({ commandId: 'cmd-1' });
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      Parameters: expect.objectContaining({
        PackageSource: ['mirror'],
        MesosPackageKey: ['pool/noble/aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb'],
        MesosPackageSha256: [MESOS_SHA],
        MarathonPackageKey: ['pool/noble/marathon_1.11.30-1_all.deb'],
        MarathonPackageSha256: [MARATHON_SHA],
      }),
    });
  });

  it('refuses the mirror for a version without a recorded SHA256, sending nothing', async () => {
    // Prepare
    const software = { ...DEFAULT_SOFTWARE, packageSource: 'mirror' as const, marathonVersion: '1.11.24' };
    // Act
    const run = invokeStep(configureMastersStep, { ...input, software }, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('marathon 1.11.24 for Ubuntu 24.04'),
    });
    expect(ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('reuses the command of an earlier run instead of sending a second one', async () => {
    // Prepare
    ssmMock.on(ListCommandsCommand).resolves({
      Commands: [
        { CommandId: 'cmd-other', Comment: 'c-9999/configure-masters', DocumentName: 'MesosCluster-ConfigureMaster', Status: 'Success' },
        { CommandId: 'cmd-1', Comment: 'c-1234/configure-masters', DocumentName: 'MesosCluster-ConfigureMaster', Status: 'InProgress' },
      ],
    });
    // Act
    const result = await invokeStep(configureMastersStep, input, clients);
    // Assess
    expect(result).toEqual({ commandId: 'cmd-1' });
    expect(ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('sends a new command when the earlier one failed', async () => {
    // Prepare
    ssmMock.on(ListCommandsCommand).resolves({
      Commands: [
        { CommandId: 'cmd-old', Comment: 'c-1234/configure-masters', DocumentName: 'MesosCluster-ConfigureMaster', Status: 'Failed' },
      ],
    });
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-new' } });
    // Act
    const result = await invokeStep(configureMastersStep, input, clients);
    // Assess
    expect(result).toEqual({ commandId: 'cmd-new' });
    expect(ssmMock).toHaveReceivedCommandTimes(SendCommandCommand, 1);
  });

  it('throws RetryableError when an agent is not online yet (InvalidInstanceId)', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).rejects(awsError('InvalidInstanceId', 'Instances not in a valid state for account'));
    // Act
    const run = invokeStep(configureMastersStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(/^configure-masters: InvalidInstanceId: .*i-1, i-2, i-3/),
    });
  });

  it('throws FatalError when the master IPs do not match the instances', async () => {
    // Act
    const run = invokeStep(configureMastersStep, { ...input, masterIps: ['10.0.1.10'] }, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'FatalError',
      message: expect.stringContaining('3 master instances but 1 master IPs'),
    });
    expect(ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
  });
});
