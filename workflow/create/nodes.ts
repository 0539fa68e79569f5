/**
 * The nodes phase of the create machine: Launch Masters, then Build Cluster Nodes, the
 * masters' branch beside the slaves' branch (see masters.ts, slaves.ts and slave-image.ts).
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { type CatchableState, type CreatePhaseContext, J } from './context';
import { mastersPhase } from './masters';
import { createSlaveImagePhase } from './slave-image';
import { slavesPhase } from './slaves';

export interface NodesPhase {
  /** Launch Masters → Build Cluster Nodes (result in `$.nodes`). */
  readonly chain: sfn.Chain;
  /** Its top-level states, in the order they join the failure path. */
  readonly catchable: readonly CatchableState[];
}

export function nodesPhase(ctx: CreatePhaseContext): NodesPhase {
  const slaves = slavesPhase(ctx, { image: createSlaveImagePhase(ctx) });
  const masters = mastersPhase(ctx);
  const nodes = new sfn.Parallel(ctx.scope, 'Build Cluster Nodes', {
    resultSelector: {
      natGatewayId: J.stringAt('$[1].slaveSupply.natGatewayId'),
      privateRouteTableId: J.stringAt('$[1].slaveSupply.privateRouteTableId'),
      privateRouteTableIds: J.stringAt('$[1].slaveSupply.privateRouteTableIds'),
      natGatewayIds: J.stringAt('$[1].slaveSupply.natGatewayIds'),
      masterInstanceIds: J.stringAt('$[0].masters.instanceIds'),
      masterIps: J.stringAt('$[0].masters.privateIps'),
      firstMasterId: J.stringAt('$[0].masters.instanceIds[0]'),
      slaveImageId: J.stringAt('$[1].slaveSupply.slaveImageId'),
      slaveImageHash: J.stringAt('$[1].slaveSupply.slaveImageHash'),
      // When the slaves were launched: the agents loop counts from it.
      slavesLaunchedAt: J.stringAt('$[1].slavesOnline.startedAt'),
    },
    resultPath: '$.nodes',
  })
    .branch(masters.branch)
    .branch(slaves);
  return { chain: sfn.Chain.start(masters.launch).next(nodes), catchable: [masters.launch, nodes] };
}
