/** EC2 networking: VPCs, availability zones, subnets, internet gateways and route tables. */
import type {
  AssociateRouteTableCommandInput,
  AttachInternetGatewayCommandInput,
  CreateInternetGatewayCommandInput,
  CreateInternetGatewayCommandOutput,
  CreateRouteCommandInput,
  CreateRouteTableCommandInput,
  CreateRouteTableCommandOutput,
  CreateSubnetCommandInput,
  CreateSubnetCommandOutput,
  CreateVpcCommandInput,
  CreateVpcCommandOutput,
  DeleteInternetGatewayCommandInput,
  DeleteRouteCommandInput,
  DeleteRouteTableCommandInput,
  DeleteSubnetCommandInput,
  DeleteVpcCommandInput,
  DescribeAvailabilityZonesCommandInput,
  DescribeAvailabilityZonesCommandOutput,
  DescribeInternetGatewaysCommandInput,
  DescribeInternetGatewaysCommandOutput,
  DescribeRouteTablesCommandInput,
  DescribeRouteTablesCommandOutput,
  DescribeSubnetsCommandInput,
  DescribeSubnetsCommandOutput,
  DescribeVpcAttributeCommandInput,
  DescribeVpcAttributeCommandOutput,
  DescribeVpcsCommandInput,
  DescribeVpcsCommandOutput,
  DetachInternetGatewayCommandInput,
  DisassociateRouteTableCommandInput,
  InternetGateway,
  ModifySubnetAttributeCommandInput,
  ModifyVpcAttributeCommandInput,
  RouteTable,
  Subnet,
  Vpc,
} from '@aws-sdk/client-ec2';
import { ACCOUNT_ID, type Handler, idList, type Out, op, priorCall, rememberCall, type Sim, tagList } from '../core';
import { fail } from '../errors';
import { quotasOf } from '../quotas';
import type { InternetGatewayRecord, RouteTableRecord, SubnetRecord, VpcRecord } from '../state';
import { cidrContains, cidrOverlaps, parseCidr } from '../util/cidr';
import { checkFilterNames, type FilterSpec, matchesFilters } from '../util/filters';
import { freeAddressCount, liveInterfaces, mappedPublicAddresses, routeState } from './facts';

// ---------------------------------------------------------------- VPC

function vpcView(sim: Sim, vpc: VpcRecord): Vpc {
  return {
    VpcId: vpc.id,
    CidrBlock: vpc.cidr,
    State: sim.now() >= vpc.availableAt ? 'available' : 'pending',
    DhcpOptionsId: 'dopt-0f1e2d3c4b5a69788',
    InstanceTenancy: 'default',
    IsDefault: false,
    OwnerId: ACCOUNT_ID,
    CidrBlockAssociationSet: [
      { AssociationId: `vpc-cidr-assoc-${vpc.id.slice(4)}`, CidrBlock: vpc.cidr, CidrBlockState: { State: 'associated' } },
    ],
    Tags: tagList(vpc.tags),
  };
}

const VPC_FILTERS: FilterSpec<VpcRecord> = {
  'vpc-id': (v) => [v.id],
  cidr: (v) => [v.cidr],
  'cidr-block-association.cidr-block': (v) => [v.cidr],
  state: () => [],
  'is-default': () => ['false'],
  'owner-id': () => [ACCOUNT_ID],
  'dhcp-options-id': () => ['dopt-0f1e2d3c4b5a69788'],
};

