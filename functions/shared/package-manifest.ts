/**
 * The package manifest: the Mesos and Marathon .deb files that the package mirror holds,
 * each with the SHA256 the project commits (package-manifest.json). `mesos-cluster mirror`
 * uploads a file only when its SHA256 is the recorded one; the configure steps pass the key
 * and the SHA256 to the nodes, which check the downloaded file before installing it.
 *
 * A `sha256` of null means "not recorded yet": the project cannot download the vendor's
 * files where it is built, so the maintainer records them from files fetched on a trusted
 * machine with `mesos-cluster mirror --from DIR --record`, and commits the result. A create
 * from the mirror refuses a package without a recorded SHA256.
 */

import { ValidationError } from './errors';
import manifestJson from './package-manifest.json';

/** Where Mesos and Marathon come from: the stack's mirror bucket, or the vendor's apt repository. */
export const PACKAGE_SOURCES = ['mirror', 'vendor'] as const;
export type PackageSource = (typeof PACKAGE_SOURCES)[number];

/**
 * The environment variable with the default package source: the deployed stack sets
 * `mirror` on its functions; without it (the CLI's in-process runs) the default is `vendor`.
 */
export const PACKAGE_SOURCE_ENV = 'MESOS_CLUSTER_PACKAGE_SOURCE';

/** The default package source of this process (see PACKAGE_SOURCE_ENV). */
export function defaultPackageSource(env: Readonly<Record<string, string | undefined>> = process.env): PackageSource {
  return env[PACKAGE_SOURCE_ENV] === 'mirror' ? 'mirror' : 'vendor';
}

/** One package of the manifest. */
export interface ManifestPackage {
  /** The Debian package name (`aventer-mesos`, `marathon`). */
  readonly package: string;
  /** The version the cluster spec pins (`software.mesosVersion`, `software.marathonVersion`). */
  readonly version: string;
  readonly ubuntuRelease: string;
  /** The .deb file name; null until recorded. */
  readonly file: string | null;
  /** Where the vendor publishes the file, when known (for the maintainer; the nodes never use it). */
  readonly vendorUrl: string | null;
  /** The SHA256 (hex) the project commits; null until recorded. */
  readonly sha256: string | null;
}

export interface PackageManifest {
  readonly packages: readonly ManifestPackage[];
}

/** The manifest committed with the project. */
export const PACKAGE_MANIFEST: PackageManifest = manifestJson as PackageManifest;

/** The Debian package names of the mirrored software (bootstrap/lib/common.sh MESOS_PACKAGE, MARATHON_PACKAGE). */
export const MIRRORED_PACKAGE_NAMES = { mesos: 'aventer-mesos', marathon: 'marathon' } as const;

/** Ubuntu codenames: the folder of a release's packages in the mirror. */
export const UBUNTU_CODENAMES: Readonly<Record<string, string>> = { '22.04': 'jammy', '24.04': 'noble' };

/** A package the mirror must hold: its S3 key and its recorded SHA256. */
export interface MirroredPackage {
  readonly package: string;
  readonly version: string;
  readonly key: string;
  readonly sha256: string;
}

const SHA256_RE = /^[0-9a-f]{64}$/;
const FILE_RE = /^[A-Za-z0-9.+~_-]+\.deb$/;

/** The mirror's key of a package file: `pool/<codename>/<file>`. */
export function packageKey(ubuntuRelease: string, file: string): string {
  const codename = UBUNTU_CODENAMES[ubuntuRelease];
  if (!codename) throw new ValidationError('software.ubuntuRelease', `has no codename for the package mirror: ${ubuntuRelease}`);
  if (!FILE_RE.test(file)) throw new ValidationError('package manifest', `file name ${JSON.stringify(file)} is not a .deb file name`);
  return `pool/${codename}/${file}`;
}

/** The manifest entry of a package at a version for a release, if any. */
export function findManifestPackage(
  manifest: PackageManifest,
  name: string,
  version: string,
  ubuntuRelease: string
): ManifestPackage | undefined {
  return manifest.packages.find((p) => p.package === name && p.version === version && p.ubuntuRelease === ubuntuRelease);
}

/** A manifest entry with its file and SHA256 recorded, as the mirror holds it; ValidationError otherwise. */
export function mirroredPackage(manifest: PackageManifest, name: string, version: string, ubuntuRelease: string): MirroredPackage {
  const entry = findManifestPackage(manifest, name, version, ubuntuRelease);
  const field = name === MIRRORED_PACKAGE_NAMES.marathon ? 'software.marathonVersion' : 'software.mesosVersion';
  if (!entry) {
    throw new ValidationError(
      field,
      `${name} ${version} for Ubuntu ${ubuntuRelease} is not in the package manifest (functions/shared/package-manifest.json)`
    );
  }
  if (!entry.file || !entry.sha256 || !SHA256_RE.test(entry.sha256)) {
    throw new ValidationError(
      'software.packageSource',
      `mirror: ${name} ${version} has no recorded SHA256 in the package manifest; record it with \`mesos-cluster mirror --from DIR --record\` (or use packageSource vendor)`
    );
  }
  return { package: name, version, key: packageKey(ubuntuRelease, entry.file), sha256: entry.sha256 };
}

/** What the mirror must hold for a cluster's software: Mesos (every node) and Marathon (masters). */
export function mirroredSoftware(
  software: { readonly ubuntuRelease: string; readonly mesosVersion: string; readonly marathonVersion: string },
  manifest: PackageManifest = PACKAGE_MANIFEST
): { readonly mesos: MirroredPackage; readonly marathon: MirroredPackage } {
  return {
    mesos: mirroredPackage(manifest, MIRRORED_PACKAGE_NAMES.mesos, software.mesosVersion, software.ubuntuRelease),
    marathon: mirroredPackage(manifest, MIRRORED_PACKAGE_NAMES.marathon, software.marathonVersion, software.ubuntuRelease),
  };
}
