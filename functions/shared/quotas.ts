/**
 * The account quotas a create depends on, by their Service Quotas codes, and the message of
 * a create refused by one of them at the API call itself: a pre-flight that ran before a
 * concurrent create's resources existed could not count them.
 */

/** Service Quotas codes the pre-flight reads, and those the create steps name. */
export const QUOTA = {
  /** Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances, in vCPUs. */
  standardVcpus: { ServiceCode: 'ec2', QuotaCode: 'L-1216C47A', name: 'Running On-Demand Standard instances (vCPUs)' },
  /** VPCs per Region. */
  vpcs: { ServiceCode: 'vpc', QuotaCode: 'L-F678F1CE', name: 'VPCs per Region' },
  /** Elastic IP addresses (read from DescribeAccountAttributes, named here for the messages). */
  elasticIps: { ServiceCode: 'ec2', QuotaCode: 'L-0263D0A3', name: 'EC2-VPC Elastic IPs' },
} as const;

export type Quota = (typeof QUOTA)[keyof typeof QUOTA];

/**
 * `VpcLimitExceeded: the account's quota … is used up …`: what a create step reports when
 * the call itself hits the quota, naming the quota as the pre-flight does.
 */
export function quotaUsedUp(code: string, quota: Quota, remedy: string): string {
  return (
    `${code}: the account's quota ${quota.QuotaCode} (${quota.name}) is used up, ` +
    `possibly by creates that started after this one's pre-flight; ${remedy}, then create the cluster again`
  );
}