const createVpc = op<CreateVpcCommandInput>((sim, input): Out<CreateVpcCommandOutput> => {
  const cidr = parseCidr(input.CidrBlock ?? '');
  if (!cidr)
    throw fail('InvalidParameterValue', `Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  if (cidr.prefix < 16 || cidr.prefix > 28) throw fail('InvalidVpc.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
  if (sim.list('vpc').length >= quotasOf(sim).vpcs) throw fail('VpcLimitExceeded', 'The maximum number of VPCs has been reached.');
  const tags = sim.tagsFor(input.TagSpecifications, 'vpc');
  const now = sim.now();
  const id = sim.id('vpc');
  const sgId = sim.id('sg');
  const rtId = sim.id('rtb');
  const vpc: VpcRecord = {
    id,
    createdAt: now,
    tags,
    cidr: input.CidrBlock as string,
    availableAt: now + sim.latency(sim.model.vpcAvailableMs),
    dnsHostnames: false,
    dnsSupport: true,
    defaultSecurityGroupId: sgId,
    mainRouteTableId: rtId,
    mainAssociationId: sim.id('rtbassoc'),
  };
  sim.state.vpcs[id] = vpc;
  sim.state.securityGroups[sgId] = {
    id: sgId,
    createdAt: now,
    tags: {},
    vpcId: id,
    name: 'default',
    description: 'default VPC security group',
    isDefault: true,
    ingress: [{ id: sim.id('sgr'), protocol: '-1', groupId: sgId }],
    egress: [{ id: sim.id('sgr'), protocol: '-1', cidr: '0.0.0.0/0' }],
  };
  sim.state.routeTables[rtId] = {
    id: rtId,
    createdAt: now,
    tags: {},
    vpcId: id,
    main: true,
    routes: [{ destination: vpc.cidr, gatewayId: 'local', origin: 'CreateRouteTable' }],
    associations: [{ id: vpc.mainAssociationId, main: true }],
  };
  return { Vpc: { ...vpcView(sim, vpc), State: 'pending' } };
});

const describeVpcs = op<DescribeVpcsCommandInput>((sim, input): Out<DescribeVpcsCommandOutput> => {
  checkFilterNames(input.Filters, VPC_FILTERS);
  const ids = idList(input.VpcIds);
  const candidates = ids ? sim.getAll('vpc', ids) : sim.list('vpc');
  const stateFiltered = candidates.filter((v) =>
    matchesFilters(input.Filters, v, v.tags, { ...VPC_FILTERS, state: (r) => [vpcView(sim, r).State] })
  );
  return { Vpcs: stateFiltered.map((v) => vpcView(sim, v)) };
});

const modifyVpcAttribute = op<ModifyVpcAttributeCommandInput>((sim, input) => {
  const vpc = sim.get('vpc', input.VpcId, true);
  const given = [input.EnableDnsHostnames, input.EnableDnsSupport, input.EnableNetworkAddressUsageMetrics].filter((v) => v !== undefined);
  if (given.length !== 1) {
    throw fail('InvalidParameterCombination', 'Exactly one of EnableDnsHostnames, EnableDnsSupport must be specified per call');
  }
  if (input.EnableDnsHostnames !== undefined) {
    const value = input.EnableDnsHostnames.Value === true;
    if (value && !vpc.dnsSupport) throw fail('InvalidParameterValue', 'DNS hostnames need DNS support');
    vpc.dnsHostnames = value;
  }
  if (input.EnableDnsSupport !== undefined) vpc.dnsSupport = input.EnableDnsSupport.Value === true;
  return {};
});

const describeVpcAttribute = op<DescribeVpcAttributeCommandInput>((sim, input): Out<DescribeVpcAttributeCommandOutput> => {
  const vpc = sim.get('vpc', input.VpcId, true);
  if (input.Attribute === 'enableDnsHostnames') return { VpcId: vpc.id, EnableDnsHostnames: { Value: vpc.dnsHostnames } };
  if (input.Attribute === 'enableDnsSupport') return { VpcId: vpc.id, EnableDnsSupport: { Value: vpc.dnsSupport } };
  throw fail('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid.`);
});

