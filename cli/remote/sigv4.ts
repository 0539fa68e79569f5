/**
 * SigV4 signing of the CLI's API calls: the SDK's own signer (@smithy/signature-v4) with a
 * SHA-256 of node:crypto, service `execute-api`, credentials from the standard chain
 * (environment, shared config and SSO profiles, process, web identity, ECS/EC2 metadata).
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum, SourceData } from '@smithy/types';

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the signer expects. */
export class Sha256 implements Checksum {
  private readonly secret?: SourceData;
  private hash: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.secret = secret;
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }

  update(data: SourceData): void {
    this.hash.update(toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The Region of an execute-api URL (`https://<id>.execute-api.<region>.amazonaws.com/...`). */
export function regionOfUrl(url: URL): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];
}

/** The default credential chain (of a named profile if given), loaded on first use (it is only needed in the remote mode). */
export function defaultCredentials(profile?: string): AwsCredentialIdentityProvider {
  const { defaultProvider } = require('@aws-sdk/credential-provider-node') as typeof import('@aws-sdk/credential-provider-node');
  const provider = defaultProvider(profile ? { profile } : {});
  return () => provider();
}

/** A request to sign and send. */
export interface SignedRequest {
  readonly method: string;
  readonly url: URL;
  readonly body?: string;
}

/** Signs a request for `execute-api` and returns the headers to send with it. */
export async function signRequest(
  request: SignedRequest,
  options: { region: string; credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider; signingDate?: Date }
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 'execute-api', region: options.region, credentials: options.credentials, sha256: Sha256 });
  const query: Record<string, string> = {};
  for (const [k, v] of request.url.searchParams) query[k] = v;
  const headers: Record<string, string> = { host: request.url.host, accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      port: request.url.port ? Number(request.url.port) : undefined,
      path: request.url.pathname,
      query,
      headers,
      body: request.body,
    },
    { signingDate: options.signingDate }
  );
  return signed.headers as Record<string, string>;
}
