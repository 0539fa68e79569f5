/**
 * The SSM Command documents that configure the cluster nodes, built at synth from the
 * scripts in bootstrap/ (bootstrap/render-document-script.ts inlines their library).
 *
 * configure-master and configure-slave start with one `aws:downloadContent` step per
 * mirrored package (sourceType S3: the SSM agent fetches the object from the stack's package
 * bucket with the instance role, no AWS CLI needed), each run only when the command's
 * PackageSource is `mirror` (a precondition on a document parameter, SSM Agent 3.0.196+);
 * the script then checks every .deb against the SHA256 the command passes. configure-master
 * ends with an `aws:runDocument` step that runs install-metrics-publisher: a document of its
 * own, so that configure-master stays well under SSM's 64 KB (checked at synth: 56 KB).
 *
 * Request fields reach the scripts only as document parameters: SSM checks each against
 * its `allowedPattern` before the command runs, and the document exports it as an
 * environment variable in single quotes (no pattern admits a quote), so no value is ever
 * parsed by the shell. The scripts validate the values again.
 */
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  type BootstrapScriptName,
  OPTIONAL_SCRIPT_PARAMETERS,
  renderDocumentScript,
  SCRIPT_PARAMETERS,
} from '../../bootstrap/render-document-script';
import { MAX_TIMEOUT_MINUTES } from '../../functions/shared/cluster-spec-rules';
import type { DocumentKey } from '../permissions';

const PACKAGE_KEY = '^(pool/[a-z0-9.-]+/[A-Za-z0-9.+~_-]+\\.deb)?$';
const SHA256 = '^([0-9a-f]{64})?$';
const IPV4 = '((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';

/** The allowed pattern of every document parameter (the same rules as the cluster spec). */
export const PARAMETER_PATTERNS: Readonly<Record<string, { readonly pattern: string; readonly description: string }>> = {
  ClusterName: {
    pattern: '^[a-z][a-z0-9-]{1,30}[a-z0-9]$',
    description: 'The cluster name: a lowercase DNS label of 3 to 32 characters',
  },
  MasterIps: {
    pattern:
      '^(((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))(,((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){0,6}$',
    description: "The masters' private IPv4 addresses, comma-separated, in ZooKeeper id order",
  },
  MesosVersion: { pattern: '^[A-Za-z0-9.+~:-]{1,64}$', description: 'The version of the Mesos package' },
  MarathonVersion: { pattern: '^[A-Za-z0-9.+~:-]{1,64}$', description: 'The version of the Marathon package' },
  PackageRepository: {
    pattern: '^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$',
    description: 'The https URL of the apt repository with Mesos and Marathon',
  },
  PackageKeyUrl: {
    pattern: '^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~%/-]*)?$',
    description: "The https URL of that repository's signing key",
  },
  // Empty clears the maintenance schedule; at most 50 agents (drain-agents.sh MAX_DRAIN_AGENTS).
  AgentIps: {
    pattern: `^(${IPV4}(,${IPV4}){0,49})?$`,
    description: 'The private IPv4 addresses of the agents to drain, comma-separated; empty clears the maintenance schedule',
  },
  SmokeTestAction: {
    pattern: '^(deploy|status|remove)$',
    description: 'What to do with the Marathon smoke test app: deploy, status or remove',
  },
  PackageSource: {
    pattern: '^(mirror|vendor)?$',
    description:
      "Where Mesos and Marathon come from: mirror (the stack's package bucket) or vendor (PackageRepository); empty means vendor",
  },
  MesosPackageKey: { pattern: PACKAGE_KEY, description: 'The S3 key of the mirrored Mesos .deb (PackageSource mirror)' },
  MesosPackageSha256: { pattern: SHA256, description: "The SHA256 of the mirrored Mesos .deb, from the project's manifest" },
  MarathonPackageKey: { pattern: PACKAGE_KEY, description: 'The S3 key of the mirrored Marathon .deb (PackageSource mirror)' },
  MarathonPackageSha256: { pattern: SHA256, description: "The SHA256 of the mirrored Marathon .deb, from the project's manifest" },
  // Optional (empty by default): the id under which the leading master publishes the cluster's metrics.
  ClusterId: {
    pattern: '^([a-z0-9][a-z0-9-]{0,62})?$',
    description: 'The cluster id: the ClusterId dimension of the MesosCluster metrics that the scaling alarms watch',
  },
};

