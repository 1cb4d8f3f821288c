// Lambda entry of the notifier function: its configuration from the environment, read once at cold start (a missing variable fails it).
import { notifierConfigFromEnv } from '../handlers/config';
import { createNotifierHandler } from '../handlers/notifier';

export const handler = createNotifierHandler(notifierConfigFromEnv());
