/** EC2 Elastic IPs and NAT gateways, with the NAT lifecycle and the address-in-use rules. */
import type {
  Address,
  AllocateAddressCommandInput,
  AllocateAddressCommandOutput,
  CreateNatGatewayCommandInput,
  CreateNatGatewayCommandOutput,
  DeleteNatGatewayCommandInput,
  DeleteNatGatewayCommandOutput,
  DescribeAccountAttributesCommandInput,
  DescribeAccountAttributesCommandOutput,
  DescribeAddressesCommandInput,
  DescribeAddressesCommandOutput,
  DescribeNatGatewaysCommandInput,
  DescribeNatGatewaysCommandOutput,
  DisassociateAddressCommandInput,
  NatGateway,
  ReleaseAddressCommandInput,
} from '@aws-sdk/client-ec2';
import { ACCOUNT_ID, type Handler, idList, type Out, op, priorCall, rememberCall, type Sim, tagList } from '../core';
import { fail } from '../errors';
import { quotasOf } from '../quotas';
import type { AddressRecord, NatGatewayRecord } from '../state';
import { checkFilterNames, type FilterSpec, matchesFilters } from '../util/filters';
import { allocatePrivateIp, allocatePublicIp } from './facts';

/** The NAT gateway that holds an Elastic IP right now, if any. */
export function natHolding(sim: Sim, allocationId: string): NatGatewayRecord | undefined {
  return sim.list('nat').find((nat) => nat.allocationId === allocationId && sim.natHoldsAddress(nat));
}

// ---------------------------------------------------------------- Elastic IPs

function addressView(sim: Sim, address: AddressRecord): Address {
  const nat = natHolding(sim, address.id);
  return {
    AllocationId: address.id,
    PublicIp: address.publicIp,
    Domain: 'vpc',
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: sim.region,
    ...(nat
      ? {
          AssociationId: nat.associationId,
          NetworkInterfaceId: nat.networkInterfaceId,
          NetworkInterfaceOwnerId: ACCOUNT_ID,
          PrivateIpAddress: nat.privateIp,
        }
      : {}),
    Tags: tagList(address.tags),
  };
}

function addressFilters(sim: Sim): FilterSpec<AddressRecord> {
  const view = (a: AddressRecord) => addressView(sim, a);
  return {
    'allocation-id': (a) => [a.id],
    'public-ip': (a) => [a.publicIp],
    domain: () => ['vpc'],
    'association-id': (a) => [view(a).AssociationId],
    'network-interface-id': (a) => [view(a).NetworkInterfaceId],
    'private-ip-address': (a) => [view(a).PrivateIpAddress],
    'network-interface-owner-id': (a) => [view(a).NetworkInterfaceOwnerId],
    'instance-id': () => [],
    'network-border-group': () => [sim.region],
  };
}

const allocateAddress = op<AllocateAddressCommandInput>((sim, input): Out<AllocateAddressCommandOutput> => {
  if (input.Domain !== undefined && input.Domain !== 'vpc') throw fail('InvalidParameterValue', 'Only the vpc domain is supported');
  if (sim.list('address').length >= quotasOf(sim).elasticIps)
    throw fail('AddressLimitExceeded', 'The maximum number of addresses has been reached.');
  const tags = sim.tagsFor(input.TagSpecifications, 'elastic-ip');
  const address: AddressRecord = { id: sim.id('eipalloc'), createdAt: sim.now(), tags, publicIp: allocatePublicIp(sim, 'elastic') };
  sim.state.addresses[address.id] = address;
  return { AllocationId: address.id, PublicIp: address.publicIp, Domain: 'vpc', PublicIpv4Pool: 'amazon', NetworkBorderGroup: sim.region };
});

const describeAddresses = op<DescribeAddressesCommandInput>((sim, input): Out<DescribeAddressesCommandOutput> => {
  const spec = addressFilters(sim);
  checkFilterNames(input.Filters, spec);
  const ids = idList(input.AllocationIds);
  let candidates = ids ? sim.getAll('address', ids) : sim.list('address');
  if (input.PublicIps?.length) {
    const missing = input.PublicIps.filter((ip) => !candidates.some((a) => a.publicIp === ip));
    if (missing.length > 0) throw fail('InvalidAddress.NotFound', `Address '${missing.join(', ')}' not found.`);
    candidates = candidates.filter((a) => input.PublicIps?.includes(a.publicIp));
  }
  return { Addresses: candidates.filter((a) => matchesFilters(input.Filters, a, a.tags, spec)).map((a) => addressView(sim, a)) };
});

