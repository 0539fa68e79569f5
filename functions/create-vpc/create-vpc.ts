import { CreateVpcCommand, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { CreateVpcInput, CreateVpcOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { holdsTag, TAG_HOLDS } from '../shared/holds';
import { recipeTags } from '../shared/image-recipe';
import { findClusterVpcIds, onNewResource } from '../shared/network';
import { QUOTA, quotaUsedUp } from '../shared/quotas';
import { defineStep, type StepClients } from '../shared/step';
import { tagSpec } from '../shared/tags';

/**
 * Create VPC: finds the cluster's VPC by tag or creates it tagged, then turns on DNS
 * support and DNS hostnames (the nodes reach each other and SSM by name). The VPC is tagged
 * at creation with the slave image's recipe (base image, software), so that a cluster
 * created without slaves bakes the same image at its first scale-out, and with what the
 * cluster will hold (`mesos-cluster:holds`), which the pre-flight of a concurrent create
 * counts until the cluster has a status.
 */
export const createVpcStep = defineStep(
  'create-vpc',
  async (input: CreateVpcInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateVpcOutput> => {
    let vpcId = (await findClusterVpcIds(ec2, input.clusterId))[0];
    if (!vpcId) {
      const { Vpc } = await ec2
        .send(
          new CreateVpcCommand({
            CidrBlock: input.cidrBlock,
            TagSpecifications: [
              tagSpec('vpc', input, 'vpc', [
                ...(input.slaveImageRecipe ? recipeTags(input.slaveImageRecipe) : []),
                ...(input.holds ? [{ Key: TAG_HOLDS, Value: holdsTag(input.holds) }] : []),
              ]),
            ],
          })
        )
        .catch((err: unknown) => {
          if (hasCode(err, 'VpcLimitExceeded')) {
            throw new FatalError(quotaUsedUp('VpcLimitExceeded', QUOTA.vpcs, 'delete a VPC or request a quota increase'), { cause: err });
          }
          throw err;
        });
      vpcId = Vpc?.VpcId;
      if (!vpcId) throw new FatalError('CreateVpc returned no VPC id');
    }
    const id = vpcId;
    // ModifyVpcAttribute takes one attribute per call.
    await onNewResource(`VPC ${id}`, async () => {
      await ec2.send(new ModifyVpcAttributeCommand({ VpcId: id, EnableDnsSupport: { Value: true } }));
      await ec2.send(new ModifyVpcAttributeCommand({ VpcId: id, EnableDnsHostnames: { Value: true } }));
    });
    return { vpcId: id };
  }
);
