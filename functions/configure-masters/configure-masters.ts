/**
 * Configure Masters: runs the configure-master document (ZooKeeper, Mesos master,
 * Marathon) on every master through SSM Run Command. A re-run reuses the command of the
 * first run unless it failed.
 */

import { CONFIGURE_TIMEOUT_SECONDS, commandComment, sendCommandOnce } from '../shared/commands';
import type { ConfigureMastersInput, SendCommandOutput } from '../shared/contracts';
import { DOCUMENTS } from '../shared/documents';
import { FatalError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';

/** Sends (once) the configure-master command to every master; returns its command id. */
export const configureMastersStep = defineStep(
  'configure-masters',
  async (input: ConfigureMastersInput, { ssm }: Pick<StepClients, 'ssm'>): Promise<SendCommandOutput> => {
    if (input.instanceIds.length === 0) throw new FatalError('no master instances to configure');
    if (input.masterIps.length !== input.instanceIds.length) {
      throw new FatalError(`${input.instanceIds.length} master instances but ${input.masterIps.length} master IPs`);
    }
    const { software } = input;
    const commandId = await sendCommandOnce(ssm, {
      documentName: DOCUMENTS.configureMaster,
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
      },
      comment: commandComment(input.clusterId, 'configure-masters'),
      timeoutSeconds: CONFIGURE_TIMEOUT_SECONDS,
    });
    return { commandId };
  }
);
