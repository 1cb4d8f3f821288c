// Configuration of each handler, as explicit values: the Lambda entry files read it from the environment once (a
// missing variable fails fast and says which); the local runtime builds it directly. The only module besides the
// entry files that reads process.env.
import { DEFAULTS, QUEUE } from '../contract';
import type { EventJournal } from '../store/events';

export interface StoreConfig {
  tableName: string;
  /** Absent in AWS; DynamoDB Local's URL in the local runtime. */
  dynamoDbEndpoint?: string;
}

/** The admin token itself (local runtime), or the Secrets Manager secret that holds it (AWS). */
export type AdminTokenSource = { token: string } | { secretArn: string };

/** A secret given directly (local runtime: ACTION_SECRET) or the Secrets Manager secret that holds it (AWS: ACTION_SECRET_ARN). */
export type SecretSource = { value: string } | { secretArn: string };

/** What the handlers that start or run escalations share: the notification queue and the clock. */
export interface EngineConfig {
  /** Absent: nothing is sent to it (tests of other concerns); the escalator's tick still finds every job. */
  notificationQueueUrl?: string;
  /** Absent in AWS; the SQS-compatible server's URL in the local runtime. */
  sqsEndpoint?: string;
  /** Milliseconds since the epoch; the local runtime's tests pass a manual clock (absent: Date.now). */
  clock?: () => number;
}

export interface ApiConfig extends StoreConfig, EngineConfig {
  adminToken: AdminTokenSource;
  /** ALLOW_PRIVATE_WEBHOOK_TARGETS=true: contacts may target http: and loopback/private addresses (absent: refused). */
  allowPrivateWebhookTargets?: boolean;
  /** Signs and verifies action links. */
  actionSecret?: SecretSource;
  /** The base of links in messages and of each alert source's integrationUrl, e.g. http://127.0.0.1:8787 (absent: the request's host). */
  publicUrl?: string;
  /** The event queue, for the RESOLVE a heartbeat ping sends (absent: a ping of an OVERDUE monitor answers 503). EVENT_QUEUE_URL. */
  queueUrl?: string;
  /**
   * The local runtime's journal of accepted events (see IngestConfig): GET /api/events/{id} answers QUEUED for the
   * events in it without a record yet, and a ping's RESOLVE is journaled as ingest's events are. Absent in AWS, where an
   * id of Alertline's shape within the queue's retention is answered QUEUED until its event has a record.
   */
  journal?: EventJournal;
}

/** The escalator: runs due escalation jobs each tick, and the other timed jobs (heartbeat checks, auto-resolution). */
export interface EscalatorConfig extends StoreConfig, EngineConfig {
  /** The event queue, for the ALERT an overdue heartbeat monitor sends (absent: such a job fails, retried each minute). EVENT_QUEUE_URL. */
  queueUrl?: string;
  /** The local runtime: a heartbeat's ALERT is journaled as ingest's events are (see IngestConfig). Absent in AWS. */
  journal?: EventJournal;
}

/** The notifier: runs jobs and delivers notifications from the notification queue. */
export interface NotifierConfig extends StoreConfig, EngineConfig {
  publicUrl: string;
  actionSecret: SecretSource;
  /** Local: smtp://host:port; absent there, email notifications fail with a clear error. */
  smtpUrl?: string;
  /** The From address: the SES sender identity in AWS; locally the From of SMTP mail. */
  emailSender?: string;
  /**
   * Whether email without SMTP_URL goes through SES (with emailSender). Only the Lambda entry sets it: the local
   * runtime never sends through whatever AWS account its environment's credentials reach.
   */
  ses?: boolean;
  allowPrivateWebhookTargets: boolean;
}

export interface IngestConfig extends StoreConfig {
  queueUrl: string;
  /**
   * The local runtime (its queue lives in memory): every accepted event is appended to this journal on disk before the
   * 202, and a restart sends again those not done with. Absent in AWS, where the queue is durable.
   */
  journal?: EventJournal;
  /** Absent in AWS; the SQS-compatible server's URL in the local runtime. */
  sqsEndpoint?: string;
  sourceCacheTtlMs: number;
}

