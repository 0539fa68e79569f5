import { EC2Client } from '@aws-sdk/client-ec2';
import { ListCommandsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { configureTemplateSlaveStep } from '../../../functions/configure-template-slave/configure-template-slave';
import { DEFAULT_SOFTWARE } from '../../../functions/shared/cluster-spec';
import type { ConfigureTemplateSlaveInput } from '../../../functions/shared/contracts';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';
import { awsError } from './aws-error';

const MESOS_SHA = 'a'.repeat(64);
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

const input: ConfigureTemplateSlaveInput = {
  clusterId: 'c-1234',
  clusterName: 'demo',
  instanceId: 'i-tpl',
  software: { ...DEFAULT_SOFTWARE },
};

describe('configure-template-slave', () => {
  beforeEach(() => {
    ssmMock.reset();
    ssmMock.on(ListCommandsCommand).resolves({ Commands: [] });
  });

  it('sends the configure-slave document to the template slave', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-s' } });
    // Act
    const result = await invokeStep(configureTemplateSlaveStep, input, clients);
    // Assess
    expect(result).toEqual({ commandId: 'cmd-s' });
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'MesosCluster-ConfigureSlave',
      InstanceIds: ['i-tpl'],
      Parameters: {
        ClusterName: ['demo'],
        MesosVersion: [DEFAULT_SOFTWARE.mesosVersion],
        PackageRepository: [DEFAULT_SOFTWARE.packageRepository],
        PackageKeyUrl: [DEFAULT_SOFTWARE.packageKeyUrl],
        PackageSource: ['vendor'],
      },
      Comment: 'c-1234/configure-template-slave',
      TimeoutSeconds: 600,
    });
    expect(ssmMock).toHaveReceivedCommandWith(ListCommandsCommand, { InstanceId: 'i-tpl' });
  });

  it('names the mirrored Mesos package and its recorded SHA256 when the spec installs from the mirror', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-s' } });
    // Act
    await invokeStep(configureTemplateSlaveStep, { ...input, software: { ...DEFAULT_SOFTWARE, packageSource: 'mirror' } }, clients);
    // Assess
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      Parameters: expect.objectContaining({
        PackageSource: ['mirror'],
        MesosPackageKey: ['pool/noble/aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb'],
        MesosPackageSha256: [MESOS_SHA],
      }),
    });
  });

  it('reuses the successful command of an earlier run', async () => {
    // Prepare
    ssmMock.on(ListCommandsCommand).resolves({
      Commands: [
        { CommandId: 'cmd-s', Comment: 'c-1234/configure-template-slave', DocumentName: 'MesosCluster-ConfigureSlave', Status: 'Success' },
      ],
    });
    // Act
    const result = await invokeStep(configureTemplateSlaveStep, input, clients);
    // Assess
    expect(result).toEqual({ commandId: 'cmd-s' });
    expect(ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('does not reuse a timed-out command', async () => {
    // Prepare
    ssmMock.on(ListCommandsCommand).resolves({
      Commands: [
        {
          CommandId: 'cmd-old',
          Comment: 'c-1234/configure-template-slave',
          DocumentName: 'MesosCluster-ConfigureSlave',
          Status: 'TimedOut',
        },
      ],
    });
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-new' } });
    // Act
    const result = await invokeStep(configureTemplateSlaveStep, input, clients);
    // Assess
    expect(result).toEqual({ commandId: 'cmd-new' });
    expect(ssmMock).toHaveReceivedCommandTimes(SendCommandCommand, 1);
  });

  it('throws RetryableError when the agent is not online yet (InvalidInstanceId)', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).rejects(awsError('InvalidInstanceId'));
    // Act
    const run = invokeStep(configureTemplateSlaveStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('i-tpl') });
  });
});
