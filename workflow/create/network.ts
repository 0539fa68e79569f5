/**
 * The network phase of the create machine:
 *
 *   Validate Cluster Spec → Create VPC → Create Subnets (a public and a private subnet per zone)
 *   → Create Gateways And Security Groups:
 *       [Create Internet Gateway → Create Public Route Table] ‖ [Allocate Elastic IP] ‖ [Create Security Groups]
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { type CatchableState, type CreatePhaseContext, J, SPEC } from './context';

export interface NetworkPhase {
  /** Validate Cluster Spec … Create Gateways And Security Groups (result in `$.network`). */
  readonly chain: sfn.Chain;
  /** Its top-level states, in the order they join the failure path. */
  readonly catchable: readonly CatchableState[];
}

export function networkPhase(ctx: CreatePhaseContext): NetworkPhase {
  const { step } = ctx;
  const validate = step('Validate Cluster Spec', {
    step: 'validate-spec',
    // The name is only known once the spec is valid.
    withoutClusterName: true,
    payload: { spec: J.objectAt('$.spec') },
    result: { spec: '$.Payload.spec', baseImageId: '$.Payload.baseImageId', holds: '$.Payload.holds' },
    resultPath: '$.validated',
  });
  const createVpc = step('Create VPC', {
    step: 'create-vpc',
    payload: {
      cidrBlock: J.stringAt(`${SPEC}.vpcCidr`),
      // Recorded on the VPC: a scale-out of a cluster created without slaves bakes its image from it.
      slaveImageRecipe: {
        baseImageId: J.stringAt('$.validated.baseImageId'),
        software: J.objectAt(`${SPEC}.software`),
        freshImage: J.stringAt(`${SPEC}.freshImage`),
      },
      // Counted by the pre-flight of other creates while this one is in flight.
      holds: J.objectAt('$.validated.holds'),
    },
    result: { vpcId: '$.Payload.vpcId' },
    resultPath: '$.vpc',
  });
  // The zones: those the spec names (a validated spec always has the list, maybe empty),
  // else as many as there are masters, capped by the Region's available zones.
  const createSubnets = step('Create Subnets', {
    step: 'create-subnets',
    payload: {
      vpcId: J.stringAt('$.vpc.vpcId'),
      vpcCidr: J.stringAt(`${SPEC}.vpcCidr`),
      publicCidr: J.stringAt(`${SPEC}.publicSubnetCidr`),
      privateCidr: J.stringAt(`${SPEC}.privateSubnetCidr`),
      availabilityZones: J.listAt(`${SPEC}.availabilityZones`),
      zoneCount: J.numberAt(`${SPEC}.masters`),
    },
    result: {
      zones: '$.Payload.zones',
      availabilityZones: '$.Payload.availabilityZones',
      publicSubnetIds: '$.Payload.publicSubnetIds',
      privateSubnetIds: '$.Payload.privateSubnetIds',
      publicSubnetId: '$.Payload.publicSubnetId',
    },
    resultPath: '$.subnets',
  });
  const gateways = gatewaysAndSecurityGroups(ctx);
  return {
    chain: sfn.Chain.start(validate).next(createVpc).next(createSubnets).next(gateways),
    catchable: [validate, createVpc, createSubnets, gateways],
  };
}

/** The internet gateway and public route, the NAT addresses and the security groups, side by side. */
function gatewaysAndSecurityGroups(ctx: CreatePhaseContext): sfn.Parallel {
  const { scope, step } = ctx;
  const internetGateway = step('Create Internet Gateway', {
    step: 'create-internet-gateway',
    payload: { vpcId: J.stringAt('$.vpc.vpcId') },
    result: { internetGatewayId: '$.Payload.internetGatewayId' },
    resultPath: '$.internetGateway',
  });
  const publicRouteTable = step('Create Public Route Table', {
    step: 'create-public-route-table',
    payload: {
      vpcId: J.stringAt('$.vpc.vpcId'),
      internetGatewayId: J.stringAt('$.internetGateway.internetGatewayId'),
      subnetIds: J.listAt('$.subnets.publicSubnetIds'),
    },
    result: { routeTableId: '$.Payload.routeTableId' },
    resultPath: '$.publicRouteTable',
  });
  // One address per NAT gateway: the first zone's, or every zone's with natGateways perAz.
  const elasticIp = step('Allocate Elastic IP', {
    step: 'allocate-elastic-ip',
    payload: { availabilityZones: J.listAt('$.subnets.availabilityZones'), natGateways: J.stringAt(`${SPEC}.natGateways`) },
    result: { allocationId: '$.Payload.allocationId', publicIp: '$.Payload.publicIp', allocations: '$.Payload.allocations' },
    resultPath: '$.elasticIp',
  });
  const securityGroups = step('Create Security Groups', {
    step: 'create-security-groups',
    payload: { vpcId: J.stringAt('$.vpc.vpcId'), adminCidr: J.stringAt(`${SPEC}.adminCidr`) },
    result: { masterSecurityGroupId: '$.Payload.masterSecurityGroupId', slaveSecurityGroupId: '$.Payload.slaveSecurityGroupId' },
    resultPath: '$.securityGroups',
  });
  return new sfn.Parallel(scope, 'Create Gateways And Security Groups', {
    resultSelector: {
      internetGatewayId: J.stringAt('$[0].internetGateway.internetGatewayId'),
      publicRouteTableId: J.stringAt('$[0].publicRouteTable.routeTableId'),
      allocationId: J.stringAt('$[1].elasticIp.allocationId'),
      natPublicIp: J.stringAt('$[1].elasticIp.publicIp'),
      allocations: J.stringAt('$[1].elasticIp.allocations'),
      masterSecurityGroupId: J.stringAt('$[2].securityGroups.masterSecurityGroupId'),
      slaveSecurityGroupId: J.stringAt('$[2].securityGroups.slaveSecurityGroupId'),
    },
    resultPath: '$.network',
  })
    .branch(sfn.Chain.start(internetGateway).next(publicRouteTable))
    .branch(elasticIp)
    .branch(securityGroups);
}
