/**
 * Builds the self-contained scripts of the SSM Command documents from bootstrap/*.sh.
 * SSM sends one script, so the libraries (`lib/common.sh`, `lib/cluster.sh`) are inlined
 * where a script sources them, and the scripts that a document installs on the machine
 * (themselves rendered) are embedded as quoted heredocs: the join script into
 * configure-slave, the metrics publisher into install-metrics-publisher. The same transformation
 * runs in bash (`join_script_source`, `metrics_script_source`) when the scripts are used
 * straight from this folder; the unit tests check that both agree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The scripts that become documents (or, for the join script, part of one). */
export const BOOTSTRAP_SCRIPTS = [
  'configure-master',
  'configure-slave',
  'count-agents',
  'mesos-cluster-join',
  'agent-load',
  'drain-agents',
  'publish-metrics',
  'install-metrics-publisher',
  'marathon-smoke-test',
] as const;

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
  'agent-load': {},
  // An empty value clears the maintenance schedule: its allowedPattern must admit ''.
  'drain-agents': { AgentIps: 'AGENT_IPS' },
  // Installed by install-metrics-publisher, not a document; CLUSTER_ID reaches it through a file.
  'publish-metrics': {},
  // Run by the configure-master document as its last step (aws:runDocument).
  'install-metrics-publisher': {},
  'marathon-smoke-test': { SmokeTestAction: 'SMOKE_TEST_ACTION' },
};

/** The parameters of the package mirror (PackageSource mirror); empty for the vendor's repository. */
const MIRROR_PARAMETERS = {
  PackageSource: 'PACKAGE_SOURCE',
  MesosPackageKey: 'MESOS_PACKAGE_KEY',
  MesosPackageSha256: 'MESOS_PACKAGE_SHA256',
} as const;

/**
 * The optional parameters a document may add (not in SCRIPT_PARAMETERS, so that a caller
 * that does not pass them still runs): the cluster id the metrics publisher needs, and the
 * mirrored packages with their SHA256 (PackageSource mirror; empty means the vendor's repository).
 */
export const OPTIONAL_SCRIPT_PARAMETERS: Readonly<Partial<Record<BootstrapScriptName, Readonly<Record<string, string>>>>> = {
  'configure-master': {
    ClusterId: 'CLUSTER_ID',
    ...MIRROR_PARAMETERS,
    MarathonPackageKey: 'MARATHON_PACKAGE_KEY',
    MarathonPackageSha256: 'MARATHON_PACKAGE_SHA256',
  },
  'configure-slave': { ...MIRROR_PARAMETERS },
  'install-metrics-publisher': { ClusterId: 'CLUSTER_ID' },
};

/** A script that a document installs on the machine, embedded into the document's script. */
interface Embed {
  readonly script: BootstrapScriptName;
  /** The bash function that prints it. */
  readonly fn: string;
  readonly heredoc: string;
  readonly comment: string;
}

const EMBEDS: Readonly<Partial<Record<BootstrapScriptName, Embed>>> = {
  'configure-slave': {
    script: 'mesos-cluster-join',
    fn: 'join_script_source',
    heredoc: 'MESOS_CLUSTER_JOIN_EOF',
    comment: '# join_script_source: the self-contained join script (common.sh inlined, as the renderer does).',
  },
  'install-metrics-publisher': {
    script: 'publish-metrics',
    fn: 'metrics_script_source',
    heredoc: 'MESOS_CLUSTER_METRICS_EOF',
    comment: '# metrics_script_source: the self-contained metrics publisher (libraries inlined, as the renderer does).',
  },
};

const BOOTSTRAP_DIR = __dirname;
const INLINE_COMMON = '# >>> inline lib/common.sh';
const INLINE_BEGIN = /^# >>> inline (lib\/[a-z0-9-]+\.sh)$/;

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

/**
 * Scripts that take the library from the script they embed (which has it inlined), so that
 * their document carries one copy of it.
 */
/** Lines that only the scripts run from this folder need (where their sources are); dropped in a document. */
const SOURCES_ONLY_BEGIN = '# >>> sources only';
const SOURCES_ONLY_END = '# <<< sources only';

const LIBRARY_FROM_EMBED: readonly BootstrapScriptName[] = ['install-metrics-publisher', 'configure-slave'];

/** Replaces every `# >>> inline lib/X.sh` ... `# <<< inline lib/X.sh` block with lib/X.sh (without its shebang). */
function inlineLibraries(lines: readonly string[], where: string, required: boolean): string[] {
  if (required && !lines.includes(INLINE_COMMON)) throw new Error(`${where}: missing '${INLINE_COMMON}' block`);
  let out = [...lines];
  for (const line of lines) {
    const lib = INLINE_BEGIN.exec(line)?.[1];
    if (lib) out = replaceBlock(out, line, `# <<< inline ${lib}`, readLines(lib).slice(1), where);
  }
  return out;
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
  let lines = inlineLibraries(readLines(`${name}.sh`), where, !LIBRARY_FROM_EMBED.includes(name));
  if (lines.includes(SOURCES_ONLY_BEGIN)) lines = replaceBlock(lines, SOURCES_ONLY_BEGIN, SOURCES_ONLY_END, [], where);
  const embed = EMBEDS[name];
  if (embed) {
    const text = renderDocumentScript(embed.script).split('\n');
    text.pop();
    if (text.includes(embed.heredoc)) throw new Error(`bootstrap/${embed.script}.sh contains the line '${embed.heredoc}'`);
    const embedded = [embed.comment, `${embed.fn}() {`, `  cat <<'${embed.heredoc}'`, ...text, embed.heredoc, '}'];
    lines = replaceBlock(lines, `# >>> embed ${embed.script}.sh`, `# <<< embed ${embed.script}.sh`, embedded, where);
  }
  return `${lines.join('\n')}\n`;
}
