/**
 * API throttling: token buckets per account and Region on the virtual clock, as EC2
 * describes them (request buckets per API category, plus resource buckets for
 * RunInstances and TerminateInstances). SSM and CloudWatch get one lenient bucket each.
 */
import { fail } from './errors';
import type { CloudState } from './state';
import type { LatencyModel, ServiceName } from './types';

const UNFILTERED_SENSITIVE = [
  'DescribeInstances',
  'DescribeInstanceStatus',
  'DescribeNetworkInterfaces',
  'DescribeSecurityGroups',
  'DescribeSnapshots',
  'DescribeVolumes',
];

const THROTTLE_CODES: Record<ServiceName, [string, string]> = {
  ec2: ['RequestLimitExceeded', 'Request limit exceeded.'],
  ssm: ['ThrottlingException', 'Rate exceeded'],
  cloudwatch: ['Throttling', 'Rate exceeded'],
  s3: ['SlowDown', 'Please reduce your request rate.'],
  servicequotas: ['TooManyRequestsException', 'Rate exceeded'],
  sfn: ['ThrottlingException', 'Rate exceeded'],
  dynamodb: ['ThrottlingException', 'Rate exceeded'],
};

function hasSelection(input: Record<string, unknown>): boolean {
  return Object.entries(input).some(
    ([key, value]) =>
      (key.endsWith('Ids') || key === 'Filters' || key === 'MaxResults') &&
      value !== undefined &&
      (!Array.isArray(value) || value.length > 0)
  );
}

/** The buckets a call draws from, with the tokens it takes from each. */
export function bucketsFor(service: ServiceName, operation: string, input: Record<string, unknown>): [string, number][] {
  if (service !== 'ec2') return [[service, 1]];
  switch (operation) {
    case 'RunInstances':
      return [
        ['ec2-run-instances', 1],
        ['ec2-run-instances-resource', typeof input.MaxCount === 'number' ? input.MaxCount : 1],
      ];
    case 'TerminateInstances':
      return [
        ['ec2-terminate-instances', 1],
        ['ec2-terminate-instances-resource', Array.isArray(input.InstanceIds) ? input.InstanceIds.length : 1],
      ];
    case 'CreateNatGateway':
    case 'DeleteNatGateway':
      return [['ec2-nat-gateway', 1]];
    case 'CreateTags':
    case 'DeleteTags':
      return [['ec2-tags', 1]];
    case 'DeregisterImage':
    case 'DeleteSnapshot':
    case 'CreateSnapshot':
      return [['ec2-image-snapshot', 1]];
    case 'AuthorizeSecurityGroupIngress':
    case 'AuthorizeSecurityGroupEgress':
    case 'RevokeSecurityGroupIngress':
    case 'RevokeSecurityGroupEgress':
      return [['ec2-resource-intensive', 1]];
  }
  if (/^(Describe|Get|List)/.test(operation)) {
    return [[UNFILTERED_SENSITIVE.includes(operation) && !hasSelection(input) ? 'ec2-describe-unfiltered' : 'ec2-describe', 1]];
  }
  return [['ec2-mutating', 1]];
}

/** Takes the call's tokens, or throws the service's throttling error when a bucket is short. */
export function consumeTokens(
  state: CloudState,
  model: LatencyModel,
  service: ServiceName,
  operation: string,
  input: Record<string, unknown>,
  now: number
): void {
  const wanted = bucketsFor(service, operation, input);
  const refilled = wanted.map(([name, cost]) => {
    const spec = model.throttleBuckets[name];
    if (!spec) return undefined;
    const bucket = state.buckets[name] ?? { tokens: spec.max, updatedAt: now };
    const elapsed = Math.max(0, now - bucket.updatedAt) / 1000;
    return { name, cost, tokens: Math.min(spec.max, bucket.tokens + elapsed * spec.refillPerSecond) };
  });
  const short = refilled.some((b) => b !== undefined && b.tokens < b.cost);
  for (const b of refilled) {
    if (b) state.buckets[b.name] = { tokens: short ? b.tokens : b.tokens - b.cost, updatedAt: now };
  }
  if (short) {
    const [code, message] = THROTTLE_CODES[service];
    throw fail(code, message);
  }
}
