/**
 * The simulated AWS cloud: answers the EC2, SSM and CloudWatch commands the workflow
 * sends, on a virtual clock (Date.now(), which the caller may fake), with faults,
 * throttling, eventual consistency and a latency model. Deterministic for a given seed
 * and call sequence; the whole state serializes to JSON.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type ClientOverrides, type SimulatedClients, simulatedClients } from './clients';
import { advanceAlarms, cloudwatchHandlers } from './cloudwatch';
import { type Handler, Sim } from './core';
import { dynamodbHandlers } from './dynamodb';
import { imageHandlers } from './ec2/images';
import { instanceHandlers } from './ec2/instances';
import { natHandlers, natHolding } from './ec2/nat';
import { networkHandlers } from './ec2/network';
import { securityGroupHandlers } from './ec2/security-groups';
import { tagHandlers } from './ec2/tags';
import { SimError, serviceError } from './errors';
import { EventBus, type EventDelivery, type EventFaultSpec, type EventPattern, type EventTarget } from './events';
import { checkFault, takeFault } from './faults';
import { loadLatencyModel } from './latency-model';
import { marathonApps, type SimulatedMarathonApp } from './marathon';
import { registeredAgents, runsMaster } from './mesos';
import { type AccountQuotas, offeringHandlers, quotasOf, serviceQuotasHandlers } from './quotas';
import { s3Handlers, tamperPackageObject } from './s3';
import { agentTasksAt, allocationAt, compareIps, setAgentTasks, setLoad } from './scaling';
import { sfnHandlers, type TaskTokenEndpoint } from './sfn';
import { ssmHandlers } from './ssm';
import { type CloudState, emptyState } from './state';
import { consumeTokens } from './throttling';
import type { DocumentBehaviour, FaultSpec, InventoryItem, ServiceName, SimulatorOptions, SimulatorState } from './types';

/** The product's SSM documents and what they do. */
export const DEFAULT_DOCUMENTS: Readonly<Record<string, DocumentBehaviour>> = {
  'MesosCluster-ConfigureMaster': 'configure-master',
  'MesosCluster-ConfigureSlave': 'configure-slave',
  'MesosCluster-CountAgents': 'count-agents',
  'MesosCluster-AgentLoad': 'agent-load',
  'MesosCluster-DrainAgents': 'drain-agents',
  'MesosCluster-MarathonSmokeTest': 'marathon-smoke-test',
};

/** A change of an alarm's state: what EventBridge delivers as `CloudWatch Alarm State Change`. */
export interface AlarmStateChange {
  readonly alarmName: string;
  /** Virtual time of the evaluation (or SetAlarmState) that changed it. */
  readonly at: number;
  readonly previousState: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly reason: string;
}

/** One Mesos agent as the cluster's masters see it now. */
export interface SimulatedAgent {
  readonly instanceId: string;
  readonly ip: string;
  readonly tasks: number;
  /** In maintenance (a drain-agents run named it). */
  readonly draining: boolean;
}

/** The instance profile of the cluster nodes. */
export const DEFAULT_INSTANCE_PROFILES: readonly string[] = ['mesos-cluster-node'];

const HANDLERS: Record<ServiceName, Record<string, Handler>> = {
  ec2: {
    ...networkHandlers,
    ...natHandlers,
    ...securityGroupHandlers,
    ...instanceHandlers,
    ...imageHandlers,
    ...tagHandlers,
    ...offeringHandlers,
  },
  ssm: ssmHandlers,
  cloudwatch: cloudwatchHandlers,
  s3: s3Handlers,
  servicequotas: serviceQuotasHandlers,
  sfn: sfnHandlers,
  dynamodb: dynamodbHandlers,
};

/** The operations the simulated cloud answers, per service. */
export function supportedOperations(): Record<ServiceName, string[]> {
  return {
    ec2: Object.keys(HANDLERS.ec2),
    ssm: Object.keys(HANDLERS.ssm),
    cloudwatch: Object.keys(HANDLERS.cloudwatch),
    s3: Object.keys(HANDLERS.s3),
    servicequotas: Object.keys(HANDLERS.servicequotas),
    sfn: Object.keys(HANDLERS.sfn),
    dynamodb: Object.keys(HANDLERS.dynamodb),
  };
}

/**
 * The operation of an SDK command name: 'CreateVpcCommand' -> 'CreateVpc',
 * 'SendCommandCommand' -> 'SendCommand'; an operation name passes unchanged.
 */
function operationName(name: string, service?: ServiceName): string {
  const services = service ? [service] : (Object.keys(HANDLERS) as ServiceName[]);
  const known = (op: string) => services.some((s) => HANDLERS[s][op] !== undefined);
  if (!name.endsWith('Command') || known(name)) return name;
  return name.slice(0, -'Command'.length);
}

