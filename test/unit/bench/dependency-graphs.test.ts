import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundOf, validateGraph } from '../../../bench/critical-path';
import {
  CREATE_FRESH_BAKE,
  CREATE_REUSED_IMAGE,
  DEPENDENCY_GRAPHS,
  graphMarkdown,
  SCALE_OUT,
  TEARDOWN,
} from '../../../bench/dependency-graphs';
import { scaleModel } from '../../../bench/latency-variants';
import { defaultLatencyModel } from '../../../simulator';

const m = defaultLatencyModel();
/** The smoke test after the first agent: the app's task runs, a status query sees it, the remove command. */
const smoke = m.marathonAppRunningMs + 2 * (m.ssmDeliveryMs + m.commandDurationsMs['marathon-smoke-test']);

describe('declared dependency graphs', () => {
  it.each(DEPENDENCY_GRAPHS.map((g) => [g.name, g] as const))('%s is a valid graph with a reason on every edge', (_, g) => {
    // Act
    const act = () => validateGraph(g);

    // Assess
    expect(act).not.toThrow();
    expect(g.operations.flatMap((op) => op.after).every((d) => d.why.length > 10)).toBe(true);
  });

  it('bounds a fresh-bake create by network, template slave, bake, then the slaves', () => {
    // Act
    const cp = boundOf(CREATE_FRESH_BAKE, { master: 1, template: 1, slave: 3 }, m);

    // Assess
    const template = m.instanceRunningMs + m.ssmOnlineMs + m.ssmDeliveryMs + m.commandDurationsMs['configure-slave'];
    const slaves = m.instanceRunningMs + m.ssmOnlineMs + m.agentRegisterMs;
    expect(cp.boundMs).toBe(m.consistencyWindowMs + template + m.imageAvailableMs + slaves + smoke);
    expect(cp.path.map((s) => s.node)).toEqual([
      'vpc',
      'subnets',
      'public-ip-mapping',
      'template.launch',
      'template.running#0',
      'template.booted#0',
      'template.online#0',
      'template.configured#0',
      'image',
      'image-available',
      'slaves.launch',
      'slave.running#0',
      'slave.booted#0',
      'slave.registered#0',
      'smoke-agent',
      'smoke-app-running',
      'smoke-app-seen',
      'smoke-app-removed',
      'ready',
    ]);
  });

  it('does not grow a create bound with the number of masters or slaves (one launch call each)', () => {
    // Act
    const small = boundOf(CREATE_FRESH_BAKE, { master: 1, template: 1, slave: 3 }, m);
    const large = boundOf(CREATE_FRESH_BAKE, { master: 3, template: 1, slave: 10 }, m);

    // Assess
    expect(large.boundMs).toBe(small.boundMs);
  });

  it('bounds a create with a reused image by the masters: the agents register with the first configured master', () => {
    // Act
    const cp = boundOf(CREATE_REUSED_IMAGE, { master: 1, slave: 3 }, m);

    // Assess
    const master = m.instanceRunningMs + m.ssmOnlineMs + m.ssmDeliveryMs + m.commandDurationsMs['configure-master'];
    expect(cp.boundMs).toBe(m.consistencyWindowMs + master + m.agentRegisterMs + smoke);
    expect(cp.path.map((s) => s.node)).toContain('mesos-master-running');
  });

  it('makes the NAT gateway critical for a reused image when the NAT is slower than the masters', () => {
    // Prepare
    const slowNat = { ...m, natGatewayAvailableMs: 600_000 };

    // Act
    const cp = boundOf(CREATE_REUSED_IMAGE, { master: 1, slave: 3 }, slowNat);

    // Assess
    const slaves = m.instanceRunningMs + m.ssmOnlineMs + m.agentRegisterMs;
    expect(cp.boundMs).toBe(m.consistencyWindowMs + slowNat.natGatewayAvailableMs + slaves + smoke);
    expect(cp.path.map((s) => s.node)).toContain('nat-available');
  });

  it('ends a create without slaves when the masters are configured and the private subnet is routed', () => {
    // Act
    const cp = boundOf(CREATE_REUSED_IMAGE, { master: 3, slave: 0 }, m);

    // Assess
    const master = m.instanceRunningMs + m.ssmOnlineMs + m.ssmDeliveryMs + m.commandDurationsMs['configure-master'];
    expect(cp.boundMs).toBe(m.consistencyWindowMs + master);
    // No agent, no smoke test.
    expect(cp.endMs.has('smoke-app-deployed')).toBe(false);
  });

  it('starts the smoke test app with the first agent, not the last', () => {
    // Prepare
    const sizes = { master: 1, slave: 3 };

    // Act
    const cp = boundOf(CREATE_REUSED_IMAGE, sizes, m, (op, index) => (op === 'slave.registered' && index === 2 ? 600_000 : undefined));

    // Assess
    const firstAgent = cp.endMs.get('slave.registered#0') as number;
    expect(cp.endMs.get('smoke-app-running')).toBe(
      Math.max(cp.endMs.get('smoke-app-deployed') as number, firstAgent) + m.marathonAppRunningMs
    );
    expect(cp.endMs.get('agents-counted')).toBeGreaterThan(cp.endMs.get('smoke-app-removed') as number);
    expect(cp.path.map((s) => s.node)).toContain('slave.registered#2');
  });

  it('bounds a scale-out by one slave boot and registration, whatever the count', () => {
    // Act
    const one = boundOf(SCALE_OUT, { slave: 1 }, m);
    const fifty = boundOf(SCALE_OUT, { slave: 50 }, m);

    // Assess
    expect(one.boundMs).toBe(m.instanceRunningMs + m.ssmOnlineMs + m.agentRegisterMs);
    expect(fifty.boundMs).toBe(one.boundMs);
  });

  it('bounds a teardown by the slower of instance termination and NAT deletion', () => {
    // Act
    const cp = boundOf(TEARDOWN, { node: 4 }, m);
    const slowInstances = boundOf(TEARDOWN, { node: 4 }, { ...m, instanceTerminateMs: 90_000 });

    // Assess
    expect(cp.boundMs).toBe(Math.max(m.instanceTerminateMs, m.natGatewayDeleteMs));
    expect(slowInstances.boundMs).toBe(90_000);
    expect(slowInstances.path.map((s) => s.node)).toContain('node.terminated#0');
  });

  it('scales with the latency model', () => {
    // Act
    const base = boundOf(CREATE_FRESH_BAKE, { master: 1, template: 1, slave: 3 }, m);
    const doubled = boundOf(CREATE_FRESH_BAKE, { master: 1, template: 1, slave: 3 }, scaleModel(m, 2));

    // Assess: everything but the consistency window doubles
    expect(doubled.boundMs).toBe(2 * (base.boundMs - m.consistencyWindowMs) + m.consistencyWindowMs);
  });

  it('is documented in bench/README.md as declared', () => {
    // Prepare
    const readme = readFileSync(join(__dirname, '../../../bench/README.md'), 'utf8');

    // Act
    const section = readme.slice(
      readme.indexOf('<!-- graphs:start -->') + '<!-- graphs:start -->'.length,
      readme.indexOf('<!-- graphs:end -->')
    );

    // Assess
    expect(section.trim()).toBe(DEPENDENCY_GRAPHS.map(graphMarkdown).join('\n\n'));
  });
});
