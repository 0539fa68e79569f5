/**
 * Builds the self-contained scripts of the SSM Command documents from bootstrap/*.sh.
 * SSM sends one script, so `lib/common.sh` is inlined where a script sources it, and the
 * join script (itself rendered) is embedded into configure-slave as a quoted heredoc.
 * The same transformation runs in bash (configure-slave.sh `join_script_source`) when the
 * scripts are used straight from this folder; the unit tests check that both agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The scripts that become documents (or, for the join script, part of one). */
export const BOOTSTRAP_SCRIPTS = ['configure-master', 'configure-slave', 'count-agents', 'mesos-cluster-join'] as const;

/** Name of a script in bootstrap/, without `.sh`. */
export type BootstrapScriptName = (typeof BOOTSTRAP_SCRIPTS)[number];

/**
 * The environment variables each script reads, keyed by the SSM document parameter that
 * supplies them. The document declares the parameters (with an `allowedPattern`) and
 * exports them before the script; the scripts validate them again.
 */
export const SCRIPT_PARAMETERS: Readonly<Record<BootstrapScriptName, Readonly<Record<string, string>>>> = {
  'configure-master': {
    ClusterName: 'CLUSTER_NAME',
    MasterIps: 'MASTER_IPS',
    MesosVersion: 'MESOS_VERSION',
    MarathonVersion: 'MARATHON_VERSION',
    PackageRepository: 'PACKAGE_REPOSITORY',
    PackageKeyUrl: 'PACKAGE_KEY_URL',
  },
  'configure-slave': {
    ClusterName: 'CLUSTER_NAME',
    MesosVersion: 'MESOS_VERSION',
    PackageRepository: 'PACKAGE_REPOSITORY',
    PackageKeyUrl: 'PACKAGE_KEY_URL',
  },
  'count-agents': {},
  'mesos-cluster-join': {},
};

const BOOTSTRAP_DIR = __dirname;
const INLINE_BEGIN = '# >>> inline lib/common.sh';
const INLINE_END = '# <<< inline lib/common.sh';
const EMBED_BEGIN = '# >>> embed mesos-cluster-join.sh';
const EMBED_END = '# <<< embed mesos-cluster-join.sh';
const HEREDOC_END = 'MESOS_CLUSTER_JOIN_EOF';

function readLines(relativePath: string): string[] {
  const lines = readFileSync(join(BOOTSTRAP_DIR, relativePath), 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Replaces the lines from `begin` to `end` (both included) with `replacement`. */
function replaceBlock(lines: readonly string[], begin: string, end: string, replacement: readonly string[], where: string): string[] {
  const from = lines.indexOf(begin);
  const to = lines.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${where}: missing '${begin}' ... '${end}' block`);
  if (lines.indexOf(begin, from + 1) >= 0) throw new Error(`${where}: more than one '${begin}' block`);
  return [...lines.slice(0, from), ...replacement, ...lines.slice(to + 1)];
}

function inlineCommon(lines: readonly string[], where: string): string[] {
  const common = readLines('lib/common.sh').slice(1); // without its shebang
  return replaceBlock(lines, INLINE_BEGIN, INLINE_END, common, where);
}

/**
 * The self-contained text of a bootstrap script, ready to be the `runCommand` of an SSM
 * document (or, for `mesos-cluster-join`, the file baked into the slave image).
 *
 * The text starts with a bash shebang and re-executes itself under bash if `sh` runs it,
 * so `export` lines placed before it by the document do no harm.
 */
export function renderDocumentScript(name: BootstrapScriptName): string {
  if (!BOOTSTRAP_SCRIPTS.includes(name)) throw new Error(`unknown bootstrap script '${name}'`);
  const where = `bootstrap/${name}.sh`;
  let lines = inlineCommon(readLines(`${name}.sh`), where);
  if (name === 'configure-slave') {
    const join = renderDocumentScript('mesos-cluster-join').split('\n');
    join.pop();
    if (join.includes(HEREDOC_END)) throw new Error(`bootstrap/mesos-cluster-join.sh contains the line '${HEREDOC_END}'`);
    const embedded = [
      '# join_script_source: the self-contained join script (common.sh inlined, as the renderer does).',
      'join_script_source() {',
      `  cat <<'${HEREDOC_END}'`,
      ...join,
      HEREDOC_END,
      '}',
    ];
    lines = replaceBlock(lines, EMBED_BEGIN, EMBED_END, embedded, where);
  }
  return `${lines.join('\n')}\n`;
}
