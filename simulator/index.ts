/** The simulated AWS cloud (EC2, SSM and CloudWatch subset) on a virtual clock. */
export type { ClientOverrides, SimulatedClients } from './clients';
export {
  type AlarmStateChange,
  DEFAULT_DOCUMENTS,
  DEFAULT_INSTANCE_PROFILES,
  type SimulatedAgent,
  SimulatedCloud,
  supportedOperations,
} from './cloud';
export { ACCOUNT_ID, PUBLIC_IMAGES } from './core';
export { type SimulatedServiceError, serviceError, THROTTLING_CODES } from './errors';
export type { CloudEvent, EventDelivery, EventFaultSpec, EventPattern, EventTarget, PatternValue } from './events';
export { matchesPattern } from './events';
export { COMMAND_FAULT_OUTCOMES, FAULT_ERROR_CODES } from './faults';
export { defaultLatencyModel, LatencyModelError, loadLatencyModel, mergeLatencyModel } from './latency-model';
export type { SimulatedMarathonApp } from './marathon';
export { type AccountQuotas, DEFAULT_QUOTAS, INSTANCE_TYPE_VCPUS, QUOTA_CODES } from './quotas';
export { PUBLISH_INTERVAL_MS, SIMULATED_METRICS } from './scaling';
export type {
  BucketSpec,
  DocumentBehaviour,
  FaultSpec,
  InventoryItem,
  InventoryType,
  LatencyModel,
  ServiceName,
  SimulatorOptions,
  SimulatorState,
} from './types';
