/**
 * The create request from the command line: an optional cluster config file (`-f`, YAML
 * or JSON: the fields of the cluster spec), overridden field by field by the flags.
 * Validation is parseClusterSpec's (the schema shared with the API and the workflow): no
 * second schema; a bad value is reported by the flag or the file position it came from.
 */
import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { ALLOWED_INSTANCE_TYPES, type ClusterSpec, NAT_GATEWAY_MODES, parseClusterSpec } from '../functions/shared/cluster-spec';
import { ValidationError } from '../functions/shared/errors';
import { PACKAGE_SOURCES } from '../functions/shared/package-manifest';
import { NumberFlagError, parseWholeNumber } from './numbers';
import { didYouMean } from './suggest';

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
  /** A cluster config file (YAML or JSON), `--spec`'s older name for `-f/--file`. */
  readonly spec?: string;
  /** A cluster config file (YAML or JSON): `-f/--file`. */
  readonly file?: string;
}

/** A cluster config file (-f/--spec) that cannot be read, is not YAML or JSON, or holds no mapping. */
export class SpecFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SpecFileError';
  }
}

/** A cluster config file, parsed: its fields, and where each field is written in it. */
export interface SpecFile {
  readonly file: string;
  readonly fields: Record<string, unknown>;
  /** `file:line:col` of the value at a spec path (`autoscaling.minSlaves`), or of the nearest field above it. */
  locate(path: string): string;
}

/**
 * Reads a cluster config file: YAML (1.2, core schema) or JSON, which is YAML too. A syntax
 * error, a duplicate key or a second document is reported as `file:line:col: …`.
 */
export function readSpecFile(file: string): SpecFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SpecFileError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const [error] = doc.errors;
  if (error) throw new SpecFileError(`${at(error.pos[0])}: ${error.message} (the file must be YAML or JSON)`, { cause: error });
  const fields: unknown = doc.toJS();
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    const offset = isNode(doc.contents) ? (doc.contents.range?.[0] ?? 0) : 0;
    throw new SpecFileError(`${at(offset)}: must hold a mapping of cluster spec fields (name, adminCidr, masters, …)`);
  }
  return {
    file,
    fields: fields as Record<string, unknown>,
    locate: (path) => {
      const keys = path.split('.');
      for (let n = keys.length; n > 0; n--) {
        const node = doc.getIn(keys.slice(0, n), true);
        if (isNode(node) && node.range) return at(node.range[0]);
      }
      return file;
    },
  };
}

/** The config file of the flags: `-f/--file` or `--spec` (one of them). */
export function specFileOf(flags: CreateFlags): string | undefined {
  if (flags.file !== undefined && flags.spec !== undefined)
    throw new SpecFileError('give the cluster config file once: -f/--file or --spec');
  return flags.file ?? flags.spec;
}

/** A whole-number flag (the schema checks its range and names the spec field). */
function numeric(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseWholeNumber(flag, value);
}

function fileOf(flags: CreateFlags): SpecFile | undefined {
  const file = specFileOf(flags);
  return file === undefined ? undefined : readSpecFile(file);
}

/** The unvalidated spec: the config file's fields, then every flag that was given. */
export function specInputOf(flags: CreateFlags, file: SpecFile | undefined = fileOf(flags)): Record<string, unknown> {
  const base = file?.fields ?? {};
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

/** A spec that the shared schema refuses, or a config file or number flag that cannot be read: exit 2. */
export class SpecInputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SpecInputError';
  }
}

/** The flag that sets a spec field, as the user types it (`adminCidr` → `--admin-cidr`). */
function flagName(field: string): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The spec fields each create flag sets: the flag's own, and `--availability-zone` also sets the zone list. */
const FLAG_FIELDS: Readonly<Record<string, readonly string[]>> = {
  availabilityZone: ['availabilityZone', 'availabilityZones'],
};

/**
 * Where a refused spec field came from, as a prefix of the message: the flag the user
 * typed (`--admin-cidr`), else the field's place in the config file (`cluster.yaml:4:10: slaves`),
 * else the field itself. `message` starts with `<field>: `.
 */
