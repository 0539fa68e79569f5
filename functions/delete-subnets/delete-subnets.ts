import { DeleteSubnetCommand } from '@aws-sdk/client-ec2';
import type { TeardownDeleteOutput, TeardownInput } from '../shared/contracts';
import { deleteEach, explainDependency, findSubnets, isString } from '../shared/discovery';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Delete Subnets: deletes the cluster's subnets. A DependencyViolation means ENIs still
 * drain (instances, the NAT gateway): retried, naming the ENIs left in the subnet.
 */
export const deleteSubnetsStep = defineStep(
  'delete-subnets',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownDeleteOutput> => {
    const subnets = await findSubnets(ec2, clusterId);
    const deleted = await deleteEach(
      subnets.map((s) => s.SubnetId).filter(isString),
      (SubnetId) => explainDependency(ec2, ec2.send(new DeleteSubnetCommand({ SubnetId })), { Name: 'subnet-id', Values: [SubnetId] }),
      { what: 'subnets', goneCodes: ['InvalidSubnetID.NotFound'], retryCodes: ['DependencyViolation'] }
    );
    return { deleted };
  }
);
