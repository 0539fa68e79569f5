import { Logger } from '@aws-lambda-powertools/logger';

/** The one logger of the step functions; POWERTOOLS_SERVICE_NAME names the step. */
export const logger = new Logger({ serviceName: 'mesos-cluster' });

/** What the logic functions need of a logger, so tests and the local runner can pass their own. */
export type StepLogger = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