export function sourcedMessage(field: string, message: string, flags: CreateFlags, file: SpecFile | undefined): string {
  const top = field.split(/[.,]/)[0]?.trim() ?? field;
  const given = flags as Record<string, unknown>;
  // The rule after `<field>: ` (a step's refusal has its step id first: `validate-spec: availabilityZones: …`).
  const at = message.indexOf(`${field}: `);
  const rule = at >= 0 ? message.slice(at + field.length + 2) : message;
  if (!field.includes('.')) {
    const flag = Object.keys(given).find(
      (key) => given[key] !== undefined && given[key] !== false && (FLAG_FIELDS[key] ?? [key]).includes(top) && key in FROM_FLAGS
    );
    if (flag) return `${flagName(flag)}: ${rule}${suggestion(field, given[flag])}`;
  }
  if (file && top in file.fields) {
    const value = field.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], file.fields);
    return `${file.locate(field.split(',')[0]?.trim() ?? field)}: ${field}: ${rule}${suggestion(field, value)}`;
  }
  // A required field that neither a flag nor the file gave: the flag to give.
  if (rule === 'is required' && top in FROM_FLAGS && !field.includes('.'))
    return `${flagName(top)}: ${rule}${file ? ` (or ${top} in ${file.file})` : ''}`;
  return message;
}

/** The values of the spec fields that take one of a few words, for "did you mean". */
const CHOICES: Readonly<Record<string, readonly string[]>> = {
  natGateways: NAT_GATEWAY_MODES,
  masterInstanceType: ALLOWED_INSTANCE_TYPES,
  slaveInstanceType: ALLOWED_INSTANCE_TYPES,
  'software.packageSource': PACKAGE_SOURCES,
};

/** ` (did you mean perAz?)` for a near miss of a field's choices. */
function suggestion(field: string, value: unknown): string {
  const choices = CHOICES[field];
  return choices && typeof value === 'string' && !choices.includes(value) ? didYouMean(value, choices) : '';
}

/** The create flags that set a spec field. */
const FROM_FLAGS: Readonly<Record<string, true>> = Object.fromEntries(
  [
    'name',
    'masters',
    'slaves',
    'adminCidr',
    'vpcCidr',
    'publicSubnetCidr',
    'privateSubnetCidr',
    'availabilityZone',
    'availabilityZones',
    'natGateways',
    'freshImage',
    'masterInstanceType',
    'slaveInstanceType',
    'allowPublicAdmin',
    'keepOnFailure',
  ].map((key) => [key, true] as const)
);

/** The unvalidated spec of the flags and config file, and the file; SpecInputError for a file or number flag that cannot be read. */
export function specSourceOf(flags: CreateFlags): { input: Record<string, unknown>; file?: SpecFile } {
  try {
    const file = fileOf(flags);
    return { input: specInputOf(flags, file), file };
  } catch (err) {
    if (err instanceof SpecFileError) {
      // A file that cannot be read is named with the flag that gave it; the others by file:line:col.
      const flag = flags.spec !== undefined ? '--spec' : '-f';
      throw new SpecInputError(err.message.startsWith('cannot read') ? `${flag}: ${err.message}` : err.message, { cause: err });
    }
    if (err instanceof NumberFlagError) throw new SpecInputError(err.message, { cause: err });
    throw err;
  }
}

/**
 * The spec of the flags and config file, validated by parseClusterSpec with every default
 * filled in; throws SpecInputError naming the flag or file position of a refused value.
 */
export function validatedSpecOf(flags: CreateFlags): { spec: ClusterSpec; input: Record<string, unknown>; file?: SpecFile } {
  const { input, file } = specSourceOf(flags);
  try {
    return { spec: parseClusterSpec(input), input, file };
  } catch (err) {
    if (err instanceof ValidationError) throw new SpecInputError(sourcedMessage(err.field, err.message, flags, file), { cause: err });
    throw err;
  }
}
