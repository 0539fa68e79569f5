/**
 * The cluster id, `<name>-<6 hex digits>`, and the start of a create: the id, the create
 * execution's name and the create machine's input. The API's POST /clusters and the CLI's
 * create both start a create through `createStart`, so the format is written here only.
 */
import { randomBytes } from 'node:crypto';

/** A cluster name: a lowercase DNS label of 3 to 32 characters, starting with a letter. */
export const CLUSTER_NAME_SOURCE = '[a-z][a-z0-9-]{1,30}[a-z0-9]';
/** How many hex digits follow the name. */
export const CLUSTER_ID_SUFFIX_DIGITS = 6;
/** A cluster id, unanchored (to build execution-name patterns from). */
export const CLUSTER_ID_SOURCE = `${CLUSTER_NAME_SOURCE}-[0-9a-f]{${CLUSTER_ID_SUFFIX_DIGITS}}`;
/** `<name>-<6 hex>`: the form of every cluster id, anchored. */
export const CLUSTER_ID_PATTERN = `^${CLUSTER_ID_SOURCE}$`;

const CLUSTER_ID_RE = new RegExp(CLUSTER_ID_PATTERN);
const SUFFIX_RE = new RegExp(`^[0-9a-f]{${CLUSTER_ID_SUFFIX_DIGITS}}$`);

/** Whether a string is a cluster id. */
export function isClusterId(value: string): boolean {
  return CLUSTER_ID_RE.test(value);
}

/** The cluster name inside a cluster id. */
export function nameOfClusterId(clusterId: string): string {
  return clusterId.slice(0, -(CLUSTER_ID_SUFFIX_DIGITS + 1));
}

/** A random suffix: 6 hex digits from 3 random bytes. */
export function randomClusterSuffix(): string {
  return randomBytes(CLUSTER_ID_SUFFIX_DIGITS / 2).toString('hex');
}

/** The id of cluster `name` with `suffix` (6 hex digits; throws on anything else). */
export function clusterIdFor(name: string, suffix: string = randomClusterSuffix()): string {
  if (!SUFFIX_RE.test(suffix)) throw new Error(`a cluster id suffix is ${CLUSTER_ID_SUFFIX_DIGITS} hex digits, got '${suffix}'`);
  return `${name}-${suffix}`;
}

/** The create machine's input. */
export interface CreateMachineInput<S = unknown> {
  readonly clusterId: string;
  readonly clusterName: string;
  readonly spec: S;
}

/** What starting a create needs: the cluster id, the execution's name and the machine's input. */
export interface CreateStart<S = unknown> {
  readonly clusterId: string;
  /** `create-<clusterId>`: one create execution per cluster id. */
  readonly executionName: string;
  readonly input: CreateMachineInput<S>;
}

/** The create execution's name of a cluster. */
export function createExecutionName(clusterId: string): string {
  return `create-${clusterId}`;
}

/** The start of the create of cluster `clusterId` (made with `clusterIdFor`) from its spec. */
export function createStart<S>(clusterId: string, clusterName: string, spec: S): CreateStart<S> {
  return { clusterId, executionName: createExecutionName(clusterId), input: { clusterId, clusterName, spec } };
}