/**
 * A deep copy of an answer without `undefined` members (the SDK's deserializers never
 * produce them), so that callers cannot alias the cloud's state.
 */
function detached(value: unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(detached);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = detached(member);
    return out;
  }
  return value;
}

/** A simulated EC2 + SSM + CloudWatch account in one Region. */
export class SimulatedCloud {
  #sim: Sim;
  /** The account's default event bus: its rules and targets live with this object, not in the saved state. */
  readonly #events = new EventBus();

  constructor(opts: SimulatorOptions = {}) {
    this.#sim = SimulatedCloud.context(emptyState(opts.region ?? 'eu-west-1', opts.seed ?? 1, Date.now()), opts);
    this.#sim.events = this.#events;
  }

  private static context(state: CloudState, opts: SimulatorOptions): Sim {
    return new Sim(
      state,
      opts.latencyModel ?? loadLatencyModel(),
      opts.documents ?? DEFAULT_DOCUMENTS,
      opts.instanceProfiles ?? DEFAULT_INSTANCE_PROFILES
    );
  }

  /** Counts of calls per operation (every attempt counts, faulted and throttled ones included). */
  get calls(): Record<string, number> {
    return this.#sim.state.calls;
  }

  /** The Region of this cloud. */
  get region(): string {
    return this.#sim.state.region;
  }

  /**
   * Answers one SDK command by service and command name ('CreateVpcCommand' or
   * 'CreateVpc'). Throws SDK-shaped service errors.
   */
  async handle(service: ServiceName, commandName: string, input: Record<string, unknown>): Promise<unknown> {
    try {
      return detached(this.dispatch(service, operationName(commandName, service), input ?? {}));
    } catch (err) {
      if (err instanceof SimError) throw serviceError(service, err.code, err.message);
      throw err;
    }
  }

  private dispatch(service: ServiceName, operation: string, input: Record<string, unknown>): unknown {
    const sim = this.#sim;
    const state = sim.state;
    state.calls[operation] = (state.calls[operation] ?? 0) + 1;
    const fault = takeFault(state.faults, operation);
    if (fault) throw new SimError(fault.code, fault.message ?? `${operation} failed with ${fault.code} (injected fault)`);
    const handler = HANDLERS[service]?.[operation];
    if (!handler) throw new SimError('UnsupportedOperation', `The simulated cloud does not support ${service}:${operation}Command`);
    // S3's request rates and an on-demand table's are far above what the steps send: not throttled here.
    if (sim.model.throttling && service !== 's3' && service !== 'dynamodb')
      consumeTokens(state, sim.model, service, operation, input, sim.now());
    return handler(sim, input);
  }

  /** Real SDK clients whose requests this cloud answers. */
  clients(overrides?: ClientOverrides): SimulatedClients {
    return simulatedClients(this, this.region, overrides);
  }

  /**
   * Connects Step Functions' SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat to the
   * task tokens of the runs against this cloud (the local runner's `taskTokens`).
   */
  connectTaskTokens(endpoint: TaskTokenEndpoint | undefined): void {
    this.#sim.taskTokens = endpoint;
  }

  /**
   * An EventBridge rule on the account's default bus: from now on every event of EC2 and
   * Systems Manager that matches `pattern` (`source`, `detail-type`, `detail` fields) is
   * handed to `target`, `eventDeliveryMs` after the change (simulator/events.ts).
   */
  putRule(name: string, pattern: EventPattern, target: EventTarget): void {
    this.#events.putRule(name, pattern, target);
  }

  removeRule(name: string): void {
    this.#events.removeRule(name);
  }

  /** Drops or delays the next `count` deliveries of matching events (no count: every one). */
  injectEventFault(fault: EventFaultSpec): void {
    this.#events.injectFault(fault);
  }

  clearEventFaults(): void {
    this.#events.clearFaults();
  }

  /** Every event delivery so far, per rule: the event, when it was put and delivered, and how it went. */
  eventDeliveries(): readonly EventDelivery[] {
    return this.#events.deliveries();
  }

  /** The next `count` calls of `operation` throw `code`; without a count, every call does. */
  injectFault(fault: FaultSpec): void {
    const operation = fault.operation?.startsWith('Command:') ? fault.operation : operationName(fault.operation ?? '');
    this.#sim.state.faults.push(checkFault(fault, operation));
  }

