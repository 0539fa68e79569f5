/**
 * Network facts derived from the resources: network interfaces, mapped public
 * addresses, which route table serves a subnet, address allocation, and whether an
 * instance can reach the SSM endpoints.
 */
import type { Sim } from '../core';
import { fail } from '../errors';
import type { InstanceRecord, RouteTableRecord, SecurityGroupRecord, SubnetRecord } from '../state';
import { cidrSize, formatIp, hostAddress, parseCidr } from '../util/cidr';
import { nextNumber } from '../util/ids';

/** A network interface that exists right now (owned by an instance or a NAT gateway). */
export interface LiveInterface {
  readonly id: string;
  readonly kind: 'instance' | 'nat_gateway';
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly privateIp: string;
  readonly publicIp?: string;
  readonly allocationId?: string;
  readonly associationId?: string;
  readonly groupIds: string[];
  readonly instanceId?: string;
  readonly natGatewayId?: string;
  readonly createdAt: number;
}

/** Every interface that still exists: instances until `terminated`, NAT gateways until `deleted`. */
export function liveInterfaces(sim: Sim): LiveInterface[] {
  const out: LiveInterface[] = [];
  for (const inst of sim.list('instance')) {
    if (!sim.holdsNetwork(inst)) continue;
    out.push({
      id: inst.networkInterfaceId,
      kind: 'instance',
      subnetId: inst.subnetId,
      vpcId: inst.vpcId,
      availabilityZone: inst.availabilityZone,
      privateIp: inst.privateIp,
      publicIp: inst.publicIp,
      groupIds: inst.securityGroupIds,
      instanceId: inst.id,
      createdAt: inst.createdAt,
    });
  }
  for (const nat of sim.list('nat')) {
    if (!sim.natHoldsAddress(nat)) continue;
    const subnet = sim.state.subnets[nat.subnetId];
    out.push({
      id: nat.networkInterfaceId,
      kind: 'nat_gateway',
      subnetId: nat.subnetId,
      vpcId: nat.vpcId,
      availabilityZone: subnet?.availabilityZone ?? '',
      privateIp: nat.privateIp,
      publicIp: nat.publicIp,
      allocationId: nat.allocationId,
      associationId: nat.associationId,
      groupIds: [],
      natGatewayId: nat.id,
      createdAt: nat.createdAt,
    });
  }
  return out;
}

/** Public addresses mapped in a VPC: what blocks DetachInternetGateway. */
export function mappedPublicAddresses(sim: Sim, vpcId: string): string[] {
  return liveInterfaces(sim)
    .filter((eni) => eni.vpcId === vpcId && eni.publicIp !== undefined)
    .map((eni) => eni.publicIp as string);
}

/** A free private address of the subnet (AWS reserves the first four and the last). */
export function allocatePrivateIp(sim: Sim, subnet: SubnetRecord, taken: readonly string[] = []): string {
  const cidr = parseCidr(subnet.cidr);
  if (!cidr) throw fail('InternalError', `subnet ${subnet.id} has a malformed CIDR`);
  const used = new Set([
    ...liveInterfaces(sim)
      .filter((eni) => eni.subnetId === subnet.id)
      .map((eni) => eni.privateIp),
    ...taken,
  ]);
  for (let offset = 4; offset < cidrSize(cidr) - 1; offset++) {
    const ip = hostAddress(cidr, offset);
    if (!used.has(ip)) return ip;
  }
  throw fail(
    'InsufficientFreeAddressesInSubnet',
    `There are not enough free addresses in subnet '${subnet.id}' to satisfy the requested number of instances.`
  );
}

/** Free addresses left in a subnet (for AvailableIpAddressCount). */
export function freeAddressCount(sim: Sim, subnet: SubnetRecord): number {
  const cidr = parseCidr(subnet.cidr);
  if (!cidr) return 0;
  const used = liveInterfaces(sim).filter((eni) => eni.subnetId === subnet.id).length;
  return Math.max(0, cidrSize(cidr) - 5 - used);
}

/** A new public address from the Region's pool: Elastic IPs and auto-assigned instance addresses. */
export function allocatePublicIp(sim: Sim, pool: 'elastic' | 'instance'): string {
  const base = pool === 'elastic' ? 0x34f00000 /* 52.240.0.0 */ : 0x22f00000; /* 34.240.0.0 */
  return formatIp(base + 10 + nextNumber(sim.state, `public-ip-${pool}`));
}

/** The route table that serves a subnet: its explicit association, else the VPC's main table. */
export function routeTableOf(sim: Sim, subnet: SubnetRecord): RouteTableRecord | undefined {
  const tables = sim.list('routeTable').filter((rt) => rt.vpcId === subnet.vpcId);
  return tables.find((rt) => rt.associations.some((a) => a.subnetId === subnet.id)) ?? tables.find((rt) => rt.main);
}

/** The state of a route: `blackhole` when its target is gone or detached. */
export function routeState(sim: Sim, rt: RouteTableRecord, route: RouteTableRecord['routes'][number]): 'active' | 'blackhole' {
  if (route.gatewayId === 'local') return 'active';
  if (route.gatewayId !== undefined) {
    return sim.state.internetGateways[route.gatewayId]?.vpcId === rt.vpcId ? 'active' : 'blackhole';
  }
  if (route.natGatewayId !== undefined) {
    const nat = sim.state.natGateways[route.natGatewayId];
    if (!nat) return 'blackhole';
    const state = sim.natState(nat);
    return state === 'available' || state === 'pending' ? 'active' : 'blackhole';
  }
  return 'blackhole';
}

function allowsHttpsOut(groups: readonly (SecurityGroupRecord | undefined)[]): boolean {
  return groups.some((sg) =>
    (sg?.egress ?? []).some(
      (rule) =>
        rule.cidr === '0.0.0.0/0' &&
        (rule.protocol === '-1' || (rule.protocol === 'tcp' && (rule.fromPort ?? 0) <= 443 && 443 <= (rule.toPort ?? 65535)))
    )
  );
}

/**
 * Whether the instance can reach the SSM endpoints now: a default route through an
 * attached internet gateway (with a public address) or an available NAT gateway, and
 * security-group egress on 443. Switched off by the model's `networkReachability: false`.
 */
export function reachesInternet(sim: Sim, inst: InstanceRecord): boolean {
  if (!sim.model.networkReachability) return true;
  const subnet = sim.state.subnets[inst.subnetId];
  if (!subnet) return false;
  const rt = routeTableOf(sim, subnet);
  const route = rt?.routes.find((r) => r.destination === '0.0.0.0/0');
  if (!rt || !route) return false;
  let routed = false;
  if (route.gatewayId !== undefined && route.gatewayId !== 'local') {
    routed = inst.publicIp !== undefined && sim.state.internetGateways[route.gatewayId]?.vpcId === inst.vpcId;
  } else if (route.natGatewayId !== undefined) {
    const nat = sim.state.natGateways[route.natGatewayId];
    routed = nat !== undefined && sim.natState(nat) === 'available';
  }
  return routed && allowsHttpsOut(inst.securityGroupIds.map((id) => sim.state.securityGroups[id]));
}

/** SSM PingStatus `Online`: running, agent registered (needs a valid profile), endpoints reachable. */
export function ssmOnline(sim: Sim, inst: InstanceRecord): boolean {
  return inst.ssmOnlineAt !== null && sim.now() >= inst.ssmOnlineAt && sim.instanceState(inst) === 'running' && reachesInternet(sim, inst);
}
