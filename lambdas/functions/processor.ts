// Lambda entry of the processor function: its configuration from the environment, read once at cold start (a missing variable fails it).
import { processorConfigFromEnv } from '../handlers/config';
import { createProcessorHandler } from '../handlers/processor';

export const handler = createProcessorHandler(processorConfigFromEnv());
