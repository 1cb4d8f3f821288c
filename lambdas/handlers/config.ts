// Configuration of each handler, as explicit values: the Lambda entry files read it from the environment once (a
// missing variable fails fast and says which); the local runtime builds it directly. The only module besides the
// entry files that reads process.env.
import { DEFAULTS, QUEUE } from '../contract';

export interface StoreConfig {
  tableName: string;
  /** Absent in AWS; DynamoDB Local's URL in the local runtime. */
  dynamoDbEndpoint?: string;
}

/** The admin token itself (local runtime), or the Secrets Manager secret that holds it (AWS). */
export type AdminTokenSource = { token: string } | { secretArn: string };

export interface ApiConfig extends StoreConfig {
  adminToken: AdminTokenSource;
}

export interface IngestConfig extends StoreConfig {
  queueUrl: string;
  /** Absent in AWS; the SQS-compatible server's URL in the local runtime. */
  sqsEndpoint?: string;
  sourceCacheTtlMs: number;
}

export interface ProcessorConfig extends StoreConfig {
  sourceCacheTtlMs: number;
  /** The queue's maxReceiveCount: the attempt that reaches it marks the event FAILED before the message is parked. */
  maxReceiveCount: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`Missing environment variable ${name}`);
  return value;
}

const optional = (env: Env, name: string): string | undefined => env[name] || undefined;

function nonNegative(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`Environment variable ${name} must be a non-negative number, got "${raw}"`);
  return value;
}

const storeConfigFrom = (env: Env): StoreConfig => ({ tableName: required(env, 'TABLE_NAME'), dynamoDbEndpoint: optional(env, 'DYNAMODB_ENDPOINT') });

/** ADMIN_TOKEN (the token itself, local runtime) or ADMIN_TOKEN_SECRET_ARN (the secret holding it, AWS). */
function adminTokenSourceFrom(env: Env): AdminTokenSource {
  const token = optional(env, 'ADMIN_TOKEN');
  if (token) return { token };
  const secretArn = optional(env, 'ADMIN_TOKEN_SECRET_ARN');
  if (secretArn) return { secretArn };
  throw new Error('Missing environment variable ADMIN_TOKEN or ADMIN_TOKEN_SECRET_ARN');
}

// Each reads the environment once, when its Lambda entry file loads; a missing or malformed variable fails the cold start.

export const apiConfigFromEnv = (env: Env = process.env): ApiConfig => ({ ...storeConfigFrom(env), adminToken: adminTokenSourceFrom(env) });

export const ingestConfigFromEnv = (env: Env = process.env): IngestConfig => ({
  ...storeConfigFrom(env),
  queueUrl: required(env, 'QUEUE_URL'),
  sqsEndpoint: optional(env, 'SQS_ENDPOINT'),
  sourceCacheTtlMs: nonNegative(env, 'SOURCE_CACHE_TTL_MS', DEFAULTS.sourceCacheTtlMs),
});

export const processorConfigFromEnv = (env: Env = process.env): ProcessorConfig => ({
  ...storeConfigFrom(env),
  sourceCacheTtlMs: nonNegative(env, 'SOURCE_CACHE_TTL_MS', DEFAULTS.sourceCacheTtlMs),
  maxReceiveCount: nonNegative(env, 'MAX_RECEIVE_COUNT', QUEUE.maxReceiveCount),
});
