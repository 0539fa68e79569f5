/**
 * The declared dependency graphs of the benchmark scenarios: which cloud operations a
 * create, a scale-out and a teardown need, how long each takes (latency-model fields, so
 * the bound and the simulated run use the same numbers), and which operation truly has to
 * wait for which, with the reason. bench/README.md prints these tables
 * (`npx tsx bench/run.ts --graphs`).
 *
 * A dependency is "true" when AWS (as the simulator models it, simulator/README.md) refuses
 * or breaks the later call without it, or the product needs it (the cluster is ready only
 * when its agents are registered). Workflow choices are not dependencies: nothing here
 * says that a check runs after a Wait, or that one branch joins another.
 */
import type { DependencyGraph, Dependency as Edge, LatencyTerm, Operation } from './critical-path';

const WINDOW: readonly LatencyTerm[] = ['consistencyWindowMs'];

const REASON = {
  byId: 'the call names the new id, which EC2 answers with NotFound until the consistency window has passed',
  vpc: 'the call names the VPC',
  subnetIpMapping:
    'nodes in the public subnet need a public IP (SSM over the internet gateway, Mesos UI, Marathon): the subnet must map public IPs at launch',
  groups: 'RunInstances names the security groups',
  publicPath: 'the SSM agent reaches the service only through a route to an attached internet gateway',
  online: 'SendCommand refuses an instance whose SSM agent is not Online (InvalidInstanceId)',
} as const;

/** Operations of the network: VPC, subnets, gateways, routes, NAT, security groups. */
function network(): Operation[] {
  return [
    { id: 'vpc', what: 'CreateVpc', latency: [], after: [] },
    { id: 'subnets', what: 'CreateSubnet (public and private)', latency: [], after: [{ on: 'vpc', why: REASON.vpc }] },
    {
      id: 'public-ip-mapping',
      what: 'ModifySubnetAttribute MapPublicIpOnLaunch',
      latency: [],
      after: [{ on: 'subnets', lag: WINDOW, why: REASON.byId }],
    },
    {
      id: 'security-groups',
      what: 'CreateSecurityGroup + AuthorizeSecurityGroupIngress',
      latency: [],
      after: [{ on: 'vpc', why: REASON.vpc }],
    },
    { id: 'internet-gateway', what: 'CreateInternetGateway', latency: [], after: [] },
    {
      id: 'igw-attached',
      what: 'AttachInternetGateway',
      latency: [],
      after: [
        { on: 'internet-gateway', lag: WINDOW, why: REASON.byId },
        { on: 'vpc', lag: WINDOW, why: REASON.byId },
      ],
    },
    { id: 'public-route-table', what: 'CreateRouteTable (public)', latency: [], after: [{ on: 'vpc', why: REASON.vpc }] },
    {
      id: 'public-route',
      what: 'CreateRoute 0.0.0.0/0 → internet gateway, AssociateRouteTable',
      latency: [],
      after: [
        { on: 'public-route-table', lag: WINDOW, why: REASON.byId },
        { on: 'subnets', lag: WINDOW, why: 'AssociateRouteTable names the new subnet' },
        { on: 'igw-attached', why: 'a route to an internet gateway needs the gateway attached to the VPC' },
      ],
    },
    { id: 'elastic-ip', what: 'AllocateAddress', latency: [], after: [] },
    {
      id: 'nat-gateway',
      what: 'CreateNatGateway',
      latency: [],
      after: [
        { on: 'subnets', why: 'the NAT gateway lives in the public subnet' },
        { on: 'elastic-ip', why: 'a public NAT gateway needs an Elastic IP' },
        { on: 'igw-attached', why: 'created before the internet gateway is attached, the NAT gateway fails (Gateway.NotAttached)' },
      ],
    },
    {
      id: 'nat-available',
      what: 'NAT gateway pending → available',
      latency: ['natGatewayAvailableMs'],
      after: [{ on: 'nat-gateway', why: 'the gateway becomes available after its creation' }],
    },
    { id: 'private-route-table', what: 'CreateRouteTable (private)', latency: [], after: [{ on: 'vpc', why: REASON.vpc }] },
    {
      id: 'private-route',
      what: 'CreateRoute 0.0.0.0/0 → NAT gateway, AssociateRouteTable',
      latency: [],
      after: [
        { on: 'private-route-table', lag: WINDOW, why: REASON.byId },
        { on: 'subnets', lag: WINDOW, why: 'AssociateRouteTable names the new subnet' },
        { on: 'nat-gateway', lag: WINDOW, why: 'CreateRoute names the new NAT gateway' },
      ],
    },
    {
      id: 'private-internet-path',
      what: 'the private subnet reaches the internet',
      latency: [],
      after: [
        { on: 'private-route', why: 'traffic needs the default route' },
        { on: 'nat-available', why: 'a pending NAT gateway forwards nothing' },
      ],
    },
  ];
}

