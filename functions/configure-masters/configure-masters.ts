/**
 * Configure Masters: runs the configure-master document (ZooKeeper, Mesos master,
 * Marathon) on every master through SSM Run Command. A re-run reuses the command of the
 * first run unless it failed. With `software.packageSource: mirror` the command names the
 * mirrored Mesos and Marathon .deb files and the SHA256 the project's manifest records for
 * them; the document downloads them from the stack's bucket and the script refuses a file
 * whose SHA256 differs.
 */

import { CONFIGURE_TIMEOUT_SECONDS, commandComment, sendCommandOnce } from '../shared/commands';
import type { ConfigureMastersInput, SendCommandOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { mirroredSoftware } from '../shared/package-manifest';
import { defineStep, type StepClients } from '../shared/step';

/** Sends (once) the configure-master command to every master; returns its command id. */
export const configureMastersStep = defineStep(
  'configure-masters',
  async (input: ConfigureMastersInput, { ssm, config }: Pick<StepClients, 'ssm' | 'config'>): Promise<SendCommandOutput> => {
    if (input.instanceIds.length === 0) throw new FatalError('no master instances to configure');
    if (input.masterIps.length !== input.instanceIds.length) {
      throw new FatalError(`${input.instanceIds.length} master instances but ${input.masterIps.length} master IPs`);
    }
    const { software } = input;
    const mirror = software.packageSource === 'mirror' ? mirroredSoftware(software) : undefined;
    const commandId = await sendCommandOnce(ssm, {
      documentName: config.documents.configureMaster,
      instanceIds: input.instanceIds,
      parameters: {
        ClusterName: [input.clusterName],
        MasterIps: [input.masterIps.join(',')],
        MesosVersion: [software.mesosVersion],
        MarathonVersion: [software.marathonVersion],
        PackageRepository: [software.packageRepository],
        PackageKeyUrl: [software.packageKeyUrl],
        // The leading master publishes the cluster's metrics under this id (scaling alarms).
        ClusterId: [input.clusterId],
        PackageSource: [software.packageSource],
        ...(mirror
          ? {
              MesosPackageKey: [mirror.mesos.key],
              MesosPackageSha256: [mirror.mesos.sha256],
              MarathonPackageKey: [mirror.marathon.key],
              MarathonPackageSha256: [mirror.marathon.sha256],
            }
          : {}),
      },
      comment: commandComment(input.clusterId, 'configure-masters'),
      timeoutSeconds: CONFIGURE_TIMEOUT_SECONDS,
    });
    return { commandId };
  }
);
