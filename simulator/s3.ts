/**
 * S3, as far as the package mirror uses it: the stack's package bucket (it exists with
 * the simulated account, as the deployed stack creates it) and its objects, with
 * versioning (an overwrite keeps the earlier version) and SHA256 checksums. PutObject,
 * HeadObject (ChecksumMode ENABLED returns ChecksumSHA256), ListObjectsV2.
 *
 * The configure-master and configure-slave commands read the objects as the nodes'
 * aws:downloadContent steps would (see ssm.ts): a missing object or one whose SHA256 is not
 * the one the command names makes the command fail, naming the package and the hash.
 */
import { createHash } from 'node:crypto';
import type { Handler, Out, Sim } from './core';
import { op } from './core';
import { fail } from './errors';
import type { MirrorObjectRecord } from './state';

/** The simulated stack's package mirror bucket (the deployed stack's output PackageMirrorBucketName). */
export const SIMULATED_PACKAGE_BUCKET = 'mesos-cluster-packages-123456789012';

function bucketOf(sim: Sim, name: unknown): Record<string, MirrorObjectRecord> {
  if (name !== SIMULATED_PACKAGE_BUCKET) throw fail('NoSuchBucket', `The specified bucket does not exist: ${String(name)}`);
  sim.state.packageObjects ??= {};
  return sim.state.packageObjects;
}

function bodyBytes(body: unknown): Buffer {
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  throw fail('InvalidRequest', 'the simulated S3 takes a string or byte Body');
}

const putObject = op<Record<string, unknown>>((sim, input): Out<Record<string, unknown>> => {
  const objects = bucketOf(sim, input.Bucket);
  const key = String(input.Key ?? '');
  if (key.length === 0) throw fail('InvalidRequest', 'PutObject needs a Key');
  const bytes = bodyBytes(input.Body);
  const sha256 = createHash('sha256').update(bytes).digest('base64');
  // S3 verifies a checksum the caller sends and refuses the upload when it differs.
  if (typeof input.ChecksumSHA256 === 'string' && input.ChecksumSHA256 !== sha256) {
    throw fail('BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
  }
  const previous = objects[key];
  const versionId = `v${(previous?.versions ?? 0) + 1}`;
  objects[key] = {
    size: bytes.length,
    sha256Base64: sha256,
    // S3 keeps the checksum only when the upload named the algorithm or sent the value.
    checksumStored: typeof input.ChecksumSHA256 === 'string' || input.ChecksumAlgorithm === 'SHA256',
    versionId,
    versions: (previous?.versions ?? 0) + 1,
    lastModified: sim.now(),
  };
  return { ETag: `"${createHash('md5').update(bytes).digest('hex')}"`, VersionId: versionId, ChecksumSHA256: sha256 };
});

const headObject = op<Record<string, unknown>>((sim, input): Out<Record<string, unknown>> => {
  const objects = bucketOf(sim, input.Bucket);
  const object = objects[String(input.Key ?? '')];
  if (!object) throw fail('NotFound', 'Not Found');
  return {
    ContentLength: object.size,
    VersionId: object.versionId,
    LastModified: new Date(object.lastModified),
    ...(input.ChecksumMode === 'ENABLED' && object.checksumStored ? { ChecksumSHA256: object.sha256Base64 } : {}),
  };
});

const listObjectsV2 = op<Record<string, unknown>>((sim, input): Out<Record<string, unknown>> => {
  const objects = bucketOf(sim, input.Bucket);
  const prefix = typeof input.Prefix === 'string' ? input.Prefix : '';
  const keys = Object.keys(objects)
    .filter((key) => key.startsWith(prefix))
    .sort();
  return {
    KeyCount: keys.length,
    IsTruncated: false,
    Contents: keys.map((key) => ({ Key: key, Size: objects[key]?.size, LastModified: new Date(objects[key]?.lastModified ?? 0) })),
  };
});

/** The S3 operations, by operation name. */
export const s3Handlers: Record<string, Handler> = {
  PutObject: putObject,
  HeadObject: headObject,
  ListObjectsV2: listObjectsV2,
};

/**
 * Why the mirror cannot serve a package with this key and SHA256 (hex), as the node's
 * check reports it; undefined when it can.
 */
export function mirrorRefusal(sim: Sim, name: string, key: string, sha256Hex: string): string | undefined {
  const object = sim.state.packageObjects?.[key];
  if (!object) {
    return `PackageMissing: ${name} is not in the package mirror (${key}); expected sha256 ${sha256Hex}; fill it with mesos-cluster mirror --from DIR`;
  }
  const actual = Buffer.from(object.sha256Base64, 'base64').toString('hex');
  if (actual !== sha256Hex) {
    return `PackageChecksumMismatch: ${name} has sha256 ${actual}, the manifest expects ${sha256Hex} (${key})`;
  }
  return undefined;
}

/** Replaces an object's content behind the mirror command's back (tests: a tampered package). */
export function tamperPackageObject(sim: Sim, key: string, content: string | Uint8Array): void {
  putObject(sim, { Bucket: SIMULATED_PACKAGE_BUCKET, Key: key, Body: content, ChecksumAlgorithm: 'SHA256' });
}