export interface ProcessorConfig extends StoreConfig, EngineConfig {
  sourceCacheTtlMs: number;
  /**
   * Appends, accepts, resolves and new alerts (without escalation jobs) as single conditional writes, not a
   * transaction: half the write units (AWS, `SINGLE_WRITES` unset). The local runtime keeps the transaction of a whole
   * round of events: DynamoDB Local costs nothing, and one request for many events is faster there than several per
   * event.
   */
  singleWrites: boolean;
  /** The queue's maxReceiveCount: the attempt that reaches it marks the event FAILED before the message is parked. */
  maxReceiveCount: number;
  /** The queue's visibility timeout (default: the stack's, QUEUE.visibilityTimeoutSeconds). */
  visibilityTimeoutSeconds?: number;
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

/** Only the exact value 'true' opens outbound safety: a typo must not. */
export const allowPrivateWebhookTargetsFrom = (env: Env): boolean => env.ALLOW_PRIVATE_WEBHOOK_TARGETS === 'true';

/** ACTION_SECRET (the secret itself, local runtime) or ACTION_SECRET_ARN (the secret holding it, AWS). */
function actionSecretFrom(env: Env): SecretSource | undefined {
  const value = optional(env, 'ACTION_SECRET');
  if (value) return { value };
  const secretArn = optional(env, 'ACTION_SECRET_ARN');
  return secretArn ? { secretArn } : undefined;
}

const engineConfigFrom = (env: Env): EngineConfig => ({
  notificationQueueUrl: optional(env, 'NOTIFICATION_QUEUE_URL'),
  sqsEndpoint: optional(env, 'SQS_ENDPOINT'),
});

// Each reads the environment once, when its Lambda entry file loads; a missing or malformed variable fails the cold start.

export const apiConfigFromEnv = (env: Env = process.env): ApiConfig => ({
  ...storeConfigFrom(env),
  ...engineConfigFrom(env),
  adminToken: adminTokenSourceFrom(env),
  allowPrivateWebhookTargets: allowPrivateWebhookTargetsFrom(env),
  actionSecret: actionSecretFrom(env),
  publicUrl: optional(env, 'PUBLIC_URL'),
  queueUrl: optional(env, 'EVENT_QUEUE_URL'),
});

export const ingestConfigFromEnv = (env: Env = process.env): IngestConfig => ({
  ...storeConfigFrom(env),
  queueUrl: required(env, 'QUEUE_URL'),
  sqsEndpoint: optional(env, 'SQS_ENDPOINT'),
  sourceCacheTtlMs: nonNegative(env, 'SOURCE_CACHE_TTL_MS', DEFAULTS.sourceCacheTtlMs),
});

export const processorConfigFromEnv = (env: Env = process.env): ProcessorConfig => ({
  ...storeConfigFrom(env),
  ...engineConfigFrom(env),
  sourceCacheTtlMs: nonNegative(env, 'SOURCE_CACHE_TTL_MS', DEFAULTS.sourceCacheTtlMs),
  maxReceiveCount: nonNegative(env, 'MAX_RECEIVE_COUNT', QUEUE.maxReceiveCount),
  singleWrites: env.SINGLE_WRITES !== 'false',
});

export const escalatorConfigFromEnv = (env: Env = process.env): EscalatorConfig => ({
  ...storeConfigFrom(env),
  notificationQueueUrl: required(env, 'NOTIFICATION_QUEUE_URL'),
  sqsEndpoint: optional(env, 'SQS_ENDPOINT'),
  queueUrl: optional(env, 'EVENT_QUEUE_URL'),
});

export const notifierConfigFromEnv = (env: Env = process.env): NotifierConfig => {
  const actionSecret = actionSecretFrom(env);
  if (!actionSecret) throw new Error('Missing environment variable ACTION_SECRET or ACTION_SECRET_ARN');
  return {
    ...storeConfigFrom(env),
    notificationQueueUrl: required(env, 'NOTIFICATION_QUEUE_URL'),
    sqsEndpoint: optional(env, 'SQS_ENDPOINT'),
    publicUrl: required(env, 'PUBLIC_URL'),
    actionSecret,
    smtpUrl: optional(env, 'SMTP_URL'),
    emailSender: optional(env, 'EMAIL_SENDER'),
    ses: true,
    allowPrivateWebhookTargets: allowPrivateWebhookTargetsFrom(env),
  };
};
