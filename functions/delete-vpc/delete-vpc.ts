import { DeleteVpcCommand } from '@aws-sdk/client-ec2';
import type { TeardownDeleteOutput, TeardownInput } from '../shared/contracts';
import { deleteEach, explainDependency, findVpcs, isString } from '../shared/discovery';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Delete VPC: deletes the cluster's VPC (its main route table, default security group and
 * default network ACL go with it). A DependencyViolation means something is left in it:
 * retried, naming the ENIs left in the VPC; when the retries run out the teardown fails.
 */
export const deleteVpcStep = defineStep(
  'delete-vpc',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownDeleteOutput> => {
    const vpcs = await findVpcs(ec2, clusterId);
    const deleted = await deleteEach(
      vpcs.map((v) => v.VpcId).filter(isString),
      (VpcId) => explainDependency(ec2, ec2.send(new DeleteVpcCommand({ VpcId })), { Name: 'vpc-id', Values: [VpcId] }),
      { what: 'VPCs', goneCodes: ['InvalidVpcID.NotFound'], retryCodes: ['DependencyViolation'] }
    );
    return { deleted };
  }
);
