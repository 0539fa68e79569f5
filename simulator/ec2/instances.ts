/** EC2 instances and their network interfaces: launch, describe, terminate. */
import type {
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  DescribeNetworkInterfacesCommandInput,
  DescribeNetworkInterfacesCommandOutput,
  Instance,
  NetworkInterface,
  Reservation,
  RunInstancesCommandInput,
  RunInstancesCommandOutput,
  TerminateInstancesCommandInput,
  TerminateInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import {
  ACCOUNT_ID,
  type Handler,
  type InstanceStateName,
  idList,
  type Out,
  op,
  priorCall,
  publicImage,
  rememberCall,
  type Sim,
  tagList,
} from '../core';
import { fail } from '../errors';
import { watchInstance } from '../events';
import { checkVcpuQuota } from '../quotas';
import { watchCommandsOnTermination } from '../ssm';
import type { InstanceRecord, SubnetRecord, VolumeRecord } from '../state';
import { checkFilterNames, type FilterSpec, matchesFilters } from '../util/filters';
import { allocatePrivateIp, allocatePublicIp, type LiveInterface, liveInterfaces } from './facts';

const USER_DATA_LIMIT = 16384;
const ROOT_DEVICE = '/dev/sda1';
const JOIN_PATTERN = /mesos-cluster-join\s+'zk:\/\/([^'/]+)\/mesos'/;

/** The masters' private IPs named in join user data (`mesos-cluster-join 'zk://ip:2181,.../mesos'`). */
export function joinMasterIps(userData: string | undefined): string[] | undefined {
  const match = userData === undefined ? null : JOIN_PATTERN.exec(userData);
  if (!match?.[1]) return undefined;
  return match[1].split(',').map((hostPort) => hostPort.split(':')[0] ?? hostPort);
}

function dnsName(ip: string, sim: Sim, kind: 'private' | 'public'): string {
  const dashed = ip.replaceAll('.', '-');
  return kind === 'private' ? `ip-${dashed}.${sim.region}.compute.internal` : `ec2-${dashed}.${sim.region}.compute.amazonaws.com`;
}

function stateView(sim: Sim, name: InstanceStateName) {
  return { Code: sim.instanceStateCode(name), Name: name };
}

