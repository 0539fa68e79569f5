/**
 * The Mesos cluster stack: one Lambda per workflow step, the create, teardown and scale
 * state machines, the node role and instance profile, the SSM documents that configure
 * and drain the nodes, the configure commands' completion signals (a DynamoDB table and an
 * EventBridge rule), and the cluster API (REST, AWS_IAM). `addScaleMachine` wires a scale
 * machine to the API's scale route, the scaling alarms' EventBridge rules and the scaling
 * schedules (the stack's own with `wireScaleMachine`, as infra/app.ts does).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { BootstrapScriptName } from '../../bootstrap/render-document-script';
import { configureSlaveScriptSha256 } from '../../bootstrap/script-hash';
import { stepEnvironment } from '../../functions/shared/env';
import { PACKAGE_SOURCE_ENV } from '../../functions/shared/package-manifest';
import { CreateClusterMachine } from '../../workflow/create-cluster';
import { ScaleClusterMachine } from '../../workflow/scale-cluster';
import { STEP_IDS, type StepId } from '../../workflow/step-catalogue';
import type { StepFunctions } from '../../workflow/step-task';
import { TeardownClusterMachine } from '../../workflow/teardown-cluster';
import { ClusterApi } from '../constructs/cluster-api';
import { CommandDocuments } from '../constructs/command-documents';
import { CommandSignals } from '../constructs/command-signals';
import { NodeRole } from '../constructs/node-role';
import { PackageMirror } from '../constructs/package-mirror';
import { ScaleTriggers } from '../constructs/scale-triggers';
import { StepFunction } from '../constructs/step-function';
import { acknowledgeStateMachineRole, acknowledgeWildcards } from '../nag';
import { stepGrants } from '../permissions';
import { type DeploySettings, deploySettings } from '../settings';

export interface MesosClusterStackProps extends StackProps {
  /** The folder with functions/<step-id>/handler.ts. @default <repo>/functions */
  readonly functionsDir?: string;
  /** Renders the bootstrap scripts into the SSM documents; tests may stub it. @default bootstrap/render-document-script */
  readonly renderScript?: (name: BootstrapScriptName) => string;
  /** Retention of the functions' and machines' log groups. @default one month */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Wire the stack's scale machine (`addScaleMachine(scaleMachine.stateMachine)`): the API's
   * scale route, the alarm rules and the schedules. Without it the machine exists but
   * nothing starts it (another scale machine may be added instead).
   * @default false
   */
  readonly wireScaleMachine?: boolean;
  /**
   * The ARN of the customer-managed KMS key the account encrypts EBS volumes with by default
   * (`aws ec2 get-ebs-default-kms-key-id`); the launch and bake steps get the KMS permissions
   * EBS encryption needs on it. The key's policy must let the account's IAM policies grant it
   * (the default key policy does).
   * @default the context value `mesos-cluster:ebsKmsKeyArn`, else none (the AWS managed key aws/ebs)
   */
  readonly ebsKmsKeyArn?: string;
  /**
   * Set API Gateway's account-wide CloudWatch Logs role from this stack. The account has one
   * such role per Region: this replaces any role already set, and the API's execution and
   * access logs need one to be set before the stage deploys.
   * @default the context value `mesos-cluster:apiGatewayCloudWatchRole`, else false
   */
  readonly apiGatewayCloudWatchRole?: boolean;
}

