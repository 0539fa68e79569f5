/**
 * The cluster config file that `create --dry-run` prints and `create -f` reads: the
 * cluster spec (the API's request body, the one schema), every default filled in.
 */
import { stringify } from 'yaml';
import type { ClusterSpec } from '../functions/shared/cluster-spec';

const HEADER = [
  '# mesos-cluster cluster config: the cluster spec with every default filled in.',
  '# Create the cluster with: mesos-cluster create -f <this file>',
  '# (flags given with -f override its fields; see examples/cluster.yaml for each field).',
];

/** The config of a validated spec: YAML with a header comment, or JSON (`--output json`). */
export function configText(spec: ClusterSpec, format: 'text' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(spec, null, 2)}\n`;
  return `${HEADER.join('\n')}\n${stringify(spec, { lineWidth: 0 })}`;
}