/** Which script each document runs, and for how long at most. */
const DOCUMENTS: Readonly<Record<DocumentKey, { script: BootstrapScriptName; description: string; timeoutSeconds: number }>> = {
  // At least the longest setup budget a spec may give (its `timeouts`, MAX_TIMEOUT_MINUTES):
  // the create machine's budget ends a slow setup, not SSM.
  configureMaster: {
    script: 'configure-master',
    description: 'Configures a Mesos master: ZooKeeper, Mesos master, Marathon',
    timeoutSeconds: MAX_TIMEOUT_MINUTES * 60,
  },
  configureSlave: {
    script: 'configure-slave',
    description: 'Configures the template slave (Mesos agent, Docker) and prepares it for the image',
    timeoutSeconds: MAX_TIMEOUT_MINUTES * 60,
  },
  countAgents: { script: 'count-agents', description: 'Prints the number of active Mesos agents', timeoutSeconds: 120 },
  agentLoad: {
    script: 'agent-load',
    description: 'Prints the tasks on every Mesos agent of the leading master: <agent-ip> <tasks>',
    timeoutSeconds: 120,
  },
  drainAgents: {
    script: 'drain-agents',
    description: 'Puts Mesos agents into maintenance and drains them; an empty list clears the maintenance schedule',
    timeoutSeconds: 300,
  },
  marathonSmokeTest: {
    script: 'marathon-smoke-test',
    description: 'Deploys, reports or removes the Marathon smoke test app of a new cluster',
    timeoutSeconds: 120,
  },
};

/**
 * SSM allows 64 KB of document content; the synth fails well before, at 56 KB, so that a
 * growing script is split (as install-metrics-publisher was) rather than squeezed.
 */
export const MAX_CONTENT_BYTES = 56 * 1024;

/** Where the configure documents' aws:downloadContent steps put the mirrored .deb files (lib/common.sh PACKAGE_DOWNLOAD_DIR). */
export const PACKAGE_DOWNLOAD_DIR = '/var/lib/mesos-cluster/packages/';

/** The mirrored packages each configure document downloads: the document parameter with its S3 key. */
const MIRRORED_PACKAGES: Readonly<Partial<Record<BootstrapScriptName, readonly { step: string; keyParameter: string }[]>>> = {
  'configure-master': [
    { step: 'downloadMesosPackage', keyParameter: 'MesosPackageKey' },
    { step: 'downloadMarathonPackage', keyParameter: 'MarathonPackageKey' },
  ],
  'configure-slave': [{ step: 'downloadMesosPackage', keyParameter: 'MesosPackageKey' }],
};

export interface CommandDocumentsProps {
  /** Renders a script; tests may stub it. @default renderDocumentScript from bootstrap/ */
  readonly renderScript?: (name: BootstrapScriptName) => string;
  /**
   * The regional domain name of the package mirror bucket (`bucket.bucketRegionalDomainName`):
   * the configure documents download the mirrored .deb files from it.
   */
  readonly packageBucketDomainName: string;
}

/** Steps a document runs before and after its script. */
export interface DocumentSteps {
  /** The regional domain name of the package bucket, for the aws:downloadContent steps. */
  readonly packageBucketDomainName?: string;
  /** A document that runs after the script (aws:runDocument), with the parameters it gets. */
  readonly runAfter?: { readonly document: string; readonly parameters: Readonly<Record<string, string>> };
}

/** The configure-master, configure-slave, count-agents, agent-load, drain-agents and install-metrics-publisher documents. */
export class CommandDocuments extends Construct {
  /** The document names (CloudFormation-generated), for the steps' environment and IAM. */
  readonly names: Readonly<Record<DocumentKey, string>>;
  readonly documents: Readonly<Record<DocumentKey, ssm.CfnDocument>>;
  /** Run by configure-master as its last step; no workflow step sends it. */
  readonly installMetricsPublisher: ssm.CfnDocument;

  constructor(scope: Construct, id: string, props: CommandDocumentsProps) {
    super(scope, id);
    const render = props.renderScript ?? renderDocumentScript;
    this.installMetricsPublisher = new ssm.CfnDocument(this, 'InstallMetricsPublisher', {
      documentType: 'Command',
      documentFormat: 'JSON',
      content: documentContent(
        'install-metrics-publisher',
        'Installs the metrics publisher of a Mesos master and its timer (run by configure-master)',
        300,
        render('install-metrics-publisher')
      ),
    });
    const documents = {} as Record<DocumentKey, ssm.CfnDocument>;
    for (const [key, spec] of Object.entries(DOCUMENTS) as [DocumentKey, (typeof DOCUMENTS)[DocumentKey]][]) {
      const steps: DocumentSteps = {
        packageBucketDomainName: props.packageBucketDomainName,
        ...(spec.script === 'configure-master'
          ? { runAfter: { document: this.installMetricsPublisher.ref, parameters: { ClusterId: '{{ ClusterId }}' } } }
          : {}),
      };
      documents[key] = new ssm.CfnDocument(this, key.charAt(0).toUpperCase() + key.slice(1), {
        documentType: 'Command',
        documentFormat: 'JSON',
        content: documentContent(spec.script, spec.description, spec.timeoutSeconds, render(spec.script), steps),
      });
    }
    this.documents = documents;
    this.names = {
      configureMaster: documents.configureMaster.ref,
      configureSlave: documents.configureSlave.ref,
      countAgents: documents.countAgents.ref,
      agentLoad: documents.agentLoad.ref,
      drainAgents: documents.drainAgents.ref,
      marathonSmokeTest: documents.marathonSmokeTest.ref,
    };
  }
}