/** `create-vpc` → `CreateVpc`: the construct id of a step. */
function pascal(stepId: string): string {
  return stepId.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

export class MesosClusterStack extends Stack {
  readonly steps: Readonly<Record<StepId, StepFunction>>;
  readonly createMachine: CreateClusterMachine;
  readonly teardownMachine: TeardownClusterMachine;
  /** Scales a cluster's slaves (API, scaling alarms, schedules; see `wireScaleMachine`). */
  readonly scaleMachine: ScaleClusterMachine;
  readonly nodeRole: NodeRole;
  readonly documents: CommandDocuments;
  /** The command-waits table and the rule of the configure commands' completion signals. */
  readonly commandSignals: CommandSignals;
  /** The package mirror bucket that the nodes install Mesos and Marathon from. */
  readonly packageMirror: PackageMirror;
  /** The deploy-time settings (cdk.json context). */
  readonly settings: DeploySettings;
  readonly api: ClusterApi;
  /** The alarm rules and schedules of the scale machine, once added. */
  scaleTriggers?: ScaleTriggers;

  constructor(scope: Construct, id: string, props: MesosClusterStackProps = {}) {
    super(scope, id, props);
    const fromContext = deploySettings(this.node);
    this.settings = {
      ...fromContext,
      ebsKmsKeyArn: props.ebsKmsKeyArn ?? fromContext.ebsKmsKeyArn,
      apiGatewayCloudWatchRole: props.apiGatewayCloudWatchRole ?? fromContext.apiGatewayCloudWatchRole,
    };

    this.nodeRole = new NodeRole(this, 'Node');
    this.packageMirror = new PackageMirror(this, 'PackageMirror', { nodeRole: this.nodeRole.role });
    this.documents = new CommandDocuments(this, 'Documents', {
      renderScript: props.renderScript,
      packageBucketDomainName: this.packageMirror.bucket.bucketRegionalDomainName,
    });

    this.commandSignals = new CommandSignals(this, 'CommandSignals', {
      documentNames: [this.documents.names.configureMaster, this.documents.names.configureSlave],
    });
    const environment = {
      ...stepEnvironment({
        commandWaitsTable: this.commandSignals.table.tableName,
        documents: this.documents.names,
        nodeInstanceProfile: this.nodeRole.instanceProfile.instanceProfileName,
        // Part of the slave image's recipe hash: a changed script means a new image.
        configureSlaveScriptHash: configureSlaveScriptSha256(props.renderScript),
      }),
      // A deployed stack installs Mesos and Marathon from its own mirror unless a spec says otherwise.
      [PACKAGE_SOURCE_ENV]: 'mirror',
    };
    const steps = {} as Record<StepId, StepFunction>;
    for (const stepId of STEP_IDS) {
      const step = new StepFunction(this, `${pascal(stepId)}Step`, {
        stepId,
        environment,
        functionsDir: props.functionsDir,
        logRetention: props.logRetention,
      });
      const grants = stepGrants(stepId, {
        scope: step,
        documents: this.documents.names,
        nodeRole: this.nodeRole.role,
        ebsKmsKeyArn: this.settings.ebsKmsKeyArn,
        commandWaitsTableArn: this.commandSignals.table.tableArn,
      });
      for (const grant of grants) step.role.addToPrincipalPolicy(grant.statement);
      acknowledgeWildcards(step.role, grants);
      steps[stepId] = step;
    }
    this.steps = steps;
    this.commandSignals.relayTo(steps['relay-command-signal'].function);

    const functions = Object.fromEntries(
      Object.entries(steps).map(([k, s]) => [k, s.function as lambda.IFunction])
    ) as unknown as StepFunctions;
    this.createMachine = new CreateClusterMachine(this, 'CreateCluster', { functions, logRetention: props.logRetention });
    this.teardownMachine = new TeardownClusterMachine(this, 'TeardownCluster', { functions, logRetention: props.logRetention });
    this.scaleMachine = new ScaleClusterMachine(this, 'ScaleCluster', { functions, logRetention: props.logRetention });
    for (const machine of [this.createMachine, this.teardownMachine, this.scaleMachine])
      acknowledgeStateMachineRole(machine.stateMachine.role);

    new CfnOutput(this, 'CreateStateMachineArn', { value: this.createMachine.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TeardownStateMachineArn', { value: this.teardownMachine.stateMachine.stateMachineArn });
    new CfnOutput(this, 'CommandWaitsTableName', { value: this.commandSignals.table.tableName });
    new CfnOutput(this, 'NodeInstanceProfileName', { value: this.nodeRole.instanceProfile.instanceProfileName });
    new CfnOutput(this, 'PackageMirrorBucketName', {
      value: this.packageMirror.bucket.bucketName,
      description: 'The package mirror: fill it with `mesos-cluster mirror --from DIR`',
    });

    this.api = new ClusterApi(this, 'Api', {
      createMachine: this.createMachine.stateMachine,
      teardownMachine: this.teardownMachine.stateMachine,
      settings: this.settings,
      logRetention: props.logRetention,
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'The cluster API (AWS_IAM: sign requests with SigV4)' });
    if (props.wireScaleMachine) this.addScaleMachine(this.scaleMachine.stateMachine);
  }

  /**
   * Wires a scale machine: the API's POST /clusters/{id}/scale, the EventBridge rules of the
   * clusters' scaling alarms, and the scaling schedules (cdk.json `mesos-cluster:scheduledScaling`).
   * Once only.
   */
  addScaleMachine(machine: sfn.IStateMachine): ScaleTriggers {
    if (this.scaleTriggers) throw new Error('MesosClusterStack: the scale machine is already added');
    this.api.addScaleMachine(machine);
    this.scaleTriggers = new ScaleTriggers(this, 'ScaleTriggers', { machine, schedules: this.settings.scheduledScaling });
    new CfnOutput(this, 'ScaleStateMachineArn', { value: machine.stateMachineArn });
    new CfnOutput(this, 'ScalingScheduleGroupName', { value: this.scaleTriggers.scheduleGroup.scheduleGroupName });
    new CfnOutput(this, 'ScalingSchedulerRoleArn', { value: this.scaleTriggers.schedulerRole.roleArn });
    return this.scaleTriggers;
  }
}
