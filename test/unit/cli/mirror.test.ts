import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { homeFiles } from '../../../cli/cloud';
import type { PackageManifest } from '../../../functions/shared/package-manifest';
import { SimulatedCloud } from '../../../simulator';
import { SIMULATED_PACKAGE_BUCKET } from '../../../simulator/s3';
import { runCli, temporaryHomes } from '../../helpers/cli';

const newHome = temporaryHomes('mesos-cluster-mirror-');
const MESOS_FILE = 'aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb';
const MARATHON_FILE = 'marathon_1.11.30-1_all.deb';
const MESOS_BYTES = 'the Mesos package\n';
const MARATHON_BYTES = 'the Marathon package\n';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A home with a folder of .deb files and a manifest (recorded or not). */
function setUp(recorded: boolean): { home: string; debs: string; manifest: string } {
  const home = newHome();
  const debs = join(home, 'debs');
  mkdirSync(debs);
  writeFileSync(join(debs, MESOS_FILE), MESOS_BYTES);
  writeFileSync(join(debs, MARATHON_FILE), MARATHON_BYTES);
  const manifest: PackageManifest = {
    packages: [
      {
        package: 'aventer-mesos',
        version: '1.11.0-0.7.1.ubuntu2404',
        ubuntuRelease: '24.04',
        file: MESOS_FILE,
        vendorUrl: null,
        sha256: recorded ? sha(MESOS_BYTES) : null,
      },
      {
        package: 'marathon',
        version: '1.11.30',
        ubuntuRelease: '24.04',
        file: recorded ? MARATHON_FILE : null,
        vendorUrl: null,
        sha256: recorded ? sha(MARATHON_BYTES) : null,
      },
    ],
  };
  const file = join(home, 'manifest.json');
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  return { home, debs, manifest: file };
}

function cloudOf(home: string): SimulatedCloud {
  return SimulatedCloud.load(homeFiles(home).simulator);
}

describe('mesos-cluster mirror against the simulated cloud', () => {
  it('fills the bucket with every package, keeping its SHA256 checksum', async () => {
    // Prepare
    const { home, debs, manifest } = setUp(true);

    // Act
    const run = await runCli(home, ['mirror', '--from', debs, '--manifest', manifest]);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`aventer-mesos 1.11.0-0.7.1.ubuntu2404 (Ubuntu 24.04)  uploaded  pool/noble/${MESOS_FILE}`);
    expect(run.stdout).toContain(`mirror s3://${SIMULATED_PACKAGE_BUCKET}: 2 uploaded`);
    const s3 = cloudOf(home).clients().s3;
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: SIMULATED_PACKAGE_BUCKET, Prefix: 'pool/' }));
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: SIMULATED_PACKAGE_BUCKET, Key: `pool/noble/${MARATHON_FILE}`, ChecksumMode: 'ENABLED' })
    );
    expect(listed.Contents?.map((o) => o.Key)).toEqual([`pool/noble/${MESOS_FILE}`, `pool/noble/${MARATHON_FILE}`].sort());
    expect(head.ChecksumSHA256).toBe(Buffer.from(sha(MARATHON_BYTES), 'hex').toString('base64'));
  });

  it('creates nothing when it runs a second time, even without the local files', async () => {
    // Prepare
    const { home, debs, manifest } = setUp(true);
    await runCli(home, ['mirror', '--from', debs, '--manifest', manifest]);
    const putsBefore = cloudOf(home).calls.PutObject;

    // Act
    const second = await runCli(home, ['mirror', '--manifest', manifest, '--output', 'json']);

    // Assess
    expect(second.code).toBe(0);
    expect((JSON.parse(second.stdout) as { packages: { action: string }[] }).packages.map((p) => p.action)).toEqual(['present', 'present']);
    expect(cloudOf(home).calls.PutObject).toBe(putsBefore);
    expect(putsBefore).toBe(2);
  });

  it('refuses a local file whose SHA256 is not the recorded one, naming the package and the expected hash, uploading nothing', async () => {
    // Prepare
    const { home, debs, manifest } = setUp(true);
    writeFileSync(join(debs, MESOS_FILE), 'a Mesos package that someone changed\n');

    // Act
    const run = await runCli(home, ['mirror', '--from', debs, '--manifest', manifest]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: PackageChecksumError: aventer-mesos 1.11.0-0.7.1.ubuntu2404 (Ubuntu 24.04):');
    expect(run.stderr).toContain(`the package manifest expects ${sha(MESOS_BYTES)}; refused, nothing uploaded`);
    expect(cloudOf(home).calls.PutObject ?? 0).toBe(0);
  });

  it('replaces a tampered package in the bucket with the checked local file', async () => {
    // Prepare
    const { home, debs, manifest } = setUp(true);
    await runCli(home, ['mirror', '--from', debs, '--manifest', manifest]);
    const cloud = cloudOf(home);
    cloud.tamperPackage(`pool/noble/${MESOS_FILE}`, 'not the Mesos package\n');
    cloud.save(homeFiles(home).simulator);

    // Act
    const without = await runCli(home, ['mirror', '--manifest', manifest]);
    const withFiles = await runCli(home, ['mirror', '--from', debs, '--manifest', manifest]);

    // Assess
    expect(without.code).toBe(2);
    expect(without.stderr).toContain(`the mirror holds other content at s3://${SIMULATED_PACKAGE_BUCKET}/pool/noble/${MESOS_FILE}`);
    expect(without.stderr).toContain(`expected sha256 ${sha(MESOS_BYTES)}`);
    expect(withFiles.code).toBe(0);
    expect(withFiles.stdout).toContain('uploaded (replaced other content)');
  });

  it('refuses packages without a recorded SHA256, and records them from the local files with --record', async () => {
    // Prepare
    const { home, debs, manifest } = setUp(false);

    // Act
    const refused = await runCli(home, ['mirror', '--from', debs, '--manifest', manifest]);
    const recorded = await runCli(home, ['mirror', '--from', debs, '--record', '--manifest', manifest]);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'PackageNotRecordedError: aventer-mesos 1.11.0-0.7.1.ubuntu2404 (Ubuntu 24.04) has no recorded SHA256'
    );
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toContain(`recorded SHA256 in ${manifest}`);
    const written = JSON.parse(readFileSync(manifest, 'utf8')) as PackageManifest;
    expect(written.packages.map((p) => [p.file, p.sha256])).toEqual([
      [MESOS_FILE, sha(MESOS_BYTES)],
      [MARATHON_FILE, sha(MARATHON_BYTES)],
    ]);
  });

  it('asks for the bucket with --local when none is known', async () => {
    // Prepare
    const { home, manifest } = setUp(true);

    // Act
    const run = await runCli(home, ['mirror', '--local', '--manifest', manifest]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no package bucket: pass --bucket');
  });
});
