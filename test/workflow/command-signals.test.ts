/**
 * The configure commands' completion signals on the simulated cloud: the create machine
 * waits for Systems Manager's command status event (relayed to its task token) instead of
 * polling, and falls back to checking the command itself when the event is missed or late.
 */
import { failureOf } from '../../cli/run-outcome';
import { COMMAND_SIGNAL_RULE } from '../../cli/runner/command-signals';
import type { RunResult } from '../../cli/runner/local-runner';
import { COMMAND_STATUS_DETAIL_TYPE, SIGNAL_TIMEOUT_SECONDS } from '../../functions/shared/command-signals';
import { SimulatedWorld } from '../helpers/run';

const SPEC = { name: 'signals', masters: 1, slaves: 1, adminCidr: '203.0.113.0/24' };
const CLUSTER_ID = 'signals-000001';

/** How many times a state was entered. */
function entered(result: RunResult, state: string): number {
  return result.events.filter((e) => e.type === 'StateEntered' && e.state === state).length;
}

/** Milliseconds from the end of `from` to the last entry of `to`. */
function gap(result: RunResult, from: string, to: string): number {
  const exited = result.events.find((e) => e.type === 'StateExited' && e.state === from);
  const next = result.events.findLast((e) => e.type === 'StateEntered' && e.state === to);
  if (!exited || !next) throw new Error(`no ${from} → ${to} in the run`);
  return next.timestamp - exited.timestamp;
}

describe('create-cluster machine: configure commands signalled by their status events', () => {
  it('waits for each configure command until its status event, woken a second after the command ends', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const result = await world.create(SPEC, CLUSTER_ID);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    // Both installs outlast one signal wait (SIGNAL_TIMEOUT_SECONDS, 120 s): a check, then a second wait, which the event ends.
    for (const subject of ['Master Setup', 'Template Slave Setup']) {
      expect(entered(result, `Await ${subject} Signal`)).toBe(2);
      expect(entered(result, `Check ${subject}`)).toBe(2);
    }
    // Delivery (2 s) + the install (180 s, 120 s) + the event's delivery (1 s): no poll's overshoot.
    expect(gap(result, 'Configure Masters', 'Check Master Setup')).toBe(183_000);
    expect(gap(result, 'Configure Template Slave', 'Check Template Slave Setup')).toBe(123_000);
    const relayed = world.cloud.eventDeliveries().filter((d) => d.rule === COMMAND_SIGNAL_RULE);
    expect(relayed.map((d) => [d.event.detail['document-name'], d.event.detail.status, d.outcome])).toEqual([
      ['MesosCluster-ConfigureSlave', 'Success', 'delivered'],
      ['MesosCluster-ConfigureMaster', 'Success', 'delivered'],
    ]);
  });

  it('completes when the events are dropped: the signal wait times out and the machine checks the command itself', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.injectEventFault({ kind: 'drop', detailType: COMMAND_STATUS_DETAIL_TYPE });

    // Act
    const result = await world.create(SPEC, CLUSTER_ID);

    // Assess: the 182 s install is seen at the second timeout
    expect(result.status).toBe('SUCCEEDED');
    expect(entered(result, 'Await Master Setup Signal')).toBe(2);
    expect(entered(result, 'Check Master Setup')).toBe(2);
    expect(gap(result, 'Configure Masters', 'Check Master Setup')).toBe(2 * SIGNAL_TIMEOUT_SECONDS * 1000);
    const caught = result.events.filter((e) => e.type === 'StateCaught' && e.state === 'Await Master Setup Signal');
    expect(caught).toHaveLength(2);
    expect(world.cloud.eventDeliveries().every((d) => d.rule !== COMMAND_SIGNAL_RULE || d.outcome === 'dropped')).toBe(true);
  });

  it('completes when the events come later than the signal wait lasts', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.injectEventFault({ kind: 'delay', detailType: COMMAND_STATUS_DETAIL_TYPE, delayMs: 10 * 60_000 });

    // Act
    const result = await world.create(SPEC, CLUSTER_ID);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    // Seen at the second timeout (240 s), as without events; the late events find no task waiting.
    expect(entered(result, 'Await Master Setup Signal')).toBe(2);
    expect(gap(result, 'Configure Masters', 'Check Master Setup')).toBe(2 * SIGNAL_TIMEOUT_SECONDS * 1000);
    expect(entered(result, 'Await Template Slave Setup Signal')).toBe(2);
    expect(gap(result, 'Configure Template Slave', 'Check Template Slave Setup')).toBe(2 * SIGNAL_TIMEOUT_SECONDS * 1000);
  });

  it('fails a create whose master configuration fails with the reason of its check, as the poll loop did', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.injectFault({ operation: 'Command:MesosCluster-ConfigureMaster', code: 'Failed', count: 1 });

    // Act
    const result = await world.create(SPEC, CLUSTER_ID);

    // Assess
    expect(result.status).toBe('FAILED');
    const failure = failureOf(result, 'create');
    expect(failure?.failureReason).toMatch(
      /^FatalError: check-command: command [0-9a-f-]{36} on i-[0-9a-f]{17}: Failed, exit code 1, stderr: failed to run commands: exit status 1$/
    );
    expect(entered(result, 'Await Master Setup Signal')).toBe(2);
    expect(await world.inventoryIds()).toEqual([]);
  });
});
