// Lambda entry of the api function: its configuration from the environment, read once at cold start (a missing variable fails it).
import { createApiHandler } from '../handlers/api';
import { apiConfigFromEnv } from '../handlers/config';

export const handler = createApiHandler(apiConfigFromEnv());