/** Launch → running → booted → Online for an instance group in the public subnet. */
function publicNodes(prefix: 'master' | 'template', group: 'master' | 'template', launchWhat: string): Operation[] {
  return [
    {
      id: `${prefix}.launch`,
      what: launchWhat,
      latency: [],
      after: [
        { on: 'public-ip-mapping', why: REASON.subnetIpMapping },
        { on: 'security-groups', why: REASON.groups },
      ],
    },
    {
      id: `${prefix}.running`,
      what: 'instance pending → running',
      latency: ['instanceRunningMs'],
      each: group,
      after: [{ on: `${prefix}.launch`, why: 'the instance starts with RunInstances' }],
    },
    {
      id: `${prefix}.booted`,
      what: 'OS boot until the SSM agent registers',
      latency: ['ssmOnlineMs'],
      each: group,
      after: [{ on: `${prefix}.running`, why: 'the OS boots once the instance runs' }],
    },
    {
      id: `${prefix}.online`,
      what: 'SSM PingStatus Online',
      latency: [],
      each: group,
      after: [
        { on: `${prefix}.booted`, why: 'the agent starts with the OS' },
        { on: 'public-route', why: REASON.publicPath },
      ],
    },
  ];
}

/** Masters: launch, boot, configure (ZooKeeper, Mesos master, Marathon). */
function masters(): Operation[] {
  return [
    ...publicNodes('master', 'master', 'RunInstances (masters, one call)'),
    {
      id: 'master.configured',
      what: 'SendCommand configure-master → Success',
      latency: ['ssmDeliveryMs', 'commandDurationsMs.configure-master'],
      each: 'master',
      after: [{ on: 'master.online', why: REASON.online }],
    },
    {
      id: 'mesos-master-running',
      what: 'the first Mesos master runs',
      latency: [],
      join: 'any',
      after: [{ on: 'master.configured', why: 'a master runs once its install has ended; agents register with the first one' }],
    },
    {
      id: 'masters-configured',
      what: 'every master configured',
      latency: [],
      after: [{ on: 'master.configured', why: 'the cluster is complete only with every master of the ensemble' }],
    },
  ];
}

/** Template slave and image bake. */
function bake(): Operation[] {
  return [
    ...publicNodes('template', 'template', 'RunInstances (template slave)'),
    {
      id: 'template.configured',
      what: 'SendCommand configure-slave → Success',
      latency: ['ssmDeliveryMs', 'commandDurationsMs.configure-slave'],
      each: 'template',
      after: [{ on: 'template.online', why: REASON.online }],
    },
    {
      id: 'image',
      what: 'CreateImage',
      latency: [],
      after: [{ on: 'template.configured', why: 'the image carries the Mesos agent only if taken after the install ended' }],
    },
    {
      id: 'image-available',
      what: 'image pending → available',
      latency: ['imageAvailableMs'],
      after: [{ on: 'image', why: 'the snapshot of the root volume completes after CreateImage' }],
    },
  ];
}

/** Slaves from the image: launch, boot, register with a master, counted on a master. */
function slaves(launchAfter: readonly Edge[]): Operation[] {
  return [
    { id: 'slaves.launch', what: 'RunInstances (all slaves, one call)', latency: [], after: launchAfter },
    {
      id: 'slave.running',
      what: 'instance pending → running',
      latency: ['instanceRunningMs'],
      each: 'slave',
      after: [{ on: 'slaves.launch', why: 'the instance starts with RunInstances' }],
    },
    {
      id: 'slave.booted',
      what: 'OS boot',
      latency: ['ssmOnlineMs'],
      each: 'slave',
      after: [{ on: 'slave.running', why: 'the OS boots once the instance runs' }],
    },
    {
      id: 'slave.registered',
      what: 'Mesos agent registers',
      latency: ['agentRegisterMs'],
      each: 'slave',
      after: [
        { on: 'slave.booted', why: 'the agent starts with the OS' },
        { on: 'mesos-master-running', why: 'the agent registers with a running master' },
      ],
    },
    {
      id: 'agents-counted',
      what: 'count-agents on a master sees every agent',
      latency: [],
      after: [
        {
          on: 'slave.registered',
          why: 'the count reads the registrations at its end, so a count sent early enough ends right at the last registration',
        },
      ],
    },
  ];
}

