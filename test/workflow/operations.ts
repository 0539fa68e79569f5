/**
 * The AWS operations that the create and teardown workflows call, as recorded from real
 * runs on the simulated cloud (a 1-master, 2-slave create, then its teardown), with the
 * steps that call each one in first-call order. The fault tests iterate over this list,
 * kept in operations.golden.json and checked against a fresh recording by
 * fault-matrix.test.ts (UPDATE_GOLDEN=1 rewrites it), so the matrices follow the code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceName } from '../../simulator/types';
import { SimulatedWorld, type StepCall } from '../helpers/run';

/** Who may reach the UIs in the workflow tests (TEST-NET-3). */
export const ADMIN = '203.0.113.0/24';

/** The create whose calls define the matrices. */
export const RECORDED_SPEC = { name: 'recorded', masters: 1, slaves: 2, adminCidr: ADMIN } as const;

/** One operation and the steps that call it, the first caller first. */
export interface OperationUse {
  readonly operation: string;
  readonly service: ServiceName;
  readonly steps: readonly string[];
}

/** The operations of a create and of the teardown that follows it, in first-call order. */
export interface RecordedOperations {
  readonly spec: typeof RECORDED_SPEC;
  readonly create: readonly OperationUse[];
  readonly teardown: readonly OperationUse[];
}

/** Where the recorded operations are kept. */
export const OPERATIONS_GOLDEN = join(__dirname, 'operations.golden.json');

/** Groups calls by operation, in first-call order, each with its callers in first-call order. */
export function operationUses(calls: readonly StepCall[]): OperationUse[] {
  const uses = new Map<string, { service: ServiceName; steps: string[] }>();
  for (const call of calls) {
    const use = uses.get(call.operation) ?? { service: call.service, steps: [] };
    if (!use.steps.includes(call.stepId)) use.steps.push(call.stepId);
    uses.set(call.operation, use);
  }
  return [...uses].map(([operation, use]) => ({ operation, service: use.service, steps: use.steps }));
}

/** Runs RECORDED_SPEC's create and teardown on a fresh cloud and returns what they called. */
export async function recordOperations(): Promise<RecordedOperations> {
  const world = new SimulatedWorld();
  const calls = world.recordStepCalls();
  const created = await world.create(RECORDED_SPEC);
  if (created.status !== 'SUCCEEDED') throw new Error(`the recorded create failed: ${created.error} ${created.cause}`);
  const createCalls = calls.length;
  const deleted = await world.teardown(`${RECORDED_SPEC.name}-000001`, RECORDED_SPEC.name);
  if (deleted.status !== 'SUCCEEDED') throw new Error(`the recorded teardown failed: ${deleted.error} ${deleted.cause}`);
  return {
    spec: RECORDED_SPEC,
    create: operationUses(calls.slice(0, createCalls)),
    teardown: operationUses(calls.slice(createCalls)),
  };
}

/** The recorded operations as kept in OPERATIONS_GOLDEN. */
export function recordedOperations(): RecordedOperations {
  return JSON.parse(readFileSync(OPERATIONS_GOLDEN, 'utf8')) as RecordedOperations;
}

/** The step that an operation fails first: its first caller. */
export function firstCaller(use: OperationUse): string {
  const [first] = use.steps;
  if (!first) throw new Error(`${use.operation}: no caller recorded`);
  return first;
}
