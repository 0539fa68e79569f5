/**
 * Configure Template Slave: runs the configure-slave document (Docker, Mesos agent, the
 * join script, bake hygiene) on the template slave through SSM Run Command. A re-run
 * reuses the command of the first run unless it failed. With `software.packageSource:
 * mirror` the command names the mirrored Mesos .deb and its recorded SHA256.
 */

import { CONFIGURE_TIMEOUT_SECONDS, commandComment, sendCommandOnce } from '../shared/commands';
import type { ConfigureTemplateSlaveInput, SendCommandOutput } from '../shared/contracts';
import { mirroredSoftware } from '../shared/package-manifest';
import { defineStep, type StepClients } from '../shared/step';

/** Sends (once) the configure-slave command to the template slave; returns its command id. */
export const configureTemplateSlaveStep = defineStep(
  'configure-template-slave',
  async (input: ConfigureTemplateSlaveInput, { ssm, config }: Pick<StepClients, 'ssm' | 'config'>): Promise<SendCommandOutput> => {
    const { software } = input;
    const mirror = software.packageSource === 'mirror' ? mirroredSoftware(software).mesos : undefined;
    const commandId = await sendCommandOnce(ssm, {
      documentName: config.documents.configureSlave,
      instanceIds: [input.instanceId],
      parameters: {
        ClusterName: [input.clusterName],
        MesosVersion: [software.mesosVersion],
        PackageRepository: [software.packageRepository],
        PackageKeyUrl: [software.packageKeyUrl],
        PackageSource: [software.packageSource],
        ...(mirror ? { MesosPackageKey: [mirror.key], MesosPackageSha256: [mirror.sha256] } : {}),
      },
      comment: commandComment(input.clusterId, 'configure-template-slave'),
      timeoutSeconds: CONFIGURE_TIMEOUT_SECONDS,
    });
    return { commandId };
  }
);