const deleteVpc = op<DeleteVpcCommandInput>((sim, input) => {
  const vpc = sim.get('vpc', input.VpcId);
  const blockers = [
    ...sim.list('subnet').filter((s) => s.vpcId === vpc.id),
    ...sim.list('igw').filter((g) => g.vpcId === vpc.id),
    ...sim.list('sg').filter((g) => g.vpcId === vpc.id && !g.isDefault),
    ...sim.list('routeTable').filter((rt) => rt.vpcId === vpc.id && !rt.main),
  ];
  if (blockers.length > 0) throw fail('DependencyViolation', `The vpc '${vpc.id}' has dependencies and cannot be deleted.`);
  delete sim.state.securityGroups[vpc.defaultSecurityGroupId];
  delete sim.state.routeTables[vpc.mainRouteTableId];
  delete sim.state.vpcs[vpc.id];
  return {};
});

// ---------------------------------------------------------------- availability zones

function zoneId(sim: Sim, index: number): string {
  const [geo = 'xx', direction = 'x', n = '1'] = sim.region.split('-');
  return `${geo}${direction.charAt(0)}${n}-az${index + 1}`;
}

const describeAvailabilityZones = op<DescribeAvailabilityZonesCommandInput>((sim, input): Out<DescribeAvailabilityZonesCommandOutput> => {
  const zones = sim.zones.map((name, i) => ({ name, id: zoneId(sim, i) }));
  const spec: FilterSpec<{ name: string; id: string }> = {
    'zone-name': (z) => [z.name],
    'zone-id': (z) => [z.id],
    state: () => ['available'],
    'region-name': () => [sim.region],
    'zone-type': () => ['availability-zone'],
    'opt-in-status': () => ['opt-in-not-required'],
  };
  checkFilterNames(input.Filters, spec);
  for (const name of input.ZoneNames ?? []) {
    if (!zones.some((z) => z.name === name)) throw fail('InvalidParameterValue', `Invalid availability zone: [${name}]`);
  }
  const selected = zones.filter(
    (z) =>
      (!input.ZoneNames?.length || input.ZoneNames.includes(z.name)) &&
      (!input.ZoneIds?.length || input.ZoneIds.includes(z.id)) &&
      matchesFilters(input.Filters, z, {}, spec)
  );
  return {
    AvailabilityZones: selected.map((z) => ({
      ZoneName: z.name,
      ZoneId: z.id,
      State: 'available',
      RegionName: sim.region,
      ZoneType: 'availability-zone',
      OptInStatus: 'opt-in-not-required',
      GroupName: sim.region,
      NetworkBorderGroup: sim.region,
      Messages: [],
    })),
  };
});

// ---------------------------------------------------------------- subnets

function subnetView(sim: Sim, subnet: SubnetRecord): Subnet {
  const zoneIndex = sim.zones.indexOf(subnet.availabilityZone);
  return {
    SubnetId: subnet.id,
    SubnetArn: `arn:aws:ec2:${sim.region}:${ACCOUNT_ID}:subnet/${subnet.id}`,
    VpcId: subnet.vpcId,
    CidrBlock: subnet.cidr,
    AvailabilityZone: subnet.availabilityZone,
    AvailabilityZoneId: zoneId(sim, zoneIndex),
    State: sim.now() >= subnet.availableAt ? 'available' : 'pending',
    AvailableIpAddressCount: freeAddressCount(sim, subnet),
    MapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
    DefaultForAz: false,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    OwnerId: ACCOUNT_ID,
    Tags: tagList(subnet.tags),
  };
}

const SUBNET_FILTERS: FilterSpec<SubnetRecord> = {
  'subnet-id': (s) => [s.id],
  'vpc-id': (s) => [s.vpcId],
  'availability-zone': (s) => [s.availabilityZone],
  'cidr-block': (s) => [s.cidr],
  cidr: (s) => [s.cidr],
  'map-public-ip-on-launch': (s) => [s.mapPublicIpOnLaunch],
  'default-for-az': () => [false],
  'owner-id': () => [ACCOUNT_ID],
  state: () => [],
};

