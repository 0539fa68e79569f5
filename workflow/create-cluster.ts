/**
 * The create machine: builds a Mesos cluster in its own VPC.
 *
 *   Validate Cluster Spec → Create VPC → Create Subnets (a public and a private subnet per zone)
 *   → Create Gateways And Security Groups:
 *       [Create Internet Gateway → Create Public Route Table] ‖ [Allocate Elastic IP] ‖ [Create Security Groups]
 *   → Launch Masters (one RunInstances call: their private IPs are known from here on)
 *   → Build Cluster Nodes:
 *       [wait masters SSM Online → Configure Masters → wait setup]
 *     ‖ [Prepare Slave Network And Image:
 *            [Create NAT Gateway → wait available → Create Private Route Table]
 *          ‖ [Find Cached Slave Image → Is A Slave Image Cached?
 *               yes: Use Cached Slave Image
 *               no:  Launch Template Slave → wait SSM Online → Configure Template Slave → wait setup
 *                    → Bake Slave Image → wait available → Terminate Template Slave]
 *        → Any Slaves To Launch? → Launch Slaves → wait slaves SSM Online]
 *   → Any Slaves? → Query Agents → wait registered
 *       → Deploy Smoke Test App → wait running → (removal sent) → Check Smoke Test Removal
 *     (no slaves: straight on)
 *   → Create Scaling Alarms → Mark Cluster Ready → Cluster Ready
 *
 * Zones: the masters spread round-robin over the zones' public subnets, the slaves over
 * their private subnets (one RunInstances call per zone). The NAT steps handle one NAT
 * gateway (first zone, one private route table) or one per zone (natGateways perAz: one
 * Elastic IP, NAT gateway and private route table per zone) in one Lambda call each.
 *
 * The template slave boots in the first public subnet, so the bake does not wait for the
 * NAT gateway. The slaves (private subnets) wait for the NAT route and the image, not for
 * configured masters: their agents retry ZooKeeper until a master runs, so the slaves boot
 * while the masters install, and the agents register as soon as the first master runs.
 *
 * Failure path: a Catch (States.ALL → $.error) on every top-level state → Record Create
 * Failure (status CREATE_FAILED) → Keep Resources? → the teardown chain ('Roll Back …')
 * unless the spec says keepOnFailure or was never validated → Fail `Create Failed`, whose
 * cause is `<FAILURE_CODE>: <reason>`.
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { agentsPhase } from './create/agents';
import { createPhaseContext } from './create/context';
import { failurePhase } from './create/failure';
import { networkPhase } from './create/network';
import { nodesPhase } from './create/nodes';
import { readyPhase } from './create/ready';
import { smokeTestPhase } from './create/smoke-test';
import { CREATE_MACHINE_STEP_IDS } from './create/steps';
import { ClusterMachine, type ClusterMachineProps } from './observability';
import { ERROR_PATH } from './record-failure';
import type { CreateFunctions } from './step-task';
import { CREATE_MACHINE_TIMEOUT } from './timings';

export { ROLLBACK_PREFIX } from './create/failure';

/** The input of a create execution. */
export interface CreateMachineInput {
  readonly clusterId: string;
  /** The cluster spec as requested; Validate Cluster Spec normalizes it into `$.validated.spec`. */
  readonly spec: object;
}

/** The Comment of the create machine's definition. */
export const CREATE_COMMENT = 'Creates a Mesos cluster: VPC, NAT, masters, a baked slave image and the slaves';

/**
 * Builds the create definition (the chain from Validate Cluster Spec, with its failure
 * path and rollback) without a StateMachine, for the machine construct, tests and the ASL
 * export. Each phase lives in workflow/create/: network → nodes → agents → smoke test → ready, with a
 * Catch on every top-level state to the failure path.
 */
export function buildCreateDefinition(scope: Construct, functions: CreateFunctions): sfn.Chain {
  const ctx = createPhaseContext(scope, functions);
  const network = networkPhase(ctx);
  const nodes = nodesPhase(ctx);
  const ready = readyPhase(ctx);
  const failure = failurePhase(ctx);
  const smokeTest = smokeTestPhase(ctx, { next: ready.start, onTimeout: failure.handler });
  const agents = agentsPhase(ctx, { next: smokeTest.start, noSlaves: ready.start, onTimeout: failure.handler });
  for (const state of [...network.catchable, ...nodes.catchable, ...agents.catchable, ...smokeTest.catchable, ...ready.catchable]) {
    state.addCatch(failure.handler, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  }
  return network.chain.next(nodes.chain).next(agents.start);
}

/** Every step's function: the create steps and, for the rollback, the teardown steps. */
export type CreateClusterMachineProps = ClusterMachineProps<CreateFunctions>;

/** The create state machine (Standard). Input: `{ clusterId, spec }`. */
export class CreateClusterMachine extends ClusterMachine<CreateFunctions> {
  constructor(scope: Construct, id: string, props: CreateClusterMachineProps) {
    super(scope, id, props, {
      label: 'create',
      comment: CREATE_COMMENT,
      defaultTimeout: CREATE_MACHINE_TIMEOUT,
      minTimeout: { duration: Duration.minutes(1), text: 'one minute' },
      stepIds: CREATE_MACHINE_STEP_IDS,
      definition: buildCreateDefinition,
    });
  }
}
