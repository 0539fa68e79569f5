/**
 * Tags are the source of truth: every resource is created with these tags
 * (TagSpecifications, atomic with the create), and teardown and status find
 * resources by them. Every `mesos-cluster:*` tag key is defined here, once.
 */
import type { Filter, ResourceType, Tag, TagSpecification } from '@aws-sdk/client-ec2';

export const TAG_ID = 'mesos-cluster:id';
export const TAG_NAME = 'mesos-cluster:name';
export const TAG_ROLE = 'mesos-cluster:role';
/** Set on the VPC by Mark Cluster Ready / Record Failure. */
export const TAG_STATUS = 'mesos-cluster:status';
/** Set on the VPC by Record Failure: the machine-readable failure code (e.g. CREATE_NAT_GATEWAY_FAILED). */
export const TAG_FAILURE_CODE = 'mesos-cluster:failure-code';
/** On per-zone resources (subnets, NAT gateways and their Elastic IPs, private route tables): the availability zone they serve. */
export const TAG_ZONE = 'mesos-cluster:zone';

// The cluster's scaling record on its VPC (functions/shared/scaling.ts).
/** The autoscaling settings: `min=1,max=10,out=75,in=25,step=2,cooldown=300`. */
export const TAG_AUTOSCALING = 'mesos-cluster:autoscaling';
/** The slaves' instance type, for a scale-out. */
export const TAG_SLAVE_INSTANCE_TYPE = 'mesos-cluster:slave-instance-type';
/** The desired slave count: set by the create and by every successful scale. */
export const TAG_SLAVES = 'mesos-cluster:slaves';
/** When the last scale ended (ISO 8601): the start of the cooldown. */
export const TAG_LAST_SCALED_AT = 'mesos-cluster:last-scaled-at';
/** The execution of the last recorded scale, and its outcome (`succeeded`, `failed`). */
export const TAG_LAST_SCALE_EXECUTION = 'mesos-cluster:last-scale-execution';
export const TAG_LAST_SCALE_OUTCOME = 'mesos-cluster:last-scale-outcome';
/** The scale lease: the execution that holds it (empty when free) and since when. */
export const TAG_SCALE_EXECUTION = 'mesos-cluster:scale-execution';
export const TAG_SCALE_STARTED_AT = 'mesos-cluster:scale-started-at';

// The slave image (functions/shared/image-recipe.ts).
/** On a slave image: the sha256 of its recipe (64 hex digits). */
export const TAG_IMAGE_HASH = 'mesos-cluster:image-hash';
/** On a slave image: the id of the cluster that baked it (never changes; `mesos-cluster:id` is its current owner). */
export const TAG_BAKED_BY = 'mesos-cluster:baked-by';
/** On a cluster's VPC: the id of the slave image its slaves are launched from (baked or reused). */
export const TAG_SLAVE_IMAGE = 'mesos-cluster:slave-image';
/**
 * On a cluster's VPC, from its creation: the recipe of its slave image, one tag per field
 * (image-recipe `recipeTags`), for a scale-out of a cluster created without slaves.
 */
export const TAG_RECIPE_BASE_IMAGE = 'mesos-cluster:recipe-base-image';
export const TAG_RECIPE_UBUNTU_RELEASE = 'mesos-cluster:recipe-ubuntu-release';
export const TAG_RECIPE_MESOS_VERSION = 'mesos-cluster:recipe-mesos-version';
export const TAG_RECIPE_MARATHON_VERSION = 'mesos-cluster:recipe-marathon-version';
export const TAG_RECIPE_PACKAGE_REPOSITORY = 'mesos-cluster:recipe-package-repository';
export const TAG_RECIPE_PACKAGE_KEY_URL = 'mesos-cluster:recipe-package-key-url';
export const TAG_RECIPE_PACKAGE_SOURCE = 'mesos-cluster:recipe-package-source';
export const TAG_RECIPE_FRESH_IMAGE = 'mesos-cluster:recipe-fresh-image';
/**
 * On a cluster's VPC, from its creation: what the cluster will hold at its peak
 * (`addresses=1,vcpus=6`), so that the pre-flight of another create counts what a create
 * in flight has not allocated yet (shared/holds.ts).
 */
export const TAG_HOLDS = 'mesos-cluster:holds';

/** What a resource is to the cluster; one tag value per kind of resource. */
export type ResourceRole =
  | 'vpc'
  | 'public-subnet'
  | 'private-subnet'
  | 'internet-gateway'
  | 'public-route-table'
  | 'private-route-table'
  | 'nat-eip'
  | 'nat-gateway'
  | 'master-sg'
  | 'slave-sg'
  | 'master'
  | 'template-slave'
  | 'slave'
  | 'slave-image'
  | 'image-bake-claim';

export interface ClusterRef {
  readonly clusterId: string;
  readonly clusterName: string;
}

export function clusterTags(cluster: ClusterRef, role: ResourceRole): Tag[] {
  return [
    { Key: TAG_ID, Value: cluster.clusterId },
    { Key: TAG_NAME, Value: cluster.clusterName },
    { Key: TAG_ROLE, Value: role },
    { Key: 'Name', Value: `${cluster.clusterName}-${role}` },
  ];
}

export function tagSpec(resourceType: ResourceType, cluster: ClusterRef, role: ResourceRole, extra: readonly Tag[] = []): TagSpecification {
  return { ResourceType: resourceType, Tags: [...clusterTags(cluster, role), ...extra] };
}

/** The zone tag of a per-zone resource. */
export function zoneTag(availabilityZone: string): Tag {
  return { Key: TAG_ZONE, Value: availabilityZone };
}

/** EC2 filters selecting the cluster's resources, optionally of one role. */
export function clusterFilters(clusterId: string, role?: ResourceRole): Filter[] {
  const filters: Filter[] = [{ Name: `tag:${TAG_ID}`, Values: [clusterId] }];
  if (role) filters.push({ Name: `tag:${TAG_ROLE}`, Values: [role] });
  return filters;
}

/** Reads a tag value from an EC2 tag list. */
export function tagValue(tags: readonly Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value;
}
