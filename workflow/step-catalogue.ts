/**
 * The step catalogue: every workflow step, each declared once by the machine that owns it
 * (workflow/create/steps.ts, workflow/teardown/steps.ts, workflow/scale/steps.ts) with what its
 * role may do, and the set of steps each machine invokes. A step's id is its folder under
 * functions/ and the name of its Lambda. The stack, the ASL export, the local runner and the
 * tests all read their step lists from here.
 */
import type { GrantBuilders, StepGrant } from '../infra/permissions';
import { CREATE_MACHINE_STEP_IDS, CREATE_STEPS, SIGNAL_RELAY_STEPS } from './create/steps';
import { SCALE_MACHINE_STEP_IDS, SCALE_STEPS } from './scale/steps';
import { TEARDOWN_MACHINE_STEP_IDS, TEARDOWN_STEPS } from './teardown/steps';

/** One step of the catalogue. */
export interface StepEntry {
  /** The statements of the step's role, written with the stack's grant builders (infra/permissions.ts). */
  readonly grants: (g: GrantBuilders) => readonly StepGrant[];
}

/** The steps a machine owns, by step id. */
export type StepCatalogue = Readonly<Record<string, StepEntry>>;

/** The catalogues of several machines as one; throws if two declare the same step. */
export function mergeCatalogues<const C extends readonly StepCatalogue[]>(...catalogues: C): UnionToIntersection<C[number]> {
  const merged: Record<string, StepEntry> = {};
  for (const catalogue of catalogues) {
    for (const [id, entry] of Object.entries(catalogue)) {
      if (Object.hasOwn(merged, id)) throw new Error(`step catalogue: the step '${id}' is declared by more than one machine`);
      merged[id] = entry;
    }
  }
  return merged as UnionToIntersection<C[number]>;
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every step of every machine. */
export const STEP_CATALOGUE = mergeCatalogues(CREATE_STEPS, TEARDOWN_STEPS, SCALE_STEPS, SIGNAL_RELAY_STEPS);

/** A step id: the folder under functions/ and the Lambda of one step. */
export type StepId = keyof typeof STEP_CATALOGUE;

/** Every step id, the create machine's first. */
export const STEP_IDS = Object.keys(STEP_CATALOGUE) as StepId[];

/** The steps each machine invokes. */
export const MACHINE_STEP_IDS = {
  'create-cluster': CREATE_MACHINE_STEP_IDS,
  'teardown-cluster': TEARDOWN_MACHINE_STEP_IDS,
  'scale-cluster': SCALE_MACHINE_STEP_IDS,
} as const;

export type CreateMachineStepId = (typeof CREATE_MACHINE_STEP_IDS)[number];
export type TeardownMachineStepId = (typeof TEARDOWN_MACHINE_STEP_IDS)[number];
export type ScaleMachineStepId = (typeof SCALE_MACHINE_STEP_IDS)[number];

/** True if `id` names a step of the catalogue. */
export function isStepId(id: string): id is StepId {
  return Object.hasOwn(STEP_CATALOGUE, id);
}
