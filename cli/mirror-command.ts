/**
 * The `mirror` command: fills the package mirror bucket (cli/mirror.ts) of the simulated
 * cloud (default) or of a deployed stack (`--local`, with the standard credential chain).
 * The bucket: `--bucket`, else $MESOS_CLUSTER_PACKAGE_BUCKET, else the PackageMirrorBucketName
 * output in <home>/stack-outputs.json, else (simulated cloud) the simulated stack's bucket.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { SIMULATED_PACKAGE_BUCKET } from '../simulator/s3';
import { withCloud } from './cloud';
import { type Context, EXIT, modeOf, outputOf, UsageError } from './commands';
import {
  fillMirror,
  MANIFEST_FILE,
  type MirrorResult,
  PackageChecksumError,
  PackageMissingError,
  PackageNotRecordedError,
  readManifest,
  writeManifest,
} from './mirror';
import { OUTPUTS_FILE } from './remote/api-client';

export const PACKAGE_BUCKET_ENV = 'MESOS_CLUSTER_PACKAGE_BUCKET';

export interface MirrorFlags {
  readonly from?: string;
  readonly bucket?: string;
  readonly record?: boolean;
  readonly manifest?: string;
  readonly simulate?: boolean;
  readonly local?: boolean;
  readonly output?: string;
}

/** The package bucket of a deployed stack, from the outputs file; undefined without one. */
function bucketFromOutputs(home: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const file = join(home, OUTPUTS_FILE);
  if (!existsSync(file)) return undefined;
  const outputs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
  const stackName = env.MESOS_CLUSTER_STACK_NAME ?? 'MesosCluster';
  return (
    outputs[stackName]?.PackageMirrorBucketName ?? Object.values(outputs).find((o) => o.PackageMirrorBucketName)?.PackageMirrorBucketName
  );
}

function resultLine(r: MirrorResult): string {
  const what = { present: 'already in the mirror', uploaded: 'uploaded', replaced: 'uploaded (replaced other content)' }[r.action];
  return `${r.package} ${r.version} (Ubuntu ${r.ubuntuRelease})  ${what}${r.recorded ? ', SHA256 recorded' : ''}  ${r.key}  sha256 ${r.sha256}`;
}

/** `mirror [--from DIR] [--record] [--bucket NAME] [--manifest FILE] [--simulate|--local]`. */
export async function mirrorCommand(
  ctx: Context,
  flags: MirrorFlags,
  env: Readonly<Record<string, string | undefined>> = process.env
): Promise<number> {
  try {
    const mode = modeOf(flags);
    const output = outputOf(flags);
    if (flags.record && !flags.from) throw new UsageError('--record needs --from DIR: the files to hash');
    if (flags.from && !existsSync(flags.from)) throw new UsageError(`--from: no folder ${flags.from}`);
    const manifestFile = flags.manifest ?? MANIFEST_FILE;
    const manifest = readManifest(manifestFile);
    const bucket =
      flags.bucket ??
      env[PACKAGE_BUCKET_ENV] ??
      bucketFromOutputs(ctx.home, env) ??
      (mode === 'simulate' ? SIMULATED_PACKAGE_BUCKET : undefined);
    if (!bucket) {
      throw new UsageError(
        `no package bucket: pass --bucket, set ${PACKAGE_BUCKET_ENV}, or deploy with --outputs-file <home>/${OUTPUTS_FILE} (output PackageMirrorBucketName)`
      );
    }
    const outcome = await withCloud({ home: ctx.home, mode, seed: `mirror:${bucket}` }, async (session) => {
      const s3 = session.simulator ? session.simulator.clients().s3 : new S3Client({});
      return fillMirror({ s3, bucket, manifest, from: flags.from, record: flags.record });
    });
    if (outcome.results.some((r) => r.recorded)) writeManifest(manifestFile, outcome.manifest);
    if (output === 'json') {
      ctx.io.stdout(`${JSON.stringify({ bucket, packages: outcome.results }, null, 2)}\n`);
    } else {
      for (const r of outcome.results) ctx.io.stdout(`${resultLine(r)}\n`);
      ctx.io.stdout(`mirror s3://${bucket}: ${outcome.results.filter((r) => r.action !== 'present').length} uploaded\n`);
      if (outcome.results.some((r) => r.recorded)) ctx.io.stdout(`recorded SHA256 in ${manifestFile}: review and commit it\n`);
    }
    return EXIT.ok;
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof PackageChecksumError ||
      err instanceof PackageMissingError ||
      err instanceof PackageNotRecordedError
    ) {
      ctx.io.stderr(`error: ${err instanceof UsageError ? '' : `${err.name}: `}${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}
