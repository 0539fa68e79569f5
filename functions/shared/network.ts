/**
 * Helpers shared by the network steps of the create workflow: finding the cluster's
 * resources by tag, tolerating EC2's eventual consistency right after a create, and the
 * idempotent route table (create, default route, subnet association).
 */
import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  type EC2Client,
  ReplaceRouteCommand,
  type Route,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { awsErrorCode, hasCode, isNotFound } from './aws-errors';
import { FatalError, RetryableError } from './errors';
import { clientToken } from './idempotency';
import { STATUS } from './scaling';
import { type ClusterRef, clusterFilters, type ResourceRole, TAG_STATUS, TAG_ZONE, tagSpec, tagValue, zoneTag } from './tags';

/** The default route of a cluster route table. */
export const DEFAULT_ROUTE = '0.0.0.0/0';

/**
 * The zones that get a NAT gateway (and its Elastic IP): the first zone with
 * `natGateways: single` (the default), every zone with `perAz`.
 */
export function natZones(zones: readonly string[], mode: 'single' | 'perAz' | undefined): string[] {
  return mode === 'perAz' ? [...zones] : zones.slice(0, 1);
}

/**
 * Runs a call on a resource that this step has just created. EC2 is eventually
 * consistent: the new id may not be visible yet and the call fails with `*.NotFound`.
 * That becomes a RetryableError; the re-run finds the resource by its tags and continues.
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html
 */
export async function onNewResource<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isNotFound(err)) {
      throw new RetryableError(`${what} is not visible yet (${awsErrorCode(err)}); retry finds it by tag`, { cause: err });
    }
    throw err;
  }
}

/** The ids of the cluster's VPCs (normally one), found by tag. */
export async function findClusterVpcIds(ec2: EC2Client, clusterId: string): Promise<string[]> {
  const { Vpcs = [] } = await ec2.send(new DescribeVpcsCommand({ Filters: clusterFilters(clusterId, 'vpc') }));
  return Vpcs.flatMap((vpc) => (vpc.VpcId ? [vpc.VpcId] : []));
}

/**
 * Refuses a step that would create a long-lived or costly resource of a cluster whose
 * teardown has begun (its VPC tagged DELETE_IN_PROGRESS): throws FatalError, so the create
 * fails into its rollback and a scale into Record Scale Failure, instead of making a
 * resource after the teardown looked for it. A cluster without a VPC is not being deleted.
 */
export async function assertClusterNotDeleting(ec2: EC2Client, clusterId: string, step: string): Promise<void> {
  const result = await ec2.send(new DescribeVpcsCommand({ Filters: clusterFilters(clusterId, 'vpc') }));
  const deleting = (result?.Vpcs ?? []).some((vpc) => tagValue(vpc.Tags, TAG_STATUS) === STATUS.deleteInProgress);
  if (deleting) throw new FatalError(`cluster ${clusterId} is being deleted (${STATUS.deleteInProgress}); ${step} refused`);
}

/** What a route table step needs to know. */
export interface RouteTableRequest {
  readonly cluster: ClusterRef;
  /** The step id, for the ClientToken. */
  readonly step: string;
  readonly role: Extract<ResourceRole, 'public-route-table' | 'private-route-table'>;
  readonly vpcId: string;
  /** The subnets the table is associated with. */
  readonly subnetIds: readonly string[];
  /**
   * The zone of a per-zone table (one private route table per NAT gateway): the table is
   * found by role and zone tag, and its ClientToken names the zone.
   */
  readonly zone?: string;
  /** Where the default route points. */
  readonly target: { readonly gatewayId: string } | { readonly natGatewayId: string };
}

/**
 * Makes sure the cluster has a route table of the given role (and zone) with a default
 * route to the target, associated with each subnet. Each part is checked before it is
 * done, and the "already there" answers of EC2 count as success, so a re-run converges.
 */
export async function ensureRouteTable(ec2: EC2Client, req: RouteTableRequest): Promise<string> {
  const table = await findOrCreateRouteTable(ec2, req);
  const routeTableId = table.RouteTableId;
  if (!routeTableId) throw new FatalError(`CreateRouteTable returned no route table id for ${req.role}`);
  await onNewResource(`route table ${routeTableId}`, async () => {
    await ensureDefaultRoute(ec2, routeTableId, table.Routes ?? [], req.target);
    for (const subnetId of req.subnetIds) {
      const associated = (table.Associations ?? []).some((a) => a.SubnetId === subnetId);
      if (!associated) await associate(ec2, routeTableId, subnetId);
    }
  });
  return routeTableId;
}

async function findOrCreateRouteTable(ec2: EC2Client, req: RouteTableRequest): Promise<RouteTable> {
  const filters = clusterFilters(req.cluster.clusterId, req.role);
  if (req.zone) filters.push({ Name: `tag:${TAG_ZONE}`, Values: [req.zone] });
  const { RouteTables = [] } = await ec2.send(new DescribeRouteTablesCommand({ Filters: filters }));
  const existing = req.zone ? RouteTables[0] : (RouteTables.find((t) => !tagValue(t.Tags, TAG_ZONE)) ?? RouteTables[0]);
  if (existing) return existing;
  const { RouteTable } = await ec2.send(
    new CreateRouteTableCommand({
      VpcId: req.vpcId,
      ClientToken: clientToken(req.cluster.clusterId, req.zone ? `${req.step}/${req.zone}` : req.step),
      TagSpecifications: [tagSpec('route-table', req.cluster, req.role, req.zone ? [zoneTag(req.zone)] : [])],
    })
  );
  if (!RouteTable) throw new FatalError(`CreateRouteTable returned no route table for ${req.role}`);
  return RouteTable;
}

function targetOf(target: RouteTableRequest['target']): Pick<Route, 'GatewayId' | 'NatGatewayId'> {
  return 'gatewayId' in target ? { GatewayId: target.gatewayId } : { NatGatewayId: target.natGatewayId };
}

async function ensureDefaultRoute(ec2: EC2Client, routeTableId: string, routes: readonly Route[], target: RouteTableRequest['target']) {
  const wanted = targetOf(target);
  const current = routes.find((r) => r.DestinationCidrBlock === DEFAULT_ROUTE);
  if (current && current.GatewayId === wanted.GatewayId && current.NatGatewayId === wanted.NatGatewayId) return;
  if (current) {
    // A default route to another target (e.g. a NAT gateway that failed and was replaced).
    await ec2.send(new ReplaceRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: DEFAULT_ROUTE, ...wanted }));
    return;
  }
  try {
    await ec2.send(new CreateRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: DEFAULT_ROUTE, ...wanted }));
  } catch (err) {
    if (!hasCode(err, 'RouteAlreadyExists')) throw err;
  }
}

async function associate(ec2: EC2Client, routeTableId: string, subnetId: string) {
  try {
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }));
  } catch (err) {
    if (!hasCode(err, 'Resource.AlreadyAssociated')) throw err;
  }
}
