/**
 * The thin Lambda entry shared by every step: adds the Lambda context and the cluster's
 * correlation keys to the logger, runs the step through `invokeStep`, and lets the named
 * errors through so the state machine's Retry and Catch see them.
 */
import type { Context } from 'aws-lambda';
import { ERROR_NAMES } from './errors';
import { logger } from './logger';
import { invokeStep, type Step, type StepClients } from './step';

export interface StepEvent {
  readonly clusterId?: string;
  readonly executionId?: string;
  /** An EventBridge event's id, for a step that is a rule's target. */
  readonly id?: string;
}

export function lambdaHandler<I extends StepEvent, O, C extends keyof StepClients>(
  step: Step<I, O, C>,
  clients: Pick<StepClients, C>
): (event: I, context?: Context) => Promise<O> {
  return async (event: I, context?: Context): Promise<O> => {
    if (context) logger.addContext(context);
    logger.appendKeys({ step: step.id, clusterId: event.clusterId, executionId: event.executionId });
    try {
      const result = await invokeStep(step, event, clients);
      logger.info('step done', { result });
      return result;
    } catch (err) {
      const error = err as Error;
      if (error.name === ERROR_NAMES.notReady) logger.info('not ready', { reason: error.message });
      else logger.error('step failed', { error });
      throw error;
    }
  };
}