/**
 * The account's attributes: its Elastic IP quota (`vpc-max-elastic-ips`), the VPC-only
 * platform and no default VPC. EC2 answers an unknown attribute name with
 * InvalidParameterValue.
 */
const describeAccountAttributes = op<DescribeAccountAttributesCommandInput>((sim, input): Out<DescribeAccountAttributesCommandOutput> => {
  const attributes: Record<string, string> = {
    'vpc-max-elastic-ips': String(quotasOf(sim).elasticIps),
    'max-elastic-ips': '0',
    'supported-platforms': 'VPC',
    'default-vpc': 'none',
  };
  const names = input.AttributeNames?.length ? input.AttributeNames : Object.keys(attributes);
  for (const name of names) {
    if (!(name in attributes)) throw fail('InvalidParameterValue', `Value (${name}) for parameter attributeName is invalid.`);
  }
  return {
    AccountAttributes: names.map((name) => ({
      AttributeName: name,
      AttributeValues: [{ AttributeValue: attributes[name] }],
    })),
  };
});

const releaseAddress = op<ReleaseAddressCommandInput>((sim, input) => {
  if (input.AllocationId === undefined) throw fail('MissingParameter', 'The request must contain the parameter AllocationId');
  const address = sim.get('address', input.AllocationId);
  const nat = natHolding(sim, address.id);
  if (nat) {
    // As on AWS: while the NAT gateway is being deleted the error is a misleading AuthFailure.
    if (sim.natState(nat) === 'deleting') throw fail('AuthFailure', 'You do not have permission to access the specified resource.');
    throw fail('InvalidIPAddress.InUse', `Address ${address.id} is in use.`);
  }
  delete sim.state.addresses[address.id];
  return {};
});

