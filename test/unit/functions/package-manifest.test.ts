import { DEFAULT_SOFTWARE, parseClusterSpec } from '../../../functions/shared/cluster-spec';
import {
  defaultPackageSource,
  MIRRORED_PACKAGE_NAMES,
  mirroredSoftware,
  PACKAGE_MANIFEST,
  PACKAGE_SOURCE_ENV,
  type PackageManifest,
  packageKey,
} from '../../../functions/shared/package-manifest';

const MESOS = {
  package: 'aventer-mesos',
  version: '1.11.0-0.7.1.ubuntu2404',
  ubuntuRelease: '24.04',
  file: 'm.deb',
  vendorUrl: null,
  sha256: 'a'.repeat(64),
};
const MARATHON = {
  package: 'marathon',
  version: '1.11.30',
  ubuntuRelease: '24.04',
  file: 'marathon_1.11.30-1_all.deb',
  vendorUrl: null,
  sha256: 'b'.repeat(64),
};
const RECORDED: PackageManifest = { packages: [MESOS, MARATHON] };

describe('package manifest', () => {
  it('lists the default Mesos and Marathon versions of the spec for Ubuntu 24.04, with their vendor file where known', () => {
    // Prepare / Act
    const entries = PACKAGE_MANIFEST.packages.map((p) => [p.package, p.version, p.ubuntuRelease]);

    // Assess
    expect(entries).toEqual([
      [MIRRORED_PACKAGE_NAMES.mesos, DEFAULT_SOFTWARE.mesosVersion, '24.04'],
      [MIRRORED_PACKAGE_NAMES.marathon, DEFAULT_SOFTWARE.marathonVersion, '24.04'],
    ]);
    expect(PACKAGE_MANIFEST.packages[0]?.vendorUrl).toBe(
      'https://rpm.aventer.biz/Ubuntu/noble/pool/main/a/aventer-mesos/aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb'
    );
  });

  it('gives the key and the recorded SHA256 of each package the mirror must hold', () => {
    // Prepare / Act
    const mirror = mirroredSoftware(DEFAULT_SOFTWARE, RECORDED);

    // Assess
    expect(mirror.mesos).toEqual({
      package: 'aventer-mesos',
      version: DEFAULT_SOFTWARE.mesosVersion,
      key: 'pool/noble/m.deb',
      sha256: 'a'.repeat(64),
    });
    expect(mirror.marathon.key).toBe('pool/noble/marathon_1.11.30-1_all.deb');
  });

  it('refuses a package without a recorded SHA256, telling how to record it', () => {
    // Prepare / Act
    const refuse = () => mirroredSoftware(DEFAULT_SOFTWARE, { packages: [{ ...MESOS, sha256: null }, MARATHON] });

    // Assess
    expect(refuse).toThrow(expect.objectContaining({ name: 'ValidationError', field: 'software.packageSource' }));
    expect(refuse).toThrow(/aventer-mesos 1\.11\.0-0\.7\.1\.ubuntu2404 has no recorded SHA256.*mesos-cluster mirror --from DIR --record/);
  });

  it('refuses a version or release that the manifest does not list', () => {
    // Prepare / Act / Assess
    expect(() => mirroredSoftware({ ...DEFAULT_SOFTWARE, marathonVersion: '1.11.24' }, RECORDED)).toThrow(
      expect.objectContaining({ field: 'software.marathonVersion' })
    );
    expect(() => mirroredSoftware({ ...DEFAULT_SOFTWARE, ubuntuRelease: '22.04' }, RECORDED)).toThrow(
      /for Ubuntu 22\.04 is not in the package manifest/
    );
    expect(() => packageKey('24.04', '../x.deb')).toThrow(/is not a \.deb file name/);
  });

  it('defaults to the vendor repository in-process and to the mirror where the stack says so', () => {
    // Assess
    expect(defaultPackageSource({})).toBe('vendor');
    expect(defaultPackageSource({ [PACKAGE_SOURCE_ENV]: 'mirror' })).toBe('mirror');
    expect(parseClusterSpec({ name: 'abc', adminCidr: '203.0.113.0/24' }).software.packageSource).toBe('vendor');
    expect(() => parseClusterSpec({ name: 'abc', adminCidr: '203.0.113.0/24', software: { packageSource: 's3' } })).toThrow(
      'software.packageSource: must be mirror or vendor'
    );
  });
});
