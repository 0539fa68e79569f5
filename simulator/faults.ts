/** Injected faults: consumed per call, persisted with the state. */
import type { FaultSpec } from './types';

/** Takes the first fault of `operation` (decrementing its count), if any. */
export function takeFault(faults: FaultSpec[], operation: string): FaultSpec | undefined {
  const index = faults.findIndex((fault) => fault.operation === operation);
  if (index < 0) return undefined;
  const fault = faults[index] as FaultSpec;
  const taken = { ...fault };
  if (fault.count !== undefined) {
    fault.count -= 1;
    if (fault.count <= 0) faults.splice(index, 1);
  }
  return taken;
}

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
