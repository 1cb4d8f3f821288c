// Lambda entry of the escalator function: its configuration from the environment, read once at cold start (a missing variable fails it).
import { escalatorConfigFromEnv } from '../handlers/config';
import { createEscalatorHandler } from '../handlers/escalator';

export const handler = createEscalatorHandler(escalatorConfigFromEnv());