const createSubnet = op<CreateSubnetCommandInput>((sim, input): Out<CreateSubnetCommandOutput> => {
  const vpc = sim.get('vpc', input.VpcId);
  const cidr = parseCidr(input.CidrBlock ?? '');
  if (!cidr)
    throw fail('InvalidParameterValue', `Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  const vpcCidr = parseCidr(vpc.cidr);
  if (!vpcCidr || !cidrContains(vpcCidr, cidr) || cidr.prefix > 28) {
    throw fail('InvalidSubnet.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
  }
  for (const other of sim.list('subnet').filter((s) => s.vpcId === vpc.id)) {
    const otherCidr = parseCidr(other.cidr);
    if (otherCidr && cidrOverlaps(otherCidr, cidr)) {
      throw fail('InvalidSubnet.Conflict', `The CIDR '${input.CidrBlock}' conflicts with another subnet`);
    }
  }
  let zone = sim.zones[0] as string;
  if (input.AvailabilityZone !== undefined) {
    if (!sim.zones.includes(input.AvailabilityZone)) {
      throw fail(
        'InvalidParameterValue',
        `Value (${input.AvailabilityZone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${sim.zones.join(', ')}.`
      );
    }
    zone = input.AvailabilityZone;
  } else if (input.AvailabilityZoneId !== undefined) {
    const index = sim.zones.findIndex((_, i) => zoneId(sim, i) === input.AvailabilityZoneId);
    if (index < 0) throw fail('InvalidParameterValue', `Value (${input.AvailabilityZoneId}) for parameter availabilityZoneId is invalid.`);
    zone = sim.zones[index] as string;
  }
  const tags = sim.tagsFor(input.TagSpecifications, 'subnet');
  const now = sim.now();
  const subnet: SubnetRecord = {
    id: sim.id('subnet'),
    createdAt: now,
    tags,
    vpcId: vpc.id,
    cidr: input.CidrBlock as string,
    availabilityZone: zone,
    availableAt: now + sim.latency(sim.model.subnetAvailableMs),
    mapPublicIpOnLaunch: false,
  };
  sim.state.subnets[subnet.id] = subnet;
  return { Subnet: { ...subnetView(sim, subnet), State: 'pending' } };
});

const describeSubnets = op<DescribeSubnetsCommandInput>((sim, input): Out<DescribeSubnetsCommandOutput> => {
  const spec: FilterSpec<SubnetRecord> = { ...SUBNET_FILTERS, state: (s) => [subnetView(sim, s).State] };
  checkFilterNames(input.Filters, spec);
  const ids = idList(input.SubnetIds);
  const candidates = ids ? sim.getAll('subnet', ids) : sim.list('subnet');
  return { Subnets: candidates.filter((s) => matchesFilters(input.Filters, s, s.tags, spec)).map((s) => subnetView(sim, s)) };
});

const modifySubnetAttribute = op<ModifySubnetAttributeCommandInput>((sim, input) => {
  const subnet = sim.get('subnet', input.SubnetId, true);
  if (input.MapPublicIpOnLaunch !== undefined) subnet.mapPublicIpOnLaunch = input.MapPublicIpOnLaunch.Value === true;
  return {};
});

const deleteSubnet = op<DeleteSubnetCommandInput>((sim, input) => {
  const subnet = sim.get('subnet', input.SubnetId);
  if (liveInterfaces(sim).some((eni) => eni.subnetId === subnet.id)) {
    throw fail('DependencyViolation', `The subnet '${subnet.id}' has dependencies and cannot be deleted.`);
  }
  for (const rt of sim.list('routeTable')) rt.associations = rt.associations.filter((a) => a.subnetId !== subnet.id);
  delete sim.state.subnets[subnet.id];
  return {};
});

// ---------------------------------------------------------------- internet gateways

function igwView(igw: InternetGatewayRecord): InternetGateway {
  return {
    InternetGatewayId: igw.id,
    OwnerId: ACCOUNT_ID,
    // EC2 reports an attached gateway as 'available' (outside the SDK's AttachmentStatus enum).
    Attachments: igw.vpcId ? [{ VpcId: igw.vpcId, State: 'available' as 'attached' }] : [],
    Tags: tagList(igw.tags),
  };
}

const IGW_FILTERS: FilterSpec<InternetGatewayRecord> = {
  'internet-gateway-id': (g) => [g.id],
  'attachment.vpc-id': (g) => [g.vpcId],
  'attachment.state': (g) => [g.vpcId ? 'available' : undefined],
  'owner-id': () => [ACCOUNT_ID],
};

const createInternetGateway = op<CreateInternetGatewayCommandInput>((sim, input): Out<CreateInternetGatewayCommandOutput> => {
  const tags = sim.tagsFor(input.TagSpecifications, 'internet-gateway');
  const igw: InternetGatewayRecord = { id: sim.id('igw'), createdAt: sim.now(), tags };
  sim.state.internetGateways[igw.id] = igw;
  return { InternetGateway: igwView(igw) };
});

const describeInternetGateways = op<DescribeInternetGatewaysCommandInput>((sim, input): Out<DescribeInternetGatewaysCommandOutput> => {
  checkFilterNames(input.Filters, IGW_FILTERS);
  const ids = idList(input.InternetGatewayIds);
  const candidates = ids ? sim.getAll('igw', ids) : sim.list('igw');
  return { InternetGateways: candidates.filter((g) => matchesFilters(input.Filters, g, g.tags, IGW_FILTERS)).map(igwView) };
});

const attachInternetGateway = op<AttachInternetGatewayCommandInput>((sim, input) => {
  const igw = sim.get('igw', input.InternetGatewayId, true);
  const vpc = sim.get('vpc', input.VpcId, true);
  if (igw.vpcId !== undefined) throw fail('Resource.AlreadyAssociated', `resource ${igw.id} is already attached to network ${igw.vpcId}`);
  const other = sim.list('igw').find((g) => g.vpcId === vpc.id);
  if (other) throw fail('Resource.AlreadyAssociated', `Network ${vpc.id} already has an internet gateway attached`);
  igw.vpcId = vpc.id;
  return {};
});

const detachInternetGateway = op<DetachInternetGatewayCommandInput>((sim, input) => {
  const igw = sim.get('igw', input.InternetGatewayId);
  const vpc = sim.get('vpc', input.VpcId);
  if (igw.vpcId !== vpc.id) throw fail('Gateway.NotAttached', `resource ${igw.id} is not attached to network ${vpc.id}`);
  if (mappedPublicAddresses(sim, vpc.id).length > 0) {
    throw fail(
      'DependencyViolation',
      `Network ${vpc.id} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`
    );
  }
  igw.vpcId = undefined;
  return {};
});

const deleteInternetGateway = op<DeleteInternetGatewayCommandInput>((sim, input) => {
  const igw = sim.get('igw', input.InternetGatewayId);
  if (igw.vpcId !== undefined) throw fail('DependencyViolation', `The internetGateway '${igw.id}' has dependencies and cannot be deleted.`);
  delete sim.state.internetGateways[igw.id];
  return {};
});

// ---------------------------------------------------------------- route tables

function routeTableView(sim: Sim, rt: RouteTableRecord): RouteTable {
  return {
    RouteTableId: rt.id,
    VpcId: rt.vpcId,
    OwnerId: ACCOUNT_ID,
    Routes: rt.routes.map((route) => ({
      DestinationCidrBlock: route.destination,
      GatewayId: route.gatewayId,
      NatGatewayId: route.natGatewayId,
      Origin: route.origin,
      State: routeState(sim, rt, route),
    })),
    Associations: rt.associations.map((a) => ({
      Main: a.main,
      RouteTableAssociationId: a.id,
      RouteTableId: rt.id,
      SubnetId: a.subnetId,
      AssociationState: { State: 'associated' },
    })),
    PropagatingVgws: [],
    Tags: tagList(rt.tags),
  };
}

const RT_FILTERS: FilterSpec<RouteTableRecord> = {
  'route-table-id': (rt) => [rt.id],
  'vpc-id': (rt) => [rt.vpcId],
  'association.subnet-id': (rt) => rt.associations.map((a) => a.subnetId),
  'association.main': (rt) => [rt.main],
  'association.route-table-association-id': (rt) => rt.associations.map((a) => a.id),
  'association.route-table-id': (rt) => (rt.associations.length > 0 ? [rt.id] : []),
  'route.nat-gateway-id': (rt) => rt.routes.map((r) => r.natGatewayId),
  'route.gateway-id': (rt) => rt.routes.map((r) => r.gatewayId),
  'route.destination-cidr-block': (rt) => rt.routes.map((r) => r.destination),
  'owner-id': () => [ACCOUNT_ID],
};

const createRouteTable = op<CreateRouteTableCommandInput>((sim, input): Out<CreateRouteTableCommandOutput> => {
  const prior = priorCall(sim, 'CreateRouteTable', input.ClientToken, input);
  if (prior) {
    const existing = sim.state.routeTables[prior.ids[0] ?? ''];
    const table = existing ? routeTableView(sim, existing) : (prior.answer as RouteTable);
    return { RouteTable: table, ClientToken: input.ClientToken };
  }
  const vpc = sim.get('vpc', input.VpcId);
  const tags = sim.tagsFor(input.TagSpecifications, 'route-table');
  const rt: RouteTableRecord = {
    id: sim.id('rtb'),
    createdAt: sim.now(),
    tags,
    vpcId: vpc.id,
    main: false,
    routes: [{ destination: vpc.cidr, gatewayId: 'local', origin: 'CreateRouteTable' }],
    associations: [],
  };
  sim.state.routeTables[rt.id] = rt;
  const view = routeTableView(sim, rt);
  rememberCall(sim, 'CreateRouteTable', input.ClientToken, input, [rt.id], view);
  return { RouteTable: view, ClientToken: input.ClientToken };
});

const describeRouteTables = op<DescribeRouteTablesCommandInput>((sim, input): Out<DescribeRouteTablesCommandOutput> => {
  checkFilterNames(input.Filters, RT_FILTERS);
  const ids = idList(input.RouteTableIds);
  const candidates = ids ? sim.getAll('routeTable', ids) : sim.list('routeTable');
  return {
    RouteTables: candidates.filter((rt) => matchesFilters(input.Filters, rt, rt.tags, RT_FILTERS)).map((rt) => routeTableView(sim, rt)),
  };
});

const createRoute = op<CreateRouteCommandInput>((sim, input) => {
  const rt = sim.get('routeTable', input.RouteTableId, true);
  const destination = input.DestinationCidrBlock ?? '';
  if (!parseCidr(destination)) throw fail('InvalidParameterValue', `Value (${destination}) for parameter destinationCidrBlock is invalid.`);
  const targets = [input.GatewayId, input.NatGatewayId, input.InstanceId, input.NetworkInterfaceId].filter((t) => t !== undefined);
  if (targets.length !== 1) throw fail('InvalidParameterCombination', 'Exactly one route target must be specified');
  if (input.GatewayId === undefined && input.NatGatewayId === undefined) {
    throw fail('Unsupported', 'The simulated cloud routes only to internet gateways and NAT gateways');
  }
  if (input.GatewayId !== undefined) {
    const igw = sim.get('igw', input.GatewayId, true);
    if (igw.vpcId !== rt.vpcId) {
      throw fail('InvalidParameterValue', `route table ${rt.id} and network gateway ${igw.id} belong to different networks`);
    }
  } else {
    const id = input.NatGatewayId as string;
    const nat = sim.state.natGateways[id];
    const state = nat ? sim.natState(nat) : undefined;
    if (!nat || sim.inConsistencyWindow(nat) || state === 'deleted' || state === 'failed') {
      throw fail('InvalidNatGatewayID.NotFound', `The natGateway ID '${id}' does not exist`);
    }
    if (nat.vpcId !== rt.vpcId)
      throw fail('InvalidParameterValue', `route table ${rt.id} and NAT gateway ${id} belong to different networks`);
  }
  if (rt.routes.some((r) => r.destination === destination)) {
    throw fail('RouteAlreadyExists', `The route identified by ${destination} already exists.`);
  }
  rt.routes.push({ destination, gatewayId: input.GatewayId, natGatewayId: input.NatGatewayId, origin: 'CreateRoute' });
  return { Return: true };
});

const deleteRoute = op<DeleteRouteCommandInput>((sim, input) => {
  const rt = sim.get('routeTable', input.RouteTableId);
  const index = rt.routes.findIndex((r) => r.destination === input.DestinationCidrBlock && r.origin === 'CreateRoute');
  if (index < 0) {
    throw fail('InvalidRoute.NotFound', `no route with destination-cidr-block ${input.DestinationCidrBlock} in route table ${rt.id}`);
  }
  rt.routes.splice(index, 1);
  return {};
});

const associateRouteTable = op<AssociateRouteTableCommandInput>((sim, input) => {
  const rt = sim.get('routeTable', input.RouteTableId, true);
  const subnet = sim.get('subnet', input.SubnetId, true);
  if (subnet.vpcId !== rt.vpcId)
    throw fail('InvalidParameterValue', `Route table ${rt.id} and subnet ${subnet.id} belong to different networks`);
  if (sim.list('routeTable').some((other) => other.associations.some((a) => a.subnetId === subnet.id))) {
    throw fail('Resource.AlreadyAssociated', `the specified association for route table ${rt.id} conflicts with an existing association`);
  }
  const association = { id: sim.id('rtbassoc'), subnetId: subnet.id, main: false };
  rt.associations.push(association);
  return { AssociationId: association.id, AssociationState: { State: 'associated' } };
});

const disassociateRouteTable = op<DisassociateRouteTableCommandInput>((sim, input) => {
  for (const rt of sim.list('routeTable')) {
    const association = rt.associations.find((a) => a.id === input.AssociationId);
    if (!association) continue;
    if (association.main) throw fail('InvalidParameterValue', 'The main route table association cannot be disassociated');
    rt.associations = rt.associations.filter((a) => a !== association);
    return {};
  }
  throw fail('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
});

const deleteRouteTable = op<DeleteRouteTableCommandInput>((sim, input) => {
  const rt = sim.get('routeTable', input.RouteTableId);
  if (rt.main || rt.associations.length > 0) {
    throw fail('DependencyViolation', `The routeTable '${rt.id}' has dependencies and cannot be deleted.`);
  }
  delete sim.state.routeTables[rt.id];
  return {};
});

/** The networking operations, by operation name. */
export const networkHandlers: Record<string, Handler> = {
  CreateVpc: createVpc,
  DescribeVpcs: describeVpcs,
  ModifyVpcAttribute: modifyVpcAttribute,
  DescribeVpcAttribute: describeVpcAttribute,
  DeleteVpc: deleteVpc,
  DescribeAvailabilityZones: describeAvailabilityZones,
  CreateSubnet: createSubnet,
  DescribeSubnets: describeSubnets,
  ModifySubnetAttribute: modifySubnetAttribute,
  DeleteSubnet: deleteSubnet,
  CreateInternetGateway: createInternetGateway,
  DescribeInternetGateways: describeInternetGateways,
  AttachInternetGateway: attachInternetGateway,
  DetachInternetGateway: detachInternetGateway,
  DeleteInternetGateway: deleteInternetGateway,
  CreateRouteTable: createRouteTable,
  DescribeRouteTables: describeRouteTables,
  CreateRoute: createRoute,
  DeleteRoute: deleteRoute,
  AssociateRouteTable: associateRouteTable,
  DisassociateRouteTable: disassociateRouteTable,
  DeleteRouteTable: deleteRouteTable,
};
