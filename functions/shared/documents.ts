/**
 * SSM Command documents that configure the nodes. The stack creates them from the
 * scripts in bootstrap/ and passes their names in these variables; the defaults are the
 * names the simulated cloud knows.
 */
export const DOCUMENTS = {
  configureMaster: process.env.DOCUMENT_CONFIGURE_MASTER ?? 'MesosCluster-ConfigureMaster',
  configureSlave: process.env.DOCUMENT_CONFIGURE_SLAVE ?? 'MesosCluster-ConfigureSlave',
  countAgents: process.env.DOCUMENT_COUNT_AGENTS ?? 'MesosCluster-CountAgents',
  /** Prints `<agent-ip> <tasks>` for every agent registered with the leading master. */
  agentLoad: process.env.DOCUMENT_AGENT_LOAD ?? 'MesosCluster-AgentLoad',
  /** Puts the agents of parameter AgentIps into Mesos maintenance and drains them. */
  drainAgents: process.env.DOCUMENT_DRAIN_AGENTS ?? 'MesosCluster-DrainAgents',
} as const;

/**
 * The CloudWatch metrics that the leading master publishes every minute
 * (bootstrap/publish-metrics.sh), and that the scaling alarms watch.
 */
export const CLUSTER_METRICS = {
  namespace: 'MesosCluster',
  /** The one dimension: the cluster id. */
  dimension: 'ClusterId',
  /** max(CPU, memory) allocation of the cluster's agents, in percent: what the alarms watch. */
  allocation: 'AllocationPercent',
  cpuAllocation: 'CpuAllocationPercent',
  memAllocation: 'MemAllocationPercent',
  /** Active agents (master/slaves_active). */
  activeAgents: 'ActiveAgents',
} as const;

/** The instance profile of the cluster nodes (SSM managed instance core). */
export const NODE_INSTANCE_PROFILE = process.env.NODE_INSTANCE_PROFILE ?? 'mesos-cluster-node';

/** Canonical's public SSM parameter for the Ubuntu base image of a release. */
export function ubuntuImageParameter(release: string): string {
  return `/aws/service/canonical/ubuntu/server/${release}/stable/current/amd64/hvm/ebs-gp3/ami-id`;
}
