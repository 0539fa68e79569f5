/**
 * The cluster config file as a process: `create --dry-run` prints the plan (stderr) and a
 * config (stdout: YAML, or JSON with --output json) that `create -f` takes back unchanged;
 * the documented example validates; a bad file is reported by file:line:col.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseClusterSpec } from '../../functions/shared/cluster-spec';
import { processHomes, REPO, runCliProcess } from '../helpers/process';

const newHome = processHomes('mesos-cluster-config-');
const EXAMPLE = join(REPO, 'examples/cluster.yaml');

describe('a cluster config file, as a process', () => {
  it('round-trips a YAML config through --dry-run: the config fed back with -f prints the same config and plan', () => {
    // Prepare
    const home = newHome();
    const flags = ['--name', 'blue', '--admin-cidr', '198.51.100.0/24', '--masters', '3', '--slaves', '5', '--nat-gateways', 'perAz'];

    // Act
    const first = runCliProcess(home, ['create', ...flags, '--dry-run']);
    writeFileSync(join(home, 'cluster.yaml'), first.stdout);
    const second = runCliProcess(home, ['create', '-f', 'cluster.yaml', '--dry-run']);

    // Assess
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe(first.stderr);
    const config = parse(first.stdout);
    expect(config).toMatchObject({ name: 'blue', masters: 3, slaves: 5, natGateways: 'perAz', adminCidr: '198.51.100.0/24' });
    expect(config.autoscaling).toEqual({
      minSlaves: 1,
      maxSlaves: 10,
      scaleOutAbovePercent: 75,
      scaleInBelowPercent: 25,
      step: 2,
      cooldownSeconds: 300,
    });
    expect(first.stderr).toMatch(/^dry run: create blue \(blue-[0-9a-f]{6}\) would build \(nothing was created\):/);
    expect(first.stderr).toContain('NAT        3 gateway(s), 3 Elastic IP(s)');
    expect(existsSync(join(home, 'clusters.json'))).toBe(false);
  });

  it('round-trips a JSON config with --output json, and flags given with -f override its fields', () => {
    // Prepare
    const home = newHome();

    // Act
    const first = runCliProcess(home, ['create', '--name', 'green', '--admin-cidr', '198.51.100.0/24', '--dry-run', '--output', 'json']);
    writeFileSync(join(home, 'cluster.json'), first.stdout);
    const second = runCliProcess(home, ['create', '--file', 'cluster.json', '--dry-run', '--output', 'json']);
    const overridden = runCliProcess(home, ['create', '-f', 'cluster.json', '--slaves', '4', '--dry-run', '--output', 'json']);

    // Assess
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const config = JSON.parse(first.stdout);
    expect(config).toEqual(parseClusterSpec(config));
    expect(JSON.parse(overridden.stdout)).toEqual({ ...config, slaves: 4 });
  });

  it('takes the documented example, which shows every field of the spec with its default', () => {
    // Prepare
    const home = newHome();
    const example = parse(readFileSync(EXAMPLE, 'utf8'));

    // Act
    const run = runCliProcess(home, ['create', '-f', EXAMPLE, '--dry-run']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('masters    3 x t3.medium');
    expect(parse(run.stdout)).toEqual(example);
  });

  it.each([
    [
      'a YAML syntax error',
      'name: blue\nadminCidr: [198.51.100.0/24\n',
      /^error: cluster\.yaml:3:1: .*\(the file must be YAML or JSON\)\n$/,
    ],
    ['a duplicate key', 'name: blue\nname: red\n', /^error: cluster\.yaml:2:1: Map keys must be unique/],
    [
      'a value out of range',
      'name: blue\nadminCidr: 198.51.100.0/24\nslaves: 300\n',
      /^error: cluster\.yaml:3:9: slaves: must be at most 200\n$/,
    ],
    [
      'a nested unknown field',
      'name: blue\nadminCidr: 198.51.100.0/24\nsoftware:\n  mesos: 1.11.0\n',
      /^error: cluster\.yaml:4:10: software\.mesos: is not a field of the cluster spec\n$/,
    ],
    ['no mapping', '- name: blue\n', /^error: cluster\.yaml:1:1: must hold a mapping of cluster spec fields/],
  ])('refuses %s by file:line:col with exit 2', (_what, text, message) => {
    // Prepare
    const home = newHome();
    writeFileSync(join(home, 'cluster.yaml'), text);

    // Act
    const run = runCliProcess(home, ['create', '-f', 'cluster.yaml', '--dry-run']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });

  it('names the flag the user typed when a flag overrides a value of the file', () => {
    // Prepare
    const home = newHome();
    writeFileSync(join(home, 'cluster.yaml'), 'name: blue\nadminCidr: 198.51.100.0/24\nslaves: 3\n');

    // Act
    const run = runCliProcess(home, ['create', '-f', 'cluster.yaml', '--slaves', '300', '--dry-run']);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: --slaves: must be at most 200\n');
  });
});
