/**
 * Creates that install Mesos and Marathon from the package mirror (software.packageSource
 * mirror) on the simulated cloud: the mirror filled by the mirror command's logic, the
 * configure commands naming the mirrored files and their recorded SHA256, and a missing or
 * tampered package failing the create with the package and the expected hash named, rolled
 * back with nothing left.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fillMirror } from '../../cli/mirror';
import { failureOf } from '../../cli/run-outcome';
import { PACKAGE_MANIFEST } from '../../functions/shared/package-manifest';
import { SIMULATED_PACKAGE_BUCKET } from '../../simulator/s3';
import { SimulatedWorld } from '../helpers/run';

const ADMIN = '203.0.113.0/24';
const MESOS_FILE = 'aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb';
const MARATHON_FILE = 'marathon_1.11.30-1_all.deb';
const MESOS_BYTES = 'the Mesos package\n';
const MARATHON_BYTES = 'the Marathon package\n';
const MARATHON_SHA = createHash('sha256').update(MARATHON_BYTES).digest('hex');

// The committed manifest has no SHA256 recorded yet: these stand for the recorded ones.
jest.mock('../../functions/shared/package-manifest.json', () => {
  const { createHash: hash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  const sha = (text: string) => hash('sha256').update(text).digest('hex');
  return {
    packages: [
      {
        package: 'aventer-mesos',
        version: '1.11.0-0.7.1.ubuntu2404',
        ubuntuRelease: '24.04',
        file: 'aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb',
        vendorUrl: null,
        sha256: sha('the Mesos package\n'),
      },
      {
        package: 'marathon',
        version: '1.11.30',
        ubuntuRelease: '24.04',
        file: 'marathon_1.11.30-1_all.deb',
        vendorUrl: null,
        sha256: sha('the Marathon package\n'),
      },
    ],
  };
});

let debs: string;
beforeAll(() => {
  debs = mkdtempSync(join(tmpdir(), 'mesos-cluster-debs-'));
  writeFileSync(join(debs, MESOS_FILE), MESOS_BYTES);
  writeFileSync(join(debs, MARATHON_FILE), MARATHON_BYTES);
});
afterAll(() => rmSync(debs, { recursive: true, force: true }));

async function filledWorld(): Promise<SimulatedWorld> {
  const world = new SimulatedWorld();
  await world.look(() =>
    fillMirror({ s3: world.cloud.clients().s3, bucket: SIMULATED_PACKAGE_BUCKET, manifest: PACKAGE_MANIFEST, from: debs })
  );
  return world;
}

const MIRROR_SPEC = { masters: 3, slaves: 2, adminCidr: ADMIN, software: { packageSource: 'mirror' as const } };

/** The parameters of the configure commands the cloud received, by document behaviour. */
async function configureParameters(world: SimulatedWorld): Promise<Record<string, Record<string, string[]>>> {
  const state = (await world.look(async () => world.cloud.toJSON())) as unknown as {
    commands: Record<string, { behaviour: string; parameters: Record<string, string[]> }>;
  };
  return Object.fromEntries(Object.values(state.commands).map((c) => [c.behaviour, c.parameters]));
}

describe('a create from the package mirror', () => {
  it('installs Mesos and Marathon from the mirrored files with their recorded SHA256', async () => {
    // Prepare
    const world = await filledWorld();

    // Act
    const result = await world.create({ name: 'mirrored', ...MIRROR_SPEC });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const parameters = await configureParameters(world);
    expect(parameters['configure-master']).toMatchObject({
      PackageSource: ['mirror'],
      MesosPackageKey: [`pool/noble/${MESOS_FILE}`],
      MarathonPackageKey: [`pool/noble/${MARATHON_FILE}`],
      MarathonPackageSha256: [MARATHON_SHA],
    });
    expect(parameters['configure-slave']).toMatchObject({ PackageSource: ['mirror'], MesosPackageKey: [`pool/noble/${MESOS_FILE}`] });
    expect(parameters['configure-slave']?.MarathonPackageKey).toBeUndefined();
  });

  it('fails when the configure-master command refuses a tampered package, naming it and the expected hash, and leaves nothing', async () => {
    // Prepare
    const world = await filledWorld();
    await world.look(async () => world.cloud.tamperPackage(`pool/noble/${MARATHON_FILE}`, 'a Marathon that someone replaced\n'));

    // Act
    const result = await world.create({ name: 'tampered', ...MIRROR_SPEC });

    // Assess
    expect(result.status).toBe('FAILED');
    const failure = failureOf(result, 'create');
    expect(failure?.failureCode).toBe('CHECK_COMMAND_FAILED');
    expect(failure?.failureReason).toContain('PackageChecksumMismatch: marathon 1.11.30 has sha256');
    expect(failure?.failureReason).toContain(`the manifest expects ${MARATHON_SHA}`);
    expect(await world.inventoryIds()).toEqual([]);
  });

  it('fails for an empty mirror, naming the missing package and its expected hash, and leaves nothing', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const result = await world.create({ name: 'unfilled', ...MIRROR_SPEC });

    // Assess
    expect(result.status).toBe('FAILED');
    const failure = failureOf(result, 'create');
    expect(failure?.failureCode).toBe('CHECK_COMMAND_FAILED');
    expect(failure?.failureReason).toContain('PackageMissing: ');
    expect(failure?.failureReason).toMatch(/expected sha256 [0-9a-f]{64}/);
    expect(await world.inventoryIds()).toEqual([]);
  });
});
