import { stepConfigFromEnv } from '../env';

/** The step configuration of this Lambda, read once per cold start; a missing variable fails the cold start by name. */
export const stepConfig = stepConfigFromEnv();
