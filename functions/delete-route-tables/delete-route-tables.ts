import { DeleteRouteTableCommand, DisassociateRouteTableCommand, type RouteTable } from '@aws-sdk/client-ec2';
import type { TeardownDeleteOutput, TeardownInput } from '../shared/contracts';
import { deleteEach, findRouteTables, unlessGone } from '../shared/discovery';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Delete Route Tables: disassociates and deletes the cluster's route tables. A VPC's main
 * route table cannot be deleted on its own; it goes with the VPC. A blackhole route
 * through a deleted NAT gateway does not block the delete.
 */
export const deleteRouteTablesStep = defineStep(
  'delete-route-tables',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownDeleteOutput> => {
    const tables = new Map<string, RouteTable>();
    for (const rt of await findRouteTables(ec2, clusterId)) {
      if (rt.RouteTableId && !rt.Associations?.some((a) => a.Main)) tables.set(rt.RouteTableId, rt);
    }
    const deleted = await deleteEach(
      [...tables.keys()],
      async (RouteTableId) => {
        for (const association of tables.get(RouteTableId)?.Associations ?? []) {
          const state = association.AssociationState?.State;
          if (!association.RouteTableAssociationId || state === 'disassociated' || state === 'disassociating') continue;
          await unlessGone(
            ec2.send(new DisassociateRouteTableCommand({ AssociationId: association.RouteTableAssociationId })),
            'InvalidAssociationID.NotFound'
          );
        }
        await ec2.send(new DeleteRouteTableCommand({ RouteTableId }));
      },
      { what: 'route tables', goneCodes: ['InvalidRouteTableID.NotFound'], retryCodes: ['DependencyViolation'] }
    );
    return { deleted };
  }
);
