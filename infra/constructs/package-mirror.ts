/**
 * The project's own package source: an S3 bucket with the pinned Mesos and Marathon .deb
 * files, filled by `mesos-cluster mirror` (each file checked against the SHA256 of the
 * project's manifest, functions/shared/package-manifest.json). The configure documents
 * download the files with SSM's aws:downloadContent (the instance role's credentials), and
 * the scripts check each file's SHA256 again before installing it. A vendor outage or an
 * expired vendor key therefore cannot stop a create.
 *
 * The bucket is encrypted (S3 managed keys), versioned (an overwritten package keeps its
 * earlier version), blocked from public access, reachable only over TLS, and kept when the
 * stack is deleted (it holds what the clusters were built from). The node role may read it,
 * nothing more.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcards } from '../nag';

/** The folder of the packages in the bucket: `pool/<codename>/<file>.deb`. */
export const PACKAGE_PREFIX = 'pool/';

export interface PackageMirrorProps {
  /** The cluster nodes' role: it may read the packages (s3:GetObject, s3:ListBucket under pool/). */
  readonly nodeRole: iam.Role;
}

/** The package mirror bucket. */
export class PackageMirror extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: PackageMirrorProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Read only, and only the packages. aws:downloadContent lists the key as a prefix before
    // it fetches the object (amazon-ssm-agent, plugins/downloadcontent/s3resource), so
    // ListBucket (limited to the package prefix) belongs to reading.
    const read = new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [this.bucket.arnForObjects(`${PACKAGE_PREFIX}*`)],
    });
    const list = new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [this.bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${PACKAGE_PREFIX}*`] } },
    });
    props.nodeRole.addToPrincipalPolicy(read);
    props.nodeRole.addToPrincipalPolicy(list);
    acknowledgeWildcards(props.nodeRole, [
      { statement: read, reason: 'The nodes read the mirrored .deb files, every object under pool/ of the package bucket, nothing else' },
    ]);
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds public software packages written only by the mirror command; CloudTrail records its API calls, and an access-log bucket would be one more bucket to keep for no reader',
    });
  }
}