/**
 * The content of a Command document that exports its parameters, then runs the script. An
 * optional parameter (OPTIONAL_SCRIPT_PARAMETERS), and any parameter whose pattern admits the
 * empty string, defaults to the empty string. With a
 * package bucket, the mirrored packages of the script are downloaded first (when
 * PackageSource is mirror); `runAfter` adds an aws:runDocument step after the script.
 * Throws when the content reaches MAX_CONTENT_BYTES.
 */
export function documentContent(
  script: BootstrapScriptName,
  description: string,
  timeoutSeconds: number,
  text: string,
  steps: DocumentSteps = {}
): object {
  if (/\{\{/.test(text)) throw new Error(`bootstrap/${script}.sh contains '{{', which SSM would read as a parameter`);
  const parameters: Record<string, object> = {};
  const exports: string[] = [];
  for (const [name, env] of Object.entries(SCRIPT_PARAMETERS[script])) {
    const rule = PARAMETER_PATTERNS[name];
    if (!rule) throw new Error(`bootstrap/${script}.sh: document parameter ${name} has no allowed pattern`);
    // A value the pattern admits empty gets the empty default, so that a command may send '' or leave it out.
    const emptyDefault = new RegExp(rule.pattern).test('') ? { default: '' } : {};
    parameters[name] = { type: 'String', description: rule.description, allowedPattern: rule.pattern, ...emptyDefault };
    exports.push(`export ${env}='{{ ${name} }}'`);
  }
  for (const [name, env] of Object.entries(OPTIONAL_SCRIPT_PARAMETERS[script] ?? {})) {
    const rule = PARAMETER_PATTERNS[name];
    if (!rule) throw new Error(`bootstrap/${script}.sh: document parameter ${name} has no allowed pattern`);
    if (!new RegExp(rule.pattern).test('')) throw new Error(`bootstrap/${script}.sh: optional parameter ${name} must admit ''`);
    parameters[name] = { type: 'String', description: rule.description, allowedPattern: rule.pattern, default: '' };
    exports.push(`export ${env}='{{ ${name} }}'`);
  }
  const lines = text.replace(/\n$/, '').split('\n');
  const downloads = steps.packageBucketDomainName
    ? (MIRRORED_PACKAGES[script] ?? []).map(({ step, keyParameter }) => {
        if (!parameters[keyParameter]) throw new Error(`bootstrap/${script}.sh: document parameter ${keyParameter} is not declared`);
        return {
          action: 'aws:downloadContent',
          name: step,
          precondition: { StringEquals: ['{{ PackageSource }}', 'mirror'] },
          inputs: {
            sourceType: 'S3',
            sourceInfo: JSON.stringify({ path: `https://${steps.packageBucketDomainName}/{{ ${keyParameter} }}` }),
            destinationPath: PACKAGE_DOWNLOAD_DIR,
          },
        };
      })
    : [];
  const after = steps.runAfter
    ? [
        {
          action: 'aws:runDocument',
          name: 'runAfter',
          inputs: {
            documentType: 'SSMDocument',
            documentPath: steps.runAfter.document,
            documentParameters: JSON.stringify(steps.runAfter.parameters),
          },
        },
      ]
    : [];
  const content = {
    schemaVersion: '2.2',
    description,
    parameters,
    mainSteps: [
      ...downloads,
      { action: 'aws:runShellScript', name: script, inputs: { timeoutSeconds, runCommand: [...exports, ...lines] } },
      ...after,
    ],
  };
  const size = documentBytes(content);
  if (size >= MAX_CONTENT_BYTES) {
    throw new Error(
      `the ${script} document is ${size} bytes; this project keeps documents under ${MAX_CONTENT_BYTES} (SSM allows 65536): split the script`
    );
  }
  return content;
}

/** The size of a document's content as SSM counts it (its JSON, UTF-8). */
export function documentBytes(content: object): number {
  return Buffer.byteLength(JSON.stringify(content), 'utf8');
}