/**
 * The Marathon smoke test: one app deployed through a master, its task run on an agent,
 * seen running by a status query, then removed. Each action is a command on the master.
 * Only with slaves: without an agent nothing can run the app, and the create skips it.
 */
function smokeTest(): Operation[] {
  const command: readonly LatencyTerm[] = ['ssmDeliveryMs', 'commandDurationsMs.marathon-smoke-test'];
  const ops: Operation[] = [
    {
      id: 'smoke-app-deployed',
      what: 'SendCommand marathon-smoke-test deploy → Success',
      latency: command,
      after: [{ on: 'mesos-master-running', why: 'Marathon accepts the app only once it runs on a configured master' }],
    },
    {
      id: 'smoke-agent',
      what: 'a first agent offers resources',
      latency: [],
      join: 'any',
      after: [{ on: 'slave.registered', why: 'Marathon places the task on whichever agent registers first' }],
    },
    {
      id: 'smoke-app-running',
      what: "the app's task pulls its image and runs on an agent",
      latency: ['marathonAppRunningMs'],
      after: [
        { on: 'smoke-app-deployed', why: 'Marathon launches the task once the app is deployed' },
        { on: 'smoke-agent', why: 'the task starts only on a registered agent' },
      ],
    },
    {
      id: 'smoke-app-seen',
      what: 'SendCommand marathon-smoke-test status → running',
      latency: command,
      after: [{ on: 'smoke-app-running', why: 'the status reports the task running only once it runs' }],
    },
    {
      id: 'smoke-app-removed',
      what: 'SendCommand marathon-smoke-test remove → Success',
      latency: command,
      after: [{ on: 'smoke-app-seen', why: 'ready means the cluster has run work: the app is removed once it has been seen running' }],
    },
  ];
  return ops.map((op) => ({ ...op, when: 'slave' }));
}

/** The private subnet's path and the masters' IPs a slave launch needs. */
function slaveLaunchNeeds(image: Edge): Edge[] {
  return [
    image,
    { on: 'master.launch', why: "the join user data names the masters' private IPs, known once they are launched" },
    { on: 'security-groups', why: REASON.groups },
    {
      on: 'private-internet-path',
      why: 'slaves boot in the private subnet: the NAT route must work before they boot (research (b), create-side ordering 2)',
    },
  ];
}

const READY: Operation = {
  id: 'ready',
  what: 'Mark Cluster Ready (CREATE_COMPLETE)',
  latency: [],
  after: [
    { on: 'agents-counted', why: 'ready means every requested agent is registered' },
    { on: 'smoke-app-removed', why: 'ready means the cluster has run a Marathon app, and the app is gone' },
    { on: 'masters-configured', why: 'ready means every master is configured' },
    { on: 'private-internet-path', why: 'ready means the private subnet reaches the internet' },
  ],
};

/** Create with a fresh image bake. Groups: master, template (1), slave. */
export const CREATE_FRESH_BAKE: DependencyGraph = {
  name: 'create (fresh bake)',
  description: 'A new cluster whose slave image is baked from a template slave.',
  operations: [
    ...network(),
    ...masters(),
    ...bake(),
    ...slaves(slaveLaunchNeeds({ on: 'image-available', why: 'RunInstances refuses a pending image (InvalidAMIID.Unavailable)' })),
    ...smokeTest(),
    READY,
  ],
  end: 'ready',
};

/** Create that reuses an available slave image. Groups: master, slave. */
export const CREATE_REUSED_IMAGE: DependencyGraph = {
  name: 'create (reused image)',
  description: 'A new cluster that launches its slaves from an available image of the same recipe.',
  operations: [
    ...network(),
    ...masters(),
    { id: 'image-found', what: 'DescribeImages finds the cached image', latency: [], after: [] },
    ...slaves(slaveLaunchNeeds({ on: 'image-found', why: 'the slaves launch from the cached image' })),
    ...smokeTest(),
    READY,
  ],
  end: 'ready',
};

/** Scale-out of a running cluster by N slaves. Groups: slave. */
export const SCALE_OUT: DependencyGraph = {
  name: 'scale-out',
  description: 'N more slaves for a running cluster, from its image, registered with its masters.',
  operations: [
    { id: 'plan', what: 'read the cluster (image, subnet, groups, masters) by tag', latency: [], after: [] },
    { id: 'mesos-master-running', what: "the cluster's Mesos masters run already", latency: [], after: [] },
    ...slaves([{ on: 'plan', why: 'the launch needs the image, subnet, groups and master IPs of the cluster' }]),
    {
      id: 'scaled',
      what: 'scale recorded',
      latency: [],
      after: [{ on: 'agents-counted', why: 'a scale-out is done when the new agents are registered' }],
    },
  ],
  end: 'scaled',
};

