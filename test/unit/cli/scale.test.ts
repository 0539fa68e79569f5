/**
 * The scaling commands called in-process through `main(argv, io)` on the simulated cloud:
 * `scale`, `simulator load` and `simulator advance`. One cluster (1 master, 2 slaves,
 * autoscaling 1..5, step 2, cooldown 60 s) is created once; every test works on a copy of
 * that home directory.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CliRun, runCli, temporaryHomes } from '../../helpers/cli';

const newHome = temporaryHomes('mesos-cluster-scale-');
let template: string;
let clusterId: string;

function cli(home: string, ...argv: string[]): Promise<CliRun> {
  return runCli(home, argv);
}

beforeAll(async () => {
  template = newHome();
  const spec = join(template, 'spec.json');
  writeFileSync(
    spec,
    JSON.stringify({
      name: 'blue',
      masters: 1,
      slaves: 2,
      adminCidr: '203.0.113.0/24',
      autoscaling: { maxSlaves: 5, step: 2, cooldownSeconds: 60 },
    })
  );
  const created = await cli(template, 'create', '--spec', spec, '--output', 'json');
  expect(created.code).toBe(0);
  clusterId = JSON.parse(created.stdout).id;
}, 30_000);

describe('mesos-cluster scale on the simulated cloud', () => {
  it('scales out to 4 slaves with live progress and records the execution and the new count', async () => {
    // Prepare
    const home = newHome(template);

    // Act
    const run = await cli(home, 'scale', 'blue', '--slaves', '4', '--verbose');
    const listed = await cli(home, 'list', '--output', 'json');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^scaling cluster ${clusterId} to 4 slaves \\(simulate\\): scale-${clusterId}-[0-9a-z]+\\n`));
    expect(run.stderr).toMatch(/\] ▶ Launch Slaves/);
    expect(run.stderr).toMatch(/✓ Record Scale \(/);
    expect(run.stderr).toContain('result       SCALED (4 slaves)');
    expect(run.stderr).toContain('plan         api: scale out from 2 to 4 slaves (bounds 1..5)');
    expect(run.stdout).toContain('CREATE_COMPLETE');
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id: clusterId, status: 'CREATE_COMPLETE', slaves: 4 })]);
    const journal = JSON.parse(readFileSync(join(home, 'clusters.json'), 'utf8'));
    expect(journal.clusters[0].executions.at(-1)).toMatchObject({ kind: 'scale', status: 'SUCCEEDED' });
  });

  it('scales in to 1 slave and prints the cluster as JSON', async () => {
    // Prepare
    const home = newHome(template);

    // Act
    const run = await cli(home, 'scale', clusterId, '--slaves', '1', '--output', 'json');

    // Assess
    expect(run.code).toBe(0);
    const view = JSON.parse(run.stdout);
    expect(view).toMatchObject({ id: clusterId, status: 'CREATE_COMPLETE', run: { kind: 'scale', status: 'SUCCEEDED' } });
    expect(view.slaves).toHaveLength(1);
    expect(run.stderr).toBe('');
  });

  it('refuses a target past the bounds with exit 2 and the plan message, changing nothing', async () => {
    // Prepare
    const home = newHome(template);

    // Act
    const run = await cli(home, 'scale', 'blue', '--slaves', '6');
    const got = await cli(home, 'get', 'blue', '--output', 'json');

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('result       REFUSED');
    expect(run.stderr).toContain("error: plan-scale: slaves: must be between 1 and 5, the cluster's autoscaling bounds; got 6\n");
    expect(run.stdout).toBe('');
    expect(JSON.parse(got.stdout).slaves).toHaveLength(2);
  });

  it('exits 1 with the failure code when the scale fails, and the next scale works', async () => {
    // Prepare
    const home = newHome(template);

    // Act
    const failed = await cli(home, 'scale', 'blue', '--slaves', '3', '--fault', 'RunInstances=UnauthorizedOperation:1', '--output', 'json');
    const retried = await cli(home, 'scale', 'blue', '--slaves', '3', '--output', 'json');

    // Assess
    expect(failed.code).toBe(1);
    const journal = JSON.parse(readFileSync(join(home, 'clusters.json'), 'utf8'));
    expect(journal.clusters[0].executions.find((e: { kind: string }) => e.kind === 'scale')).toMatchObject({
      status: 'FAILED',
      failureCode: 'LAUNCH_INSTANCES_FAILED',
    });
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout).slaves).toHaveLength(3);
  });

  it.each([
    [['scale', 'blue'], 'error: --slaves: is required'],
    [['scale', 'blue', '--slaves', 'many'], "error: --slaves: must be a whole number written in decimal digits, got 'many'"],
    [['scale', 'blue', '--slaves', '1e1'], "error: --slaves: must be a whole number written in decimal digits, got '1e1'"],
    [['scale', 'nobody', '--slaves', '2'], "error: no cluster named 'nobody'"],
    [['simulator', 'load', 'blue', '--percent', '120'], "error: --percent: must be a number from 0 to 100, got '120'"],
    [
      ['simulator', 'load', 'blue', '--percent', '50', '--relative-to-slaves', '0'],
      "error: --relative-to-slaves: must be a whole number of at least 1, got '0'",
    ],
    [['simulator', 'advance', '--minutes', '0'], "error: --minutes: must be a number above 0 and at most 1440, got '0'"],
  ])('exits 2 for %j', async (args, message) => {
    // Prepare
    const home = newHome(template);

    // Act
    const run = await cli(home, ...args);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});

describe('mesos-cluster simulator load and advance: the alarm path', () => {
  it('fires the scale-out alarm under a high load and scales up to maxSlaves, as EventBridge would', async () => {
    // Prepare
    const home = newHome(template);
    const loaded = await cli(home, 'simulator', 'load', 'blue', '--percent', '95');

    // Act
    const advanced = await cli(home, 'simulator', 'advance', '--minutes', '20', '--output', 'json');
    const quiet = await cli(home, 'simulator', 'advance', '--minutes', '5');
    const got = await cli(home, 'get', 'blue', '--output', 'json');

    // Assess
    expect(loaded.code).toBe(0);
    expect(loaded.stdout).toMatch(new RegExp(`^load of cluster ${clusterId} set to 95 % from .*; the master reports 95 % now\\n$`));
    expect(advanced.code).toBe(0);
    const report = JSON.parse(advanced.stdout);
    expect(Date.parse(report.to) - Date.parse(report.from)).toBeGreaterThanOrEqual(20 * 60_000);
    expect(report.scales).toEqual([
      expect.objectContaining({
        alarmName: `mesos-cluster-${clusterId}-scale-out`,
        clusterId,
        execution: expect.stringMatching(new RegExp(`^scale-${clusterId}-[0-9a-z]+o$`)),
        status: 'SCALED',
        scaledTo: [4, 5],
      }),
    ]);
    expect(report.scales[0].reason).toContain('maxSlaves (5)');
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/; 0 alarm scales\n$/);
    expect(JSON.parse(got.stdout).slaves).toHaveLength(5);
  });

  it('prints each alarm scale as it starts and ends in text mode', async () => {
    // Prepare
    const home = newHome(template);
    await cli(home, 'simulator', 'load', 'blue', '--percent', '95');

    // Act
    const advanced = await cli(home, 'simulator', 'advance', '--minutes', '6');

    // Assess
    expect(advanced.code).toBe(0);
    expect(advanced.stderr).toMatch(/^\[ 00:00:00\] advancing the simulated clock by 6 min from /);
    expect(advanced.stderr).toMatch(new RegExp(`\\] mesos-cluster-${clusterId}-scale-out → ALARM: starting scale-${clusterId}-`));
    expect(advanced.stderr).toMatch(/: SCALED \(4 → 5 slaves\) - /);
    expect(advanced.stdout).toMatch(/; 1 alarm scale\n/);
  });
});
