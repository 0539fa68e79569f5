/**
 * `mesos-cluster mirror`: fills the stack's package mirror bucket with the .deb files of the
 * package manifest (functions/shared/package-manifest.json), each checked against the SHA256
 * the manifest records. A package already in the bucket with that SHA256 (S3's
 * ChecksumSHA256) is left alone, so a second run uploads nothing. A local file whose SHA256
 * differs from the manifest is refused (PackageChecksumError): nothing of it is uploaded.
 *
 * `--record` is the maintainer's step for a package whose SHA256 is not recorded yet: it
 * hashes the local file (downloaded on a trusted machine, e.g. `apt-get download
 * aventer-mesos=1.11.0-0.7.1.ubuntu2404` against the vendor's repository) and writes the file
 * name and SHA256 into the manifest, to be reviewed and committed. It never replaces a
 * recorded SHA256.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ManifestPackage, type PackageManifest, packageKey } from '../functions/shared/package-manifest';

/** The committed manifest file. */
export const MANIFEST_FILE = resolve(__dirname, '../functions/shared/package-manifest.json');

/** A local file whose SHA256 is not the one the manifest records: refused, nothing uploaded. */
export class PackageChecksumError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageChecksumError';
  }
}

/** A package that is neither in the mirror (with its SHA256) nor in the local folder. */
export class PackageMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageMissingError';
  }
}

/** A package of the manifest without a recorded SHA256 (run with --record to record it). */
export class PackageNotRecordedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageNotRecordedError';
  }
}

/** What the mirror command did with one package. */
export interface MirrorResult {
  readonly package: string;
  readonly version: string;
  readonly ubuntuRelease: string;
  readonly key: string;
  readonly sha256: string;
  /** present: already in the bucket with this SHA256; uploaded: put now; replaced: the bucket held other content. */
  readonly action: 'present' | 'uploaded' | 'replaced';
  /** The SHA256 was recorded into the manifest by this run (--record). */
  readonly recorded: boolean;
}

export interface MirrorRequest {
  readonly s3: Pick<S3Client, 'send'>;
  readonly bucket: string;
  readonly manifest: PackageManifest;
  /** The folder with the .deb files; needed for every package the bucket lacks. */
  readonly from?: string;
  /** Record the SHA256 (and file name) of unrecorded packages from the local files. */
  readonly record?: boolean;
}

export interface MirrorOutcome {
  readonly results: readonly MirrorResult[];
  /** The manifest with what --record recorded (equal to the input without it). */
  readonly manifest: PackageManifest;
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function label(entry: ManifestPackage): string {
  return `${entry.package} ${entry.version} (Ubuntu ${entry.ubuntuRelease})`;
}

/** The one .deb in `dir` of a package at a version: `<package>_<version>[-revision]_<arch>.deb`. */
export function findPackageFile(dir: string, entry: ManifestPackage): string | undefined {
  if (entry.file) return existsSync(join(dir, entry.file)) ? entry.file : undefined;
  const escaped = `${entry.package}_${entry.version}`.replace(/[.+~]/g, (c) => `\\${c}`);
  const pattern = new RegExp(`^${escaped}([-+~][A-Za-z0-9.+~]*)?_(amd64|all)\\.deb$`);
  const matches = readdirSync(dir).filter((name) => pattern.test(name));
  if (matches.length > 1) throw new PackageMissingError(`${label(entry)}: more than one file in ${dir} (${matches.join(', ')}); keep one`);
  return matches[0];
}

/** Whether the bucket holds `key` with this SHA256: true, false (other content), or undefined (absent). */
async function holds(s3: MirrorRequest['s3'], bucket: string, key: string, sha256: string): Promise<boolean | undefined> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
    return head.ChecksumSHA256 === Buffer.from(sha256, 'hex').toString('base64');
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404) return undefined;
    throw err;
  }
}

/** Fills the mirror; see the module comment. Throws the named errors above, naming the package and the expected hash. */
export async function fillMirror(request: MirrorRequest): Promise<MirrorOutcome> {
  const { s3, bucket, from } = request;
  const packages: ManifestPackage[] = [];
  const results: MirrorResult[] = [];
  for (const original of request.manifest.packages) {
    let entry = original;
    let recorded = false;
    if (!entry.sha256 || !entry.file) {
      if (!request.record || !from) {
        throw new PackageNotRecordedError(
          `${label(entry)} has no recorded SHA256 in the package manifest; download the file on a trusted machine and run mesos-cluster mirror --from DIR --record`
        );
      }
      const file = findPackageFile(from, entry);
      if (!file) throw new PackageMissingError(`${label(entry)}: no ${entry.package}_${entry.version}*.deb in ${from} to record`);
      entry = { ...entry, file, sha256: sha256Hex(readFileSync(join(from, file))) };
      recorded = true;
    }
    const sha256 = entry.sha256 as string;
    const file = entry.file as string;
    const key = packageKey(entry.ubuntuRelease, file);
    const held = await holds(s3, bucket, key, sha256);
    let action: MirrorResult['action'] = 'present';
    if (held !== true) {
      const path = from ? join(from, file) : undefined;
      if (!path || !existsSync(path)) {
        throw new PackageMissingError(
          `${label(entry)}: ${held === false ? 'the mirror holds other content at' : 'the mirror lacks'} s3://${bucket}/${key} and no local file ${file} was given (--from DIR); expected sha256 ${sha256}`
        );
      }
      const bytes = readFileSync(path);
      const actual = sha256Hex(bytes);
      if (actual !== sha256) {
        throw new PackageChecksumError(
          `${label(entry)}: ${path} has sha256 ${actual}, the package manifest expects ${sha256}; refused, nothing uploaded`
        );
      }
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          ContentType: 'application/vnd.debian.binary-package',
          // S3 checks the upload against it and keeps it (HeadObject ChecksumMode ENABLED).
          ChecksumSHA256: Buffer.from(sha256, 'hex').toString('base64'),
        })
      );
      action = held === false ? 'replaced' : 'uploaded';
    }
    packages.push(entry);
    results.push({ package: entry.package, version: entry.version, ubuntuRelease: entry.ubuntuRelease, key, sha256, action, recorded });
  }
  return { results, manifest: { ...request.manifest, packages } };
}

/** Reads a manifest file. */
export function readManifest(file: string): PackageManifest {
  return JSON.parse(readFileSync(file, 'utf8')) as PackageManifest;
}

/** Writes a manifest file (two-space JSON, as committed). */
export function writeManifest(file: string, manifest: PackageManifest): void {
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}
