import type { DescribeVpcsCommandOutput } from '@aws-sdk/client-ec2';

/** A DescribeVpcs answer: the cluster's VPC, tagged with the given status (DELETE_IN_PROGRESS by default). */
export function clusterVpc(clusterId: string, status = 'DELETE_IN_PROGRESS'): Partial<DescribeVpcsCommandOutput> {
  return {
    Vpcs: [
      {
        VpcId: 'vpc-1',
        Tags: [
          { Key: 'mesos-cluster:id', Value: clusterId },
          { Key: 'mesos-cluster:role', Value: 'vpc' },
          { Key: 'mesos-cluster:status', Value: status },
        ],
      },
    ],
  };
}

/** The filter of the cluster's VPC look-up. */
export const vpcFilters = (clusterId: string) => [
  { Name: 'tag:mesos-cluster:id', Values: [clusterId] },
  { Name: 'tag:mesos-cluster:role', Values: ['vpc'] },
];