/** Teardown of a cluster. Groups: node (every live instance). */
export const TEARDOWN: DependencyGraph = {
  name: 'teardown',
  description: 'Deletes every resource of a cluster in dependency order (research (b)).',
  operations: [
    { id: 'alarms', what: 'DeleteAlarms (scaling alarms)', latency: [], after: [] },
    {
      id: 'terminate',
      what: 'TerminateInstances (every node, one call)',
      latency: [],
      after: [{ on: 'alarms', why: 'no scale-out may launch slaves into a VPC being deleted' }],
    },
    {
      id: 'node.terminated',
      what: 'instance shutting-down → terminated',
      latency: ['instanceTerminateMs'],
      each: 'node',
      after: [{ on: 'terminate', why: 'termination starts with TerminateInstances' }],
    },
    { id: 'nat-delete', what: 'DeleteNatGateway', latency: [], after: [] },
    {
      id: 'nat-deleted',
      what: 'NAT gateway deleting → deleted',
      latency: ['natGatewayDeleteMs'],
      after: [{ on: 'nat-delete', why: 'deletion starts with DeleteNatGateway' }],
    },
    { id: 'images', what: 'DeregisterImage, DeleteSnapshot', latency: [], after: [] },
    {
      id: 'addresses',
      what: 'ReleaseAddress',
      latency: [],
      after: [{ on: 'nat-deleted', why: 'an address held by a NAT gateway that is not deleted is InUse (or AuthFailure)' }],
    },
    { id: 'route-tables', what: 'DisassociateRouteTable, DeleteRouteTable', latency: [], after: [] },
    {
      id: 'internet-gateway',
      what: 'DetachInternetGateway, DeleteInternetGateway',
      latency: [],
      after: [
        { on: 'node.terminated', why: 'detach fails while public-IP instances are not terminated (mapped public addresses)' },
        { on: 'nat-deleted', why: "the NAT gateway's Elastic IP is a mapped public address until it is deleted" },
      ],
    },
    {
      id: 'security-groups',
      what: 'DeleteSecurityGroup',
      latency: [],
      after: [{ on: 'node.terminated', why: 'a group in use by a non-terminated instance cannot be deleted' }],
    },
    {
      id: 'subnets',
      what: 'DeleteSubnet',
      latency: [],
      after: [
        { on: 'node.terminated', why: 'instance network interfaces live until terminated' },
        { on: 'nat-deleted', why: "the NAT gateway's network interface lives until it is deleted" },
      ],
    },
    {
      id: 'vpc',
      what: 'DeleteVpc',
      latency: [],
      after: [
        { on: 'subnets', why: 'DependencyViolation while subnets remain' },
        { on: 'internet-gateway', why: 'DependencyViolation while a gateway is attached' },
        { on: 'security-groups', why: 'DependencyViolation while non-default groups remain' },
        { on: 'route-tables', why: 'DependencyViolation while non-main route tables remain' },
      ],
    },
    {
      id: 'deleted',
      what: 'nothing tagged is left',
      latency: [],
      after: [
        { on: 'vpc', why: 'the VPC goes last' },
        { on: 'addresses', why: 'the address is a tagged resource' },
        { on: 'images', why: 'the image and its snapshots are tagged resources' },
      ],
    },
  ],
  end: 'deleted',
};

/** Every declared graph, for the documentation. */
export const DEPENDENCY_GRAPHS: readonly DependencyGraph[] = [CREATE_FRESH_BAKE, CREATE_REUSED_IMAGE, SCALE_OUT, TEARDOWN];

/** A graph as a Markdown table: operation, what, latency, dependencies with their reasons. */
export function graphMarkdown(graph: DependencyGraph): string {
  const lines = [
    `#### ${graph.name}`,
    '',
    graph.description,
    '',
    '| operation | what | latency | after (reason) |',
    '| --- | --- | --- | --- |',
  ];
  for (const op of graph.operations) {
    const name = op.each ? `${op.id} (each ${op.each})` : op.when ? `${op.id} (with a ${op.when})` : op.id;
    const latency = op.latency.length > 0 ? op.latency.map((t) => `\`${t}\``).join(' + ') : '0';
    const deps =
      op.after.length === 0
        ? '–'
        : op.after
            .map((d) => `\`${d.on}\`${d.lag ? ` + \`${d.lag.join(' + ')}\`` : ''}: ${d.why}`)
            .join('<br>')
            .concat(op.join === 'any' ? '<br>(the first of them)' : '');
    lines.push(`| ${name} | ${op.what} | ${latency} | ${deps} |`);
  }
  return lines.join('\n');
}