  /** Raises (or lowers) the account's quotas: VPCs, Elastic IPs, running On-Demand Standard vCPUs, NAT gateways per zone. */
  setQuotas(quotas: Partial<AccountQuotas>): void {
    for (const [key, value] of Object.entries(quotas)) {
      if (value !== undefined && (!Number.isInteger(value) || value < 0))
        throw new Error(`quota ${key} must be a whole number >= 0, got ${value}`);
    }
    this.#sim.state.quotas = { ...(this.#sim.state.quotas ?? {}), ...quotas };
  }

  /** The account's quotas. */
  quotas(): AccountQuotas {
    return quotasOf(this.#sim);
  }

  /** Leaves an instance type out of DescribeInstanceTypeOfferings for a zone (not offered there). */
  withholdInstanceType(zone: string, instanceType: string): void {
    this.#sim.state.withheldOfferings = [...(this.#sim.state.withheldOfferings ?? []), `${zone}/${instanceType}`];
  }

  clearFaults(): void {
    this.#sim.state.faults.splice(0);
  }

  /** The faults still pending (with their remaining counts). */
  faults(): FaultSpec[] {
    return structuredClone(this.#sim.state.faults);
  }

  /**
   * Every live simulated resource. Leaves out terminated instances, deleted NAT
   * gateways, deregistered images, default security groups, main route tables and the
   * public Ubuntu images (and their public SSM parameters).
   */
  inventory(): InventoryItem[] {
    const sim = this.#sim;
    const items: InventoryItem[] = [];
    const add = (id: string, type: InventoryItem['type'], state: string, tags: Record<string, string>) =>
      items.push({ id, type, state, tags: { ...tags } });
    const now = sim.now();
    for (const vpc of sim.list('vpc')) add(vpc.id, 'vpc', now >= vpc.availableAt ? 'available' : 'pending', vpc.tags);
    for (const s of sim.list('subnet')) add(s.id, 'subnet', now >= s.availableAt ? 'available' : 'pending', s.tags);
    for (const g of sim.list('igw')) add(g.id, 'internet-gateway', g.vpcId ? 'attached' : 'detached', g.tags);
    for (const rt of sim.list('routeTable')) {
      if (!rt.main) add(rt.id, 'route-table', rt.associations.length > 0 ? 'associated' : 'unassociated', rt.tags);
    }
    for (const a of sim.list('address')) add(a.id, 'elastic-ip', natHolding(sim, a.id) ? 'associated' : 'unassociated', a.tags);
    for (const nat of sim.list('nat')) {
      const state = sim.natState(nat);
      if (state !== 'deleted') add(nat.id, 'nat-gateway', state, nat.tags);
    }
    for (const sg of sim.list('sg')) if (!sg.isDefault) add(sg.id, 'security-group', 'active', sg.tags);
    for (const inst of sim.list('instance')) {
      const state = sim.instanceState(inst);
      if (state !== 'terminated') add(inst.id, 'instance', state, inst.tags);
    }
    for (const image of sim.list('image')) add(image.id, 'image', sim.imageState(image), image.tags);
    for (const snap of sim.list('snapshot')) add(snap.id, 'snapshot', sim.snapshotState(snap), snap.tags);
    advanceAlarms(sim);
    for (const alarm of Object.values(sim.state.alarms)) add(alarm.name, 'alarm', alarm.state, alarm.tags);
    for (const parameter of Object.values(sim.state.parameters ?? {})) add(parameter.name, 'parameter', 'active', parameter.tags);
    return items;
  }

  /**
   * The Mesos agents (instance ids) registered now with the cluster of the master at
   * `masterIp`, optionally only in `vpcId` (clusters in different VPCs may share IPs).
   */
  mesosAgents(masterIp: string, vpcId?: string): string[] {
    const sim = this.#sim;
    const now = sim.now();
    const masters = sim
      .list('instance')
      .filter((inst) => inst.privateIp === masterIp && (vpcId === undefined || inst.vpcId === vpcId) && runsMaster(inst, now));
    const ids = new Set<string>();
    for (const master of masters) for (const agent of registeredAgents(sim, master, now)) ids.add(agent.id);
    return [...ids];
  }

  /**
   * Sets the load on a cluster from now on: the allocation percent (0..100) its leading
   * master publishes every minute as MesosCluster/AllocationPercent. With
   * `relativeToSlaves: n`, the percent holds at n registered agents and falls in
   * proportion as agents are added (capped at 100): a fixed demand. A cluster whose load
   * was never set reports the model's `defaultAllocationPercent`.
   */
  setLoad(clusterId: string, percent: number, opts: { relativeToSlaves?: number } = {}): void {
    setLoad(this.#sim, clusterId, percent, opts.relativeToSlaves);
  }

  /** The allocation percent the cluster's leading master reports now (undefined while no master runs). */
  allocationPercent(clusterId: string): number | undefined {
    return allocationAt(this.#sim, clusterId, this.#sim.now());
  }

  /** Sets the number of tasks on an agent from now on (instead of one per 10 % allocation). */
  setAgentTasks(instanceId: string, tasks: number): void {
    setAgentTasks(this.#sim, instanceId, tasks);
  }

  /**
   * The agents registered now with the cluster of the master at `masterIp` (optionally in
   * `vpcId`), with their tasks, by IP: what the agent-load document prints.
   */
  agentLoad(masterIp: string, vpcId?: string): SimulatedAgent[] {
    const sim = this.#sim;
    const now = sim.now();
    const agents = new Map<string, SimulatedAgent>();
    for (const id of this.mesosAgents(masterIp, vpcId)) {
      const agent = sim.state.instances[id];
      if (!agent) continue;
      const draining = agent.drainAt !== undefined && agent.drainAt <= now;
      agents.set(id, { instanceId: id, ip: agent.privateIp, tasks: agentTasksAt(sim, agent, now), draining });
    }
    return [...agents.values()].sort((a, b) => compareIps(a.ip, b.ip));
  }

  /**
   * The alarm state changes after `since` (exclusive) up to now, oldest first, after
   * evaluating every alarm up to now: what an EventBridge rule on `CloudWatch Alarm State
   * Change` would have delivered. `state` keeps only changes into that state.
   */
  alarmTransitions(since: number, state?: AlarmStateChange['state']): AlarmStateChange[] {
    const sim = this.#sim;
    advanceAlarms(sim);
    const changes: AlarmStateChange[] = [];
    for (const alarm of Object.values(sim.state.alarms)) {
      for (const h of alarm.history ?? []) {
        if (h.at <= since || (state !== undefined && h.to !== state)) continue;
        changes.push({ alarmName: alarm.name, at: h.at, previousState: h.from, state: h.to, reason: h.reason });
      }
    }
    return changes.sort((a, b) => a.at - b.at || (a.alarmName < b.alarmName ? -1 : 1));
  }

  /**
   * From now on, the task of every Marathon smoke test app fails with `message` and never
   * runs (undefined: they run again).
   */
  failMarathonTasks(message: string | undefined): void {
    if (message === undefined) delete this.#sim.state.marathonTaskFailure;
    else this.#sim.state.marathonTaskFailure = message;
  }

  /**
   * The Marathon smoke test apps (the last one of each cluster, by VPC) now: when each was
   * deployed, first reported running and removed, and whether Marathon still has it.
   */
  marathonApps(): SimulatedMarathonApp[] {
    return marathonApps(this.#sim, this.#sim.now());
  }

  /** Replaces a package mirror object's content behind the mirror command's back: a tampered package. */
  tamperPackage(key: string, content: string | Uint8Array): void {
    tamperPackageObject(this.#sim, key, content);
  }

  /** The serializable state, stamped with the virtual time of the call. */
  toJSON(): SimulatorState {
    return { ...structuredClone(this.#sim.state), now: Date.now() } as unknown as SimulatorState;
  }

  /** Restores a cloud from `toJSON()` output. The caller continues the clock from `state.now`. */
  static fromJSON(state: SimulatorState, opts: SimulatorOptions = {}): SimulatedCloud {
    if (state?.version !== 1) throw new Error(`unsupported simulator state version ${String(state?.version)}`);
    const cloud = new SimulatedCloud(opts);
    const restored = structuredClone(state) as unknown as CloudState;
    const fresh = emptyState(restored.region, restored.seed, restored.now);
    cloud.#sim = SimulatedCloud.context({ ...fresh, ...restored }, opts);
    cloud.#sim.events = cloud.#events;
    return cloud;
  }

  /** Loads a cloud saved with `save`; a missing file gives a fresh cloud. */
  static load(file: string, opts: SimulatorOptions = {}): SimulatedCloud {
    if (!existsSync(file)) return new SimulatedCloud(opts);
    return SimulatedCloud.fromJSON(JSON.parse(readFileSync(file, 'utf8')) as SimulatorState, opts);
  }

  /** The virtual time at which a saved cloud was written (undefined when there is no file). */
  static savedNow(file: string): number | undefined {
    if (!existsSync(file)) return undefined;
    const now = (JSON.parse(readFileSync(file, 'utf8')) as { now?: unknown }).now;
    return typeof now === 'number' ? now : undefined;
  }

  /** Writes the state to `file` (creating directories; atomic replace). */
  save(file: string): void {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.toJSON())}\n`);
    renameSync(temporary, file);
  }
}
