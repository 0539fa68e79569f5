/**
 * Marathon, as far as the create workflow's smoke test sees it: the app that the
 * marathon-smoke-test document deploys, reports and removes on a cluster (by VPC). A
 * deployed app's task runs `marathonAppRunningMs` after the deploy or after the first agent
 * registers, whichever comes later; with an injected task failure (`failMarathonTasks`) it never runs and
 * Marathon reports the failure, as a task that cannot start (an image that cannot be pulled,
 * an agent that cannot launch containers) would. An app lives as long as its cluster runs a
 * master: a terminated cluster takes its Marathon, and its apps, with it.
 */
import type { Sim } from './core';
import { agentRegisteredAt, registeredAgents, runsMaster } from './mesos';
import type { InstanceRecord } from './state';

/** The smoke test app of one cluster (its VPC). */
export interface MarathonAppRecord {
  deployedAt: number;
  /** When a status query first reported its task running. */
  reportedRunningAt?: number;
  removedAt?: number;
}

/** A smoke test app as SimulatedCloud.marathonApps shows it. */
export interface SimulatedMarathonApp {
  readonly vpcId: string;
  readonly deployedAt: number;
  readonly reportedRunningAt?: number;
  readonly removedAt?: number;
  /** Deployed, not removed, and a master of its cluster still runs: Marathon still has the app. */
  readonly live: boolean;
}

function apps(sim: Sim): Record<string, MarathonAppRecord> {
  sim.state.marathonApps ??= {};
  return sim.state.marathonApps;
}

/** Applies an action of the marathon-smoke-test document, run on `master`, at time `t`. */
export function applySmokeTestAction(sim: Sim, master: InstanceRecord, action: string | undefined, t: number): void {
  const all = apps(sim);
  const app = all[master.vpcId];
  if (action === 'deploy' && (!app || app.removedAt !== undefined)) all[master.vpcId] = { deployedAt: t };
  if (action === 'remove' && app && app.removedAt === undefined) app.removedAt = t;
}

/** What the status action prints at time `t` (bootstrap/marathon-smoke-test.sh status_app). */
export function smokeTestStatusOutput(sim: Sim, master: InstanceRecord, t: number): string {
  const app = apps(sim)[master.vpcId];
  if (!app || app.deployedAt > t || (app.removedAt !== undefined && app.removedAt <= t)) return 'absent\n';
  const failure = sim.state.marathonTaskFailure;
  if (failure !== undefined) return `deploying 0 0\nlast failure: ${failure}\n`;
  // The task starts once the app is deployed and an agent has registered, and runs
  // marathonAppRunningMs later (its image pulled and its container started).
  const firstAgent = Math.min(...registeredAgents(sim, master, t).map((a) => agentRegisteredAt(sim, a) ?? t));
  if (Number.isFinite(firstAgent) && t >= Math.max(app.deployedAt, firstAgent) + sim.model.marathonAppRunningMs) {
    app.reportedRunningAt = Math.min(app.reportedRunningAt ?? t, t);
    return 'running 1\n';
  }
  return 'deploying 1 0\n';
}

/** Every smoke test app ever deployed (the last one of each cluster), at time `t`. */
export function marathonApps(sim: Sim, t: number): SimulatedMarathonApp[] {
  return Object.entries(apps(sim))
    .map(([vpcId, app]) => {
      const mastersRun = Object.values(sim.state.instances).some((inst) => inst.vpcId === vpcId && runsMaster(inst, t));
      const removed = app.removedAt !== undefined && app.removedAt <= t;
      return { vpcId, ...structuredClone(app), live: app.deployedAt <= t && !removed && mastersRun };
    })
    .sort((a, b) => a.deployedAt - b.deployedAt || (a.vpcId < b.vpcId ? -1 : 1));
}
