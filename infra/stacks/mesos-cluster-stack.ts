/**
 * The Mesos cluster stack: one Lambda per workflow step, the create and teardown state
 * machines, the node role and instance profile, and the SSM documents that configure the
 * nodes. API Gateway and the scaling alarms' EventBridge rules come later.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { BootstrapScriptName } from '../../bootstrap/render-document-script';
import { CREATE_STEP_IDS, type StepId, TEARDOWN_STEP_IDS } from '../../functions/shared/contracts';
import { CreateClusterMachine } from '../../workflow/create-cluster';
import type { StepFunctions } from '../../workflow/step-task';
import { TeardownClusterMachine } from '../../workflow/teardown-cluster';
import { CommandDocuments } from '../constructs/command-documents';
import { NodeRole } from '../constructs/node-role';
import { StepFunction } from '../constructs/step-function';
import { acknowledgeStateMachineRole, acknowledgeWildcards } from '../nag';
import { stepGrants } from '../permissions';

export interface MesosClusterStackProps extends StackProps {
  /** The folder with functions/<step-id>/handler.ts. @default <repo>/functions */
  readonly functionsDir?: string;
  /** Renders the bootstrap scripts into the SSM documents; tests may stub it. @default bootstrap/render-document-script */
  readonly renderScript?: (name: BootstrapScriptName) => string;
  /** Retention of the functions' and machines' log groups. @default one month */
  readonly logRetention?: logs.RetentionDays;
}

/** `create-vpc` → `CreateVpc`: the construct id of a step. */
function pascal(stepId: string): string {
  return stepId.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

export class MesosClusterStack extends Stack {
  readonly steps: Readonly<Record<StepId, StepFunction>>;
  readonly createMachine: CreateClusterMachine;
  readonly teardownMachine: TeardownClusterMachine;
  readonly nodeRole: NodeRole;
  readonly documents: CommandDocuments;

  constructor(scope: Construct, id: string, props: MesosClusterStackProps = {}) {
    super(scope, id, props);

    this.nodeRole = new NodeRole(this, 'Node');
    this.documents = new CommandDocuments(this, 'Documents', { renderScript: props.renderScript });

    const environment = {
      NODE_INSTANCE_PROFILE: this.nodeRole.instanceProfile.instanceProfileName,
      DOCUMENT_CONFIGURE_MASTER: this.documents.names.configureMaster,
      DOCUMENT_CONFIGURE_SLAVE: this.documents.names.configureSlave,
      DOCUMENT_COUNT_AGENTS: this.documents.names.countAgents,
    };
    const steps = {} as Record<StepId, StepFunction>;
    for (const stepId of [...CREATE_STEP_IDS, ...TEARDOWN_STEP_IDS]) {
      const step = new StepFunction(this, `${pascal(stepId)}Step`, {
        stepId,
        environment,
        functionsDir: props.functionsDir,
        logRetention: props.logRetention,
      });
      const grants = stepGrants(stepId, { scope: step, documents: this.documents.names, nodeRole: this.nodeRole.role });
      for (const grant of grants) step.role.addToPrincipalPolicy(grant.statement);
      acknowledgeWildcards(step.role, grants);
      steps[stepId] = step;
    }
    this.steps = steps;

    const functions = Object.fromEntries(
      Object.entries(steps).map(([k, s]) => [k, s.function as lambda.IFunction])
    ) as unknown as StepFunctions;
    this.createMachine = new CreateClusterMachine(this, 'CreateCluster', { functions, logRetention: props.logRetention });
    this.teardownMachine = new TeardownClusterMachine(this, 'TeardownCluster', { functions, logRetention: props.logRetention });
    for (const machine of [this.createMachine, this.teardownMachine]) acknowledgeStateMachineRole(machine.stateMachine.role);

    new CfnOutput(this, 'CreateStateMachineArn', { value: this.createMachine.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TeardownStateMachineArn', { value: this.teardownMachine.stateMachine.stateMachineArn });
    new CfnOutput(this, 'NodeInstanceProfileName', { value: this.nodeRole.instanceProfile.instanceProfileName });
  }
}