function instanceView(sim: Sim, inst: InstanceRecord): Instance {
  const state = sim.instanceState(inst);
  const holds = state !== 'terminated';
  const showPublic = inst.publicIp !== undefined && (state === 'running' || state === 'shutting-down');
  const vpc = sim.state.vpcs[inst.vpcId];
  const groups = inst.securityGroupIds.map((id) => ({ GroupId: id, GroupName: sim.state.securityGroups[id]?.name }));
  const stopped = inst.terminateRequestedAt !== undefined && state !== 'pending' && state !== 'running';
  return {
    InstanceId: inst.id,
    ImageId: inst.imageId,
    InstanceType: inst.instanceType as Instance['InstanceType'],
    State: stateView(sim, state),
    AmiLaunchIndex: inst.launchIndex,
    LaunchTime: new Date(inst.createdAt),
    Placement: { AvailabilityZone: inst.availabilityZone, GroupName: '', Tenancy: 'default' },
    PrivateIpAddress: holds ? inst.privateIp : undefined,
    PrivateDnsName: holds ? dnsName(inst.privateIp, sim, 'private') : '',
    PublicIpAddress: showPublic ? inst.publicIp : undefined,
    PublicDnsName: showPublic && vpc?.dnsHostnames && inst.publicIp ? dnsName(inst.publicIp, sim, 'public') : '',
    SubnetId: holds ? inst.subnetId : undefined,
    VpcId: holds ? inst.vpcId : undefined,
    SecurityGroups: holds ? groups : [],
    ClientToken: inst.clientToken ?? '',
    IamInstanceProfile: inst.instanceProfile
      ? { Arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${inst.instanceProfile}`, Id: `AIPA${inst.id.slice(2, 18).toUpperCase()}` }
      : undefined,
    MetadataOptions: inst.metadataOptions,
    BlockDeviceMappings: holds
      ? inst.volumes.map((v) => ({
          DeviceName: v.deviceName,
          Ebs: {
            VolumeId: v.volumeId,
            Status: 'attached',
            AttachTime: new Date(inst.createdAt),
            DeleteOnTermination: v.deleteOnTermination,
          },
        }))
      : [],
    NetworkInterfaces: holds ? [interfaceView(sim, instanceInterface(sim, inst))] : [],
    RootDeviceName: ROOT_DEVICE,
    RootDeviceType: 'ebs',
    Architecture: 'x86_64',
    Hypervisor: 'xen',
    VirtualizationType: 'hvm',
    EnaSupport: true,
    EbsOptimized: false,
    SourceDestCheck: true,
    Monitoring: { State: 'disabled' },
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    StateTransitionReason: stopped ? `User initiated (${new Date(inst.terminateRequestedAt ?? 0).toISOString()})` : '',
    StateReason: stopped
      ? { Code: 'Client.UserInitiatedShutdown', Message: 'Client.UserInitiatedShutdown: User initiated shutdown' }
      : undefined,
    Tags: tagList(inst.tags),
  };
}

function instanceInterface(sim: Sim, inst: InstanceRecord): LiveInterface {
  return {
    id: inst.networkInterfaceId,
    kind: 'instance',
    subnetId: inst.subnetId,
    vpcId: inst.vpcId,
    availabilityZone: inst.availabilityZone,
    privateIp: inst.privateIp,
    publicIp: sim.instanceState(inst) === 'pending' ? undefined : inst.publicIp,
    groupIds: inst.securityGroupIds,
    instanceId: inst.id,
    createdAt: inst.createdAt,
  };
}

function interfaceView(sim: Sim, eni: LiveInterface): NetworkInterface {
  const association = eni.publicIp
    ? {
        PublicIp: eni.publicIp,
        IpOwnerId: eni.allocationId ? ACCOUNT_ID : 'amazon',
        AllocationId: eni.allocationId,
        AssociationId: eni.associationId,
        PublicDnsName: '',
      }
    : undefined;
  const mac = `02:${eni.id.slice(-10).match(/../g)?.join(':') ?? '00:00:00:00:00'}`;
  return {
    NetworkInterfaceId: eni.id,
    SubnetId: eni.subnetId,
    VpcId: eni.vpcId,
    AvailabilityZone: eni.availabilityZone,
    Description: eni.kind === 'nat_gateway' ? `Interface for NAT Gateway ${eni.natGatewayId}` : '',
    Groups: eni.groupIds.map((id) => ({ GroupId: id, GroupName: sim.state.securityGroups[id]?.name })),
    // EC2 reports NAT gateway interfaces as 'nat_gateway' (the SDK enum spells it natGateway).
    InterfaceType: (eni.kind === 'nat_gateway' ? 'nat_gateway' : 'interface') as NetworkInterface['InterfaceType'],
    MacAddress: mac,
    OwnerId: ACCOUNT_ID,
    PrivateIpAddress: eni.privateIp,
    PrivateDnsName: dnsName(eni.privateIp, sim, 'private'),
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: eni.privateIp, Association: association }],
    Association: association,
    RequesterManaged: eni.kind === 'nat_gateway',
    RequesterId: eni.kind === 'nat_gateway' ? 'amazon-nat-gateway' : undefined,
    SourceDestCheck: eni.kind !== 'nat_gateway',
    Status: 'in-use',
    Attachment:
      eni.kind === 'instance'
        ? {
            AttachmentId: `eni-attach-${eni.id.slice(4)}`,
            InstanceId: eni.instanceId,
            InstanceOwnerId: ACCOUNT_ID,
            DeviceIndex: 0,
            Status: 'attached',
            DeleteOnTermination: true,
            AttachTime: new Date(eni.createdAt),
          }
        : { AttachmentId: `ela-attach-${eni.id.slice(4)}`, InstanceOwnerId: 'amazon-aws', DeviceIndex: 1, Status: 'attached' },
    TagSet: [],
  };
}

function reservationsView(sim: Sim, instances: readonly InstanceRecord[]): Reservation[] {
  const byReservation = new Map<string, Reservation>();
  for (const inst of instances) {
    let reservation = byReservation.get(inst.reservationId);
    if (!reservation) {
      reservation = { ReservationId: inst.reservationId, OwnerId: ACCOUNT_ID, Groups: [], Instances: [] };
      byReservation.set(inst.reservationId, reservation);
    }
    reservation.Instances?.push(instanceView(sim, inst));
  }
  return [...byReservation.values()];
}

function instanceFilters(sim: Sim): FilterSpec<InstanceRecord> {
  // A terminated instance has lost its network placement: network filters no longer match it.
  const net = <T>(i: InstanceRecord, values: T[]): T[] => (sim.holdsNetwork(i) ? values : []);
  return {
    'instance-id': (i) => [i.id],
    'instance-state-name': (i) => [sim.instanceState(i)],
    'instance-state-code': (i) => [sim.instanceStateCode(sim.instanceState(i))],
    'vpc-id': (i) => net(i, [i.vpcId]),
    'subnet-id': (i) => net(i, [i.subnetId]),
    'client-token': (i) => [i.clientToken],
    'image-id': (i) => [i.imageId],
    'instance-type': (i) => [i.instanceType],
    'availability-zone': (i) => [i.availabilityZone],
    'private-ip-address': (i) => net(i, [i.privateIp]),
    'ip-address': (i) => [instanceView(sim, i).PublicIpAddress],
    'reservation-id': (i) => [i.reservationId],
    'instance.group-id': (i) => net(i, i.securityGroupIds),
    'instance.group-name': (i) =>
      net(
        i,
        i.securityGroupIds.map((id) => sim.state.securityGroups[id]?.name)
      ),
    'iam-instance-profile.arn': (i) => [instanceView(sim, i).IamInstanceProfile?.Arn],
    'network-interface.subnet-id': (i) => net(i, [i.subnetId]),
    'network-interface.vpc-id': (i) => net(i, [i.vpcId]),
    'launch-index': (i) => [i.launchIndex],
  };
}

interface ImageFacts {
  rootSize: number;
  agentInstalled: boolean;
}

function imageFacts(sim: Sim, imageId: string | undefined): ImageFacts {
  if (imageId === undefined) throw fail('MissingParameter', 'The request must contain the parameter ImageId');
  if (publicImage(imageId)) return { rootSize: 8, agentInstalled: false };
  const image = sim.get('image', imageId);
  if (sim.imageState(image) !== 'available') throw fail('InvalidAMIID.Unavailable', `The image id '[${imageId}]' is not available`);
  return { rootSize: image.mappings[0]?.size ?? 8, agentInstalled: image.agentInstalled };
}

function decodeUserData(encoded: string | undefined): string | undefined {
  if (encoded === undefined) return undefined;
  const compact = encoded.replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw fail('InvalidParameterValue', 'Invalid BASE64 encoding of user data.');
  const decoded = Buffer.from(compact, 'base64');
  if (decoded.length > USER_DATA_LIMIT) throw fail('InvalidParameterValue', `User data is limited to ${USER_DATA_LIMIT} bytes`);
  return decoded.toString('utf8');
}

function profileName(sim: Sim, input: RunInstancesCommandInput): string | undefined {
  const profile = input.IamInstanceProfile;
  if (!profile) return undefined;
  const name = profile.Name ?? profile.Arn?.split('/').pop();
  if (!name || !sim.instanceProfiles.includes(name)) {
    throw fail(
      'InvalidParameterValue',
      `Value (${name ?? profile.Arn}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`
    );
  }
  return name;
}

function launchNetwork(sim: Sim, input: RunInstancesCommandInput): { subnet: SubnetRecord; groupIds: string[]; publicIp: boolean } {
  const nic = input.NetworkInterfaces?.[0];
  if (nic && (input.SubnetId !== undefined || input.SecurityGroupIds?.length)) {
    throw fail(
      'InvalidParameterCombination',
      'Network interfaces and an instance-level subnet/security groups cannot be specified on the same request'
    );
  }
  if (input.SecurityGroups?.length)
    throw fail('InvalidParameterCombination', 'Security group names apply to the default VPC only; pass SecurityGroupIds');
  const subnetId = nic?.SubnetId ?? input.SubnetId;
  if (subnetId === undefined)
    throw fail('VPCIdNotSpecified', 'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.');
  const subnet = sim.get('subnet', subnetId);
  const requested = nic?.Groups ?? input.SecurityGroupIds ?? [];
  for (const id of requested) {
    const sg = sim.get('sg', id);
    if (sg.vpcId !== subnet.vpcId)
      throw fail('InvalidParameter', `Security group ${id} and subnet ${subnet.id} belong to different networks.`);
  }
  const vpc = sim.get('vpc', subnet.vpcId);
  const groupIds = requested.length > 0 ? [...requested] : [vpc.defaultSecurityGroupId];
  return { subnet, groupIds, publicIp: nic?.AssociatePublicIpAddress ?? subnet.mapPublicIpOnLaunch };
}

function volumesOf(sim: Sim, input: RunInstancesCommandInput, rootSize: number, tags: Record<string, string>): VolumeRecord[] {
  const mappings = input.BlockDeviceMappings ?? [];
  const volumes: VolumeRecord[] = [];
  const root = mappings.find((m) => m.DeviceName === ROOT_DEVICE);
  for (const mapping of root ? mappings : [{ DeviceName: ROOT_DEVICE, Ebs: {} }, ...mappings]) {
    if (!mapping.Ebs) continue;
    const size = mapping.Ebs.VolumeSize ?? (mapping.DeviceName === ROOT_DEVICE ? rootSize : 8);
    if (mapping.DeviceName === ROOT_DEVICE && size < rootSize) {
      throw fail('InvalidBlockDeviceMapping', `Volume of size ${size}GB is smaller than snapshot, expect size >= ${rootSize}GB`);
    }
    volumes.push({
      deviceName: mapping.DeviceName ?? ROOT_DEVICE,
      volumeId: sim.id('vol'),
      size,
      volumeType: mapping.Ebs.VolumeType ?? 'gp3',
      encrypted: mapping.Ebs.Encrypted ?? false,
      deleteOnTermination: mapping.Ebs.DeleteOnTermination ?? true,
      tags: { ...tags },
    });
  }
  return volumes;
}

const runInstances = op<RunInstancesCommandInput>((sim, input): Out<RunInstancesCommandOutput> => {
  const prior = priorCall(sim, 'RunInstances', input.ClientToken, input);
  if (prior) {
    const instances = prior.ids.map((id) => sim.state.instances[id]).filter((i): i is InstanceRecord => i !== undefined);
    return { ...(reservationsView(sim, instances)[0] as Reservation) };
  }
  const min = input.MinCount;
  const max = input.MaxCount;
  if (min === undefined || max === undefined)
    throw fail('MissingParameter', 'The request must contain the parameters MinCount and MaxCount');
  if (min < 1 || max < min) throw fail('InvalidParameterValue', `Invalid MinCount/MaxCount: ${min}/${max}`);
  const instanceType = input.InstanceType ?? 'm1.small';
  if (!/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(instanceType)) {
    throw fail('InvalidParameterValue', `Invalid value '${instanceType}' for InstanceType.`);
  }
  const image = imageFacts(sim, input.ImageId);
  const { subnet, groupIds, publicIp } = launchNetwork(sim, input);
  checkVcpuQuota(sim, instanceType, max);
  const profile = profileName(sim, input);
  const userData = decodeUserData(input.UserData);
  const tags = sim.tagsFor(input.TagSpecifications, 'instance', ['instance', 'volume', 'network-interface']);
  const volumeTags = sim.tagsFor(input.TagSpecifications, 'volume', ['instance', 'volume', 'network-interface']);
  const metadataOptions = {
    State: 'applied',
    HttpTokens: input.MetadataOptions?.HttpTokens ?? 'optional',
    HttpPutResponseHopLimit: input.MetadataOptions?.HttpPutResponseHopLimit ?? 1,
    HttpEndpoint: input.MetadataOptions?.HttpEndpoint ?? 'enabled',
    HttpProtocolIpv6: input.MetadataOptions?.HttpProtocolIpv6 ?? 'disabled',
    InstanceMetadataTags: input.MetadataOptions?.InstanceMetadataTags ?? 'disabled',
  };
  const now = sim.now();
  const reservationId = sim.id('r');
  const taken: string[] = [];
  const launched: InstanceRecord[] = [];
  for (let index = 0; index < max; index++) {
    const privateIp = allocatePrivateIp(sim, subnet, taken);
    taken.push(privateIp);
    const runningAt = now + sim.latency(sim.model.instanceRunningMs);
    const bootedAt = runningAt + sim.latency(sim.model.ssmOnlineMs);
    const inst: InstanceRecord = {
      id: sim.id('i'),
      createdAt: now,
      tags: { ...tags },
      reservationId,
      launchIndex: index,
      imageId: input.ImageId as string,
      instanceType,
      subnetId: subnet.id,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      privateIp,
      publicIp: publicIp ? allocatePublicIp(sim, 'instance') : undefined,
      securityGroupIds: groupIds,
      instanceProfile: profile,
      userData,
      metadataOptions,
      volumes: volumesOf(sim, input, image.rootSize, volumeTags),
      networkInterfaceId: sim.id('eni'),
      clientToken: input.ClientToken,
      runningAt,
      bootedAt,
      ssmOnlineAt: profile ? bootedAt : null,
      agentImage: image.agentInstalled,
      joinMasterIps: joinMasterIps(userData),
      agentRegisterMs: sim.latency(sim.model.agentRegisterMs),
    };
    sim.state.instances[inst.id] = inst;
    watchInstance(sim, inst.id);
    launched.push(inst);
  }
  rememberCall(
    sim,
    'RunInstances',
    input.ClientToken,
    input,
    launched.map((i) => i.id)
  );
  const [reservation] = reservationsView(sim, launched);
  return { ...(reservation as Reservation) };
});

const describeInstances = op<DescribeInstancesCommandInput>((sim, input): Out<DescribeInstancesCommandOutput> => {
  const spec = instanceFilters(sim);
  checkFilterNames(input.Filters, spec);
  const ids = idList(input.InstanceIds);
  const candidates = ids ? sim.getAll('instance', ids) : sim.list('instance');
  return {
    Reservations: reservationsView(
      sim,
      candidates.filter((i) => matchesFilters(input.Filters, i, i.tags, spec))
    ),
  };
});

const terminateInstances = op<TerminateInstancesCommandInput>((sim, input): Out<TerminateInstancesCommandOutput> => {
  const ids = idList(input.InstanceIds);
  if (!ids) throw fail('MissingParameter', 'The request must contain the parameter InstanceIds');
  const instances = sim.getAll('instance', ids, false);
  const now = sim.now();
  return {
    TerminatingInstances: instances.map((inst) => {
      const previous = sim.instanceState(inst);
      if (inst.terminateRequestedAt === undefined) {
        inst.terminateRequestedAt = now;
        inst.terminatedAt = now + sim.latency(sim.model.instanceTerminateMs);
        watchInstance(sim, inst.id);
        watchCommandsOnTermination(sim, inst.id);
      }
      return { InstanceId: inst.id, PreviousState: stateView(sim, previous), CurrentState: stateView(sim, sim.instanceState(inst)) };
    }),
  };
});

function interfaceFilters(sim: Sim): FilterSpec<LiveInterface> {
  return {
    'network-interface-id': (e) => [e.id],
    'subnet-id': (e) => [e.subnetId],
    'vpc-id': (e) => [e.vpcId],
    'group-id': (e) => e.groupIds,
    'group-name': (e) => e.groupIds.map((id) => sim.state.securityGroups[id]?.name),
    'attachment.instance-id': (e) => [e.instanceId],
    'availability-zone': (e) => [e.availabilityZone],
    'private-ip-address': (e) => [e.privateIp],
    'addresses.private-ip-address': (e) => [e.privateIp],
    'association.public-ip': (e) => [e.publicIp],
    'association.allocation-id': (e) => [e.allocationId],
    'interface-type': (e) => [e.kind === 'nat_gateway' ? 'nat_gateway' : 'interface'],
    'requester-managed': (e) => [e.kind === 'nat_gateway'],
    status: () => ['in-use'],
    description: (e) => [e.kind === 'nat_gateway' ? `Interface for NAT Gateway ${e.natGatewayId}` : ''],
    'owner-id': () => [ACCOUNT_ID],
  };
}

const describeNetworkInterfaces = op<DescribeNetworkInterfacesCommandInput>((sim, input): Out<DescribeNetworkInterfacesCommandOutput> => {
  const spec = interfaceFilters(sim);
  checkFilterNames(input.Filters, spec);
  const all = liveInterfaces(sim).map((eni) => (eni.kind === 'instance' && eni.instanceId ? interfaceOfInstance(sim, eni) : eni));
  const ids = idList(input.NetworkInterfaceIds);
  if (ids) {
    const missing = ids.filter((id) => !all.some((eni) => eni.id === id));
    if (missing.length > 0) {
      throw fail('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${missing.join(', ')}' does not exist`);
    }
  }
  const selected = all.filter((eni) => (!ids || ids.includes(eni.id)) && matchesFilters(input.Filters, eni, {}, spec));
  return { NetworkInterfaces: selected.map((eni) => interfaceView(sim, eni)) };
});

function interfaceOfInstance(sim: Sim, eni: LiveInterface): LiveInterface {
  const inst = sim.state.instances[eni.instanceId ?? ''];
  return inst ? instanceInterface(sim, inst) : eni;
}

/** The instance operations, by operation name. */
export const instanceHandlers: Record<string, Handler> = {
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  TerminateInstances: terminateInstances,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
};
