/** Injected faults: consumed per call, persisted with the state. */
import type { FaultSpec } from './types';

/** Takes the first fault of `operation` (decrementing its count), if any. */
export function takeFault(faults: FaultSpec[], operation: string): FaultSpec | undefined {
  const index = faults.findIndex((fault) => fault.operation === operation);
  if (index < 0) return undefined;
  const fault = faults[index] as FaultSpec;
  const taken = { ...fault };
  fault.fired = (fault.fired ?? 0) + 1;
  if (fault.count !== undefined) {
    fault.count -= 1;
    if (fault.count <= 0) faults.splice(index, 1);
  }
  return taken;
}

/** The outcomes a `Command:<DocumentName>` fault can give the command's invocations. */
export const COMMAND_FAULT_OUTCOMES = ['Failed', 'TimedOut', 'Cancelled'] as const;

/**
 * The error codes a fault may throw: those the simulated cloud itself answers with, and
 * the service-side ones the SDK classifies (throttling, 5xx, authorization, capacity).
 */
export const FAULT_ERROR_CODES: readonly string[] = [
  'AccessDeniedException',
  'AddressLimitExceeded',
  'AuthFailure',
  'CannotDelete',
  'DependencyViolation',
  'EC2ThrottledException',
  'Gateway.NotAttached',
  'IdempotentParameterMismatch',
  'IncorrectInstanceState',
  'InstanceLimitExceeded',
  'InsufficientAddressCapacity',
  'InsufficientInstanceCapacity',
  'InternalError',
  'InternalFailure',
  'InternalServerError',
  'InvalidAMIID.NotFound',
  'InvalidAMIID.Unavailable',
  'InvalidAMIName.Duplicate',
  'InvalidAddress.NotFound',
  'InvalidAllocationID.NotFound',
  'InvalidAssociationID.NotFound',
  'InvalidDocument',
  'InvalidGroup.Duplicate',
  'InvalidGroup.NotFound',
  'InvalidIPAddress.InUse',
  'InvalidInstanceID.NotFound',
  'InvalidInstanceId',
  'InvalidInternetGatewayID.NotFound',
  'InvalidNatGatewayID.NotFound',
  'InvalidParameter',
  'InvalidParameterCombination',
  'InvalidParameterValue',
  'InvalidParameters',
  'InvalidRouteTableID.NotFound',
  'InvalidSnapshot.InUse',
  'InvalidSnapshot.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidVpcID.NotFound',
  'InvocationDoesNotExist',
  'MaxIOPSLimitExceeded',
  'NatGatewayLimitExceeded',
  'NatGatewayNotFound',
  'ParameterNotFound',
  'RequestLimitExceeded',
  'Resource.AlreadyAssociated',
  'ResourceLimitExceeded',
  'ResourceNotFound',
  'RouteAlreadyExists',
  'ServiceUnavailable',
  'TagLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'UnauthorizedOperation',
  'Unavailable',
  'Unsupported',
  'VcpuLimitExceeded',
  'VolumeLimitExceeded',
  'VpcLimitExceeded',
];

/** Validates a fault before it is stored; `operation` is the normalized operation name. */
export function checkFault(fault: FaultSpec, operation: string): FaultSpec {
  if (!fault.operation || !fault.code) throw new Error('a fault needs an operation and a code');
  if (fault.count !== undefined && (!Number.isInteger(fault.count) || fault.count < 1)) {
    throw new Error(`fault count must be a positive integer, got ${fault.count}`);
  }
  return {
    operation,
    code: fault.code,
    ...(fault.count !== undefined ? { count: fault.count } : {}),
    ...(fault.message ? { message: fault.message } : {}),
  };
}
