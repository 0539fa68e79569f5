import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { hasCode } from '../shared/aws-errors';
import { parseClusterSpec } from '../shared/cluster-spec';
import type { ValidateSpecInput, ValidateSpecOutput } from '../shared/contracts';
import { ubuntuImageParameter } from '../shared/documents';
import { ConflictError, FatalError } from '../shared/errors';
import { mirroredSoftware } from '../shared/package-manifest';
import { defineStep, type StepClients } from '../shared/step';
import { TAG_ID, TAG_NAME, TAG_ROLE, tagValue } from '../shared/tags';
import { checkAddressQuota, natGatewaysNeeded } from './preflight';

/**
 * Validate Cluster Spec: normalizes the request (ValidationError names the bad field),
 * refuses a name that another live cluster holds (ConflictError), and resolves the
 * Ubuntu base image from Canonical's public SSM parameter. Pre-flight: refuses (FatalError)
 * a cluster whose NAT gateways need more Elastic IPs than the account has left, before
 * anything is created. (The VPC quota is not checked: EC2 reports no VPC limit.) A spec
 * that installs from the package mirror needs every package's SHA256 in the manifest.
 */
export const validateSpecStep = defineStep(
  'validate-spec',
  async (input: ValidateSpecInput, { ec2, ssm }: Pick<StepClients, 'ec2' | 'ssm'>): Promise<ValidateSpecOutput> => {
    const spec = parseClusterSpec(input.spec);
    // From the mirror, every package needs a SHA256 recorded in the manifest (ValidationError naming it).
    if (spec.software.packageSource === 'mirror') mirroredSoftware(spec.software);

    // A cluster's VPC carries its name tag for as long as the cluster exists.
    const { Vpcs = [] } = await ec2.send(
      new DescribeVpcsCommand({
        Filters: [
          { Name: `tag:${TAG_NAME}`, Values: [spec.name] },
          { Name: `tag:${TAG_ROLE}`, Values: ['vpc'] },
        ],
      })
    );
    for (const vpc of Vpcs) {
      const owner = tagValue(vpc.Tags, TAG_ID);
      if (owner !== input.clusterId) {
        throw new ConflictError(`cluster name '${spec.name}' is taken by cluster ${owner ?? 'unknown'} (${vpc.VpcId})`);
      }
    }

    const name = ubuntuImageParameter(spec.software.ubuntuRelease);
    let baseImageId: string | undefined;
    try {
      const { Parameter } = await ssm.send(new GetParameterCommand({ Name: name }));
      baseImageId = Parameter?.Value;
    } catch (err) {
      if (hasCode(err, 'ParameterNotFound')) {
        throw new FatalError(`Ubuntu ${spec.software.ubuntuRelease} base image parameter ${name} not found in this Region`, {
          cause: err,
        });
      }
      throw err;
    }
    if (!baseImageId) throw new FatalError(`SSM parameter ${name} has no value`);
    await checkAddressQuota(ec2, input.clusterId, await natGatewaysNeeded(ec2, spec));
    return { spec, baseImageId };
  }
);
