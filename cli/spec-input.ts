/**
 * The create request from the command line: an optional --spec JSON file, overridden
 * field by field by the flags. Validation is parseClusterSpec's (the schema shared with
 * the API and the workflow), so a bad flag is reported by its spec field.
 */
import { readFileSync } from 'node:fs';
import { parseWholeNumber } from './numbers';

/** The create flags, as commander hands them over (strings and booleans). */
export interface CreateFlags {
  readonly name?: string;
  readonly masters?: string;
  readonly slaves?: string;
  readonly adminCidr?: string;
  readonly vpcCidr?: string;
  readonly publicSubnetCidr?: string;
  readonly privateSubnetCidr?: string;
  readonly availabilityZone?: string;
  /** Comma-separated zone names. */
  readonly availabilityZones?: string;
  readonly natGateways?: string;
  readonly freshImage?: boolean;
  readonly masterInstanceType?: string;
  readonly slaveInstanceType?: string;
  readonly allowPublicAdmin?: boolean;
  readonly keepOnFailure?: boolean;
  readonly spec?: string;
}

/** A --spec file that cannot be read or is not a JSON object. */
export class SpecFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SpecFileError';
  }
}

function readSpecFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SpecFileError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new SpecFileError(`${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SpecFileError(`${file} must hold a JSON object (a cluster spec)`);
  }
  return parsed as Record<string, unknown>;
}

/** A whole-number flag (the schema checks its range and names the spec field). */
function numeric(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseWholeNumber(flag, value);
}

/** The unvalidated spec: the --spec file's fields, then every flag that was given. */
export function specInputOf(flags: CreateFlags): Record<string, unknown> {
  const base = flags.spec ? readSpecFile(flags.spec) : {};
  const fromFlags: Record<string, unknown> = {
    name: flags.name,
    masters: numeric('--masters', flags.masters),
    slaves: numeric('--slaves', flags.slaves),
    adminCidr: flags.adminCidr,
    vpcCidr: flags.vpcCidr,
    publicSubnetCidr: flags.publicSubnetCidr,
    privateSubnetCidr: flags.privateSubnetCidr,
    availabilityZone: flags.availabilityZone,
    availabilityZones: flags.availabilityZones
      ?.split(',')
      .map((zone) => zone.trim())
      .filter((zone) => zone.length > 0),
    natGateways: flags.natGateways,
    freshImage: flags.freshImage ? true : undefined,
    masterInstanceType: flags.masterInstanceType,
    slaveInstanceType: flags.slaveInstanceType,
    allowPublicAdmin: flags.allowPublicAdmin ? true : undefined,
    keepOnFailure: flags.keepOnFailure ? true : undefined,
  };
  const spec: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(fromFlags)) if (value !== undefined) spec[key] = value;
  return spec;
}
