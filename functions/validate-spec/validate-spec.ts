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
import {
  checkAddressQuota,
  checkInstanceTypeOfferings,
  checkNamedZones,
  checkVcpuQuota,
  checkVpcQuota,
  createsInFlight,
  natGatewaysNeeded,
  plannedZones,
  vcpusNeeded,
} from './preflight';

/**
 * Validate Cluster Spec: normalizes the request (ValidationError names the bad field),
 * refuses a name that another live cluster holds (ConflictError), and resolves the
 * Ubuntu base image from Canonical's public SSM parameter. Pre-flight, before anything is
 * created: named zones must be zones of the Region (ValidationError), the instance types
 * offered in the cluster's zones (ValidationError), and the account must have the Elastic
 * IPs (DescribeAccountAttributes), the VPC (Service Quotas L-F678F1CE) and the On-Demand
 * Standard vCPUs (L-1216C47A) the cluster needs (FatalError naming the quota). A quota
 * Service Quotas does not answer (access denied) is not checked. Other creates in flight
 * (their VPC tagged with what they will hold, no status yet) count with the addresses and
 * vCPUs they have not allocated yet; the answer's `holds` is what Create VPC tags. A spec that installs from
 * the package mirror needs every package's SHA256 in the manifest.
 */
export const validateSpecStep = defineStep(
  'validate-spec',
  async (input: ValidateSpecInput, { ec2, ssm, quotas }: Pick<StepClients, 'ec2' | 'ssm' | 'quotas'>): Promise<ValidateSpecOutput> => {
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

    await checkNamedZones(ec2, spec);
    await checkInstanceTypeOfferings(ec2, spec, await plannedZones(ec2, spec));

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
    // Creates in flight (a VPC without a status yet) count with what they will hold.
    const inFlight = await createsInFlight(ec2, input.clusterId);
    const addresses = await natGatewaysNeeded(ec2, spec);
    await checkAddressQuota(ec2, input.clusterId, addresses, inFlight);
    await checkVpcQuota(ec2, quotas, input.clusterId);
    await checkVcpuQuota(ec2, quotas, input.clusterId, spec, inFlight);
    return { spec, baseImageId, holds: { addresses, vcpus: vcpusNeeded(spec) } };
  }
);
