/**
 * The SSM Command documents that configure the nodes. The stack creates them from the
 * scripts in bootstrap/; the steps get their names with their configuration (StepConfig in
 * env.ts): configureMaster, configureSlave, countAgents; agentLoad prints `<agent-ip> <tasks>`
 * for every agent registered with the leading master; drainAgents puts the agents of
 * parameter AgentIps into Mesos maintenance and drains them; marathonSmokeTest deploys,
 * reports or removes the Marathon smoke test app (parameter SmokeTestAction).
 */
export type DocumentKey = 'configureMaster' | 'configureSlave' | 'countAgents' | 'agentLoad' | 'drainAgents' | 'marathonSmokeTest';

/** Every document, in a fixed order. */
export const DOCUMENT_KEYS: readonly DocumentKey[] = [
  'configureMaster',
  'configureSlave',
  'countAgents',
  'agentLoad',
  'drainAgents',
  'marathonSmokeTest',
];

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

/** Canonical's public SSM parameter for the Ubuntu base image of a release. */
export function ubuntuImageParameter(release: string): string {
  return `/aws/service/canonical/ubuntu/server/${release}/stable/current/amd64/hvm/ebs-gp3/ami-id`;
}
