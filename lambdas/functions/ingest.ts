// Lambda entry of the ingest function: its configuration from the environment, read once at cold start (a missing variable fails it).
import { ingestConfigFromEnv } from '../handlers/config';
import { createIngestHandler } from '../handlers/ingest';

export const handler = createIngestHandler(ingestConfigFromEnv());
