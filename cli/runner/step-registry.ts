/**
 * The step registry of the local runner: step id → Step object, loaded from
 * functions/<id>/<id>.ts. Every id of the step catalogue (workflow/step-catalogue.ts) is known;
 * a step whose module is missing, or exports no Step, is an error naming it.
 */
import type { Step, StepClients } from '../../functions/shared/step';
import { isStepId, STEP_IDS, type StepId } from '../../workflow/step-catalogue';

/** A step as the runner sees it: JSON in, JSON out, any of the clients. */
export type AnyStep = Step<unknown, unknown, keyof StepClients>;

/** Every step id that a state machine may name. */
export const ALL_STEP_IDS: readonly StepId[] = STEP_IDS;

/** A step that the registry cannot provide. */
export class MissingStepError extends Error {
  readonly stepId: string;
  constructor(stepId: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MissingStepError';
    this.stepId = stepId;
  }
}

function isStep(value: unknown): value is AnyStep {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { id?: unknown; run?: unknown };
  return typeof candidate.id === 'string' && typeof candidate.run === 'function';
}

function isModuleNotFound(err: unknown, stepId: string): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e?.code === 'MODULE_NOT_FOUND' && typeof e.message === 'string' && e.message.includes(`${stepId}/${stepId}`);
}

const cache = new Map<string, AnyStep>();

/**
 * Loads the step with this id from functions/<id>/<id>.ts: the module's export that has
 * an `id` and a `run` (normally `<camelCaseId>Step`).
 */
export function loadStep(stepId: string): AnyStep {
  const cached = cache.get(stepId);
  if (cached) return cached;
  if (!isStepId(stepId)) {
    throw new MissingStepError(stepId, `unknown step '${stepId}': not in the step catalogue (workflow/step-catalogue.ts)`);
  }
  let mod: Record<string, unknown>;
  try {
    // A runtime path: the step set is data (the contracts' id lists), not a static import list.
    mod = require(`../../functions/${stepId}/${stepId}`) as Record<string, unknown>;
  } catch (err) {
    if (isModuleNotFound(err, stepId)) {
      throw new MissingStepError(stepId, `step '${stepId}' is missing: functions/${stepId}/${stepId}.ts does not exist`, { cause: err });
    }
    throw err;
  }
  const steps = Object.values(mod).filter(isStep);
  const step = steps.find((s) => s.id === stepId) ?? steps[0];
  if (!step) {
    throw new MissingStepError(stepId, `step '${stepId}': functions/${stepId}/${stepId}.ts exports no step (an object with id and run)`);
  }
  if (step.id !== stepId) {
    throw new MissingStepError(stepId, `step '${stepId}': functions/${stepId}/${stepId}.ts exports the step '${step.id}'`);
  }
  cache.set(stepId, step);
  return step;
}

/** Loads the given steps (all by default) into a map; the first missing one throws, naming it. */
export function stepRegistry(stepIds: readonly string[] = ALL_STEP_IDS): Map<string, AnyStep> {
  return new Map(stepIds.map((id) => [id, loadStep(id)]));
}

/** The step ids whose modules are missing, for a readable report of an incomplete tree. */
export function missingSteps(stepIds: readonly string[] = ALL_STEP_IDS): string[] {
  return stepIds.filter((id) => {
    try {
      loadStep(id);
      return false;
    } catch (err) {
      if (err instanceof MissingStepError) return true;
      throw err;
    }
  });
}