const disassociateAddress = op<DisassociateAddressCommandInput>((sim, input) => {
  const nat = sim.list('nat').find((n) => n.associationId === input.AssociationId && sim.natHoldsAddress(n));
  if (!nat) throw fail('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
  // The address of a NAT gateway belongs to its service-managed interface.
  throw fail('AuthFailure', 'You do not have permission to access the specified resource.');
});

// ---------------------------------------------------------------- NAT gateways

function natView(sim: Sim, nat: NatGatewayRecord): NatGateway {
  const state = sim.natState(nat);
  const holds = sim.natHoldsAddress(nat);
  const addressStatus = state === 'pending' ? 'associating' : state === 'deleting' ? 'disassociating' : holds ? 'succeeded' : 'failed';
  return {
    NatGatewayId: nat.id,
    SubnetId: nat.subnetId,
    VpcId: nat.vpcId,
    State: state,
    ConnectivityType: 'public',
    CreateTime: new Date(nat.createdAt),
    ...(state === 'deleted' && nat.deletedAt !== undefined ? { DeleteTime: new Date(nat.deletedAt) } : {}),
    ...(state === 'failed' ? { FailureCode: nat.failureCode, FailureMessage: nat.failureMessage } : {}),
    NatGatewayAddresses: [
      {
        AllocationId: nat.allocationId,
        ...(state === 'failed' ? {} : { PublicIp: nat.publicIp, PrivateIp: nat.privateIp, NetworkInterfaceId: nat.networkInterfaceId }),
        IsPrimary: true,
        Status: addressStatus,
      },
    ],
    Tags: tagList(nat.tags),
  };
}

function natFilters(sim: Sim): FilterSpec<NatGatewayRecord> {
  return {
    'nat-gateway-id': (n) => [n.id],
    state: (n) => [sim.natState(n)],
    'subnet-id': (n) => [n.subnetId],
    'vpc-id': (n) => [n.vpcId],
  };
}

const createNatGateway = op<CreateNatGatewayCommandInput>((sim, input): Out<CreateNatGatewayCommandOutput> => {
  const prior = priorCall(sim, 'CreateNatGateway', input.ClientToken, input);
  if (prior) {
    const nat = sim.state.natGateways[prior.ids[0] ?? ''];
    if (nat) return { ClientToken: input.ClientToken, NatGateway: natView(sim, nat) };
  }
  if (input.ConnectivityType === 'private') throw fail('Unsupported', 'The simulated cloud supports public NAT gateways only');
  const subnet = sim.get('subnet', input.SubnetId);
  if (input.AllocationId === undefined) throw fail('MissingParameter', 'A public NAT gateway needs an AllocationId');
  const address = sim.get('address', input.AllocationId);
  const inZone = sim
    .list('nat')
    .filter((n) => sim.natState(n) !== 'deleted' && sim.state.subnets[n.subnetId]?.availabilityZone === subnet.availabilityZone);
  if (inZone.length >= quotasOf(sim).natGatewaysPerZone) {
    throw fail('NatGatewayLimitExceeded', 'The maximum number of NAT gateways in this Availability Zone has been reached.');
  }
  const tags = sim.tagsFor(input.TagSpecifications, 'natgateway');
  const now = sim.now();
  const nat: NatGatewayRecord = {
    id: sim.id('nat'),
    createdAt: now,
    tags,
    subnetId: subnet.id,
    vpcId: subnet.vpcId,
    allocationId: address.id,
    publicIp: address.publicIp,
    privateIp: allocatePrivateIp(sim, subnet),
    networkInterfaceId: sim.id('eni'),
    associationId: sim.id('eipassoc'),
    clientToken: input.ClientToken,
  };
  const igwAttached = sim.list('igw').some((g) => g.vpcId === subnet.vpcId);
  const holder = natHolding(sim, address.id);
  if (!igwAttached) {
    nat.failedAt = now + sim.latency(sim.model.natGatewayFailedMs);
    nat.failureCode = 'Gateway.NotAttached';
    nat.failureMessage = `Network ${subnet.vpcId} has no Internet gateway attached`;
  } else if (holder) {
    nat.failedAt = now + sim.latency(sim.model.natGatewayFailedMs);
    nat.failureCode = 'Resource.AlreadyAssociated';
    nat.failureMessage = `Elastic IP address [${address.id}] is already associated`;
  } else {
    nat.availableAt = now + sim.latency(sim.model.natGatewayAvailableMs);
  }
  sim.state.natGateways[nat.id] = nat;
  rememberCall(sim, 'CreateNatGateway', input.ClientToken, input, [nat.id]);
  return { ClientToken: input.ClientToken, NatGateway: natView(sim, nat) };
});

const describeNatGateways = op<DescribeNatGatewaysCommandInput>((sim, input): Out<DescribeNatGatewaysCommandOutput> => {
  const spec = natFilters(sim);
  checkFilterNames(input.Filter, spec);
  const ids = idList(input.NatGatewayIds);
  const candidates = ids ? sim.getAll('nat', ids) : sim.list('nat');
  return { NatGateways: candidates.filter((n) => matchesFilters(input.Filter, n, n.tags, spec)).map((n) => natView(sim, n)) };
});

const deleteNatGateway = op<DeleteNatGatewayCommandInput>((sim, input): Out<DeleteNatGatewayCommandOutput> => {
  const nat = sim.get('nat', input.NatGatewayId);
  const state = sim.natState(nat);
  if (state === 'deleting' || state === 'deleted') return { NatGatewayId: nat.id };
  const now = sim.now();
  if (nat.failedAt !== undefined && nat.failedAt > now) nat.failedAt = undefined;
  nat.deleteRequestedAt = now;
  nat.deletedAt = now + sim.latency(sim.model.natGatewayDeleteMs);
  return { NatGatewayId: nat.id };
});

/** The Elastic IP and NAT gateway operations, by operation name. */
export const natHandlers: Record<string, Handler> = {
  AllocateAddress: allocateAddress,
  DescribeAddresses: describeAddresses,
  DescribeAccountAttributes: describeAccountAttributes,
  ReleaseAddress: releaseAddress,
  DisassociateAddress: disassociateAddress,
  CreateNatGateway: createNatGateway,
  DescribeNatGateways: describeNatGateways,
  DeleteNatGateway: deleteNatGateway,
};
