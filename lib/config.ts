// Deployment settings from CDK context (cdk.json, or `-c alertline:<key>=<value>`), with defaults, checked before anything is built.
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { DEFAULTS, DEPLOYED_LOG_LEVEL, LOG_LEVELS, type LogLevelName } from '../lambdas/contract';

export interface AlertlineConfig {
  /** Names the stack (`Alertline-<stage>`) and the dashboard, so that several stages can share an account. */
  readonly stage: string;
  readonly ingestMemoryMb: number;
  readonly processorMemoryMb: number;
  readonly apiMemoryMb: number;
  /** Messages per processor invocation (an SQS FIFO event source takes at most 10). */
  readonly batchSize: number;
  /** Most processor instances the event source mapping runs at once. */
  readonly maxConcurrency: number;
  /** Where alarm notifications go; empty: the topic is created without a subscription. */
  readonly alarmEmail: string;
  readonly logRetentionDays: RetentionDays;
  /** Steady-state requests per second of each events route (and of any route without limits of its own). */
  readonly throttleRate: number;
  /** Requests each events route accepts in a burst above the steady rate. */
  readonly throttleBurst: number;
  /**
   * Steady-state requests per second of the management API's route: limits of its own, so that a flood on the
   * unauthenticated events routes cannot throttle the operators accepting and resolving alerts.
   */
  readonly managementThrottleRate: number;
  /** Requests the management API's route accepts in a burst above its steady rate. */
  readonly managementThrottleBurst: number;
  /** X-Ray active tracing on the three functions (HTTP APIs have no X-Ray support). */
  readonly tracing: boolean;
  /** Keep the table, queues and log groups when the stack is deleted; false destroys them (dev stacks). */
  readonly retainData: boolean;
  /** Alarm when the oldest message in the event queue has waited longer than this. */
  readonly oldestMessageAgeAlarmSeconds: number;
  /** The From address of email notifications, a verified SES identity; empty: email notifications fail with a clear error. */
  readonly emailSender: string;
  /** Let webhook and Slack contacts target http: and private addresses (on-premises receivers); off by default. */
  readonly allowPrivateWebhookTargets: boolean;
  /**
   * The functions' log level (POWERTOOLS_LOG_LEVEL). WARN logs failures only; INFO adds a line per event (`event
   * applied`, `event rejected`: what the README's Logs Insights queries read) at about 2 KB of CloudWatch Logs each.
   */
  readonly logLevel: LogLevelName;
}

export const CONTEXT_PREFIX = 'alertline:';

/** The defaults, also written out in cdk.json so that a reader sees every setting in one place. */
export const DEFAULT_CONFIG: AlertlineConfig = {
  stage: 'prod',
  ingestMemoryMb: DEFAULTS.memoryMb,
  processorMemoryMb: DEFAULTS.memoryMb,
  apiMemoryMb: DEFAULTS.memoryMb,
  batchSize: 10,
  maxConcurrency: 10,
  alarmEmail: '',
  logRetentionDays: DEFAULTS.logRetentionDays as RetentionDays,
  throttleRate: 100,
  throttleBurst: 200,
  managementThrottleRate: 50,
  managementThrottleBurst: 100,
  tracing: false,
  retainData: true,
  oldestMessageAgeAlarmSeconds: 300,
  emailSender: '',
  allowPrivateWebhookTargets: false,
  logLevel: DEPLOYED_LOG_LEVEL,
};

const RETENTION_DAYS = new Set<number>(Object.values(RetentionDays).filter((value): value is number => typeof value === 'number'));

type Parse<T> = (raw: unknown, key: string) => T;

const fail = (key: string, expected: string, raw: unknown): never => {
  throw new Error(`Invalid CDK context ${key}: expected ${expected}, got ${JSON.stringify(raw)}`);
};

/** Context from cdk.json arrives typed; from `-c key=value` always as a string. */
const integer =
  (min: number, max: number): Parse<number> =>
  (raw, key) => {
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(key, `an integer from ${min} to ${max}`, raw);
    }
    return value as number;
  };

const positiveNumber: Parse<number> = (raw, key) => {
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) fail(key, 'a positive number', raw);
  return value as number;
};

const boolean: Parse<boolean> = (raw, key) => {
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  return fail(key, 'true or false', raw);
};

const matching =
  (pattern: RegExp, expected: string): Parse<string> =>
  (raw, key) => {
    if (typeof raw !== 'string' || !pattern.test(raw)) fail(key, expected, raw);
    return raw as string;
  };

const retentionDays: Parse<RetentionDays> = (raw, key) => {
  const value = integer(1, 9999)(raw, key);
  if (!RETENTION_DAYS.has(value)) fail(key, `one of CloudWatch Logs' retention periods (${[...RETENTION_DAYS].join(', ')})`, raw);
  return value as RetentionDays;
};

const MEMORY_MB = integer(128, 10_240);

const PARSERS: { [K in keyof AlertlineConfig]: Parse<AlertlineConfig[K]> } = {
  // Part of the stack name: letters, digits and hyphens, starting with a letter.
  stage: matching(/^[A-Za-z][A-Za-z0-9-]{0,31}$/, 'a name of letters, digits and hyphens starting with a letter (at most 32)'),
  ingestMemoryMb: MEMORY_MB,
  processorMemoryMb: MEMORY_MB,
  apiMemoryMb: MEMORY_MB,
  batchSize: integer(1, 10),
  // Lambda's bounds for an SQS event source's maximum concurrency.
  maxConcurrency: integer(2, 1000),
  alarmEmail: matching(/^$|^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an email address, or empty for no subscription'),
  logRetentionDays: retentionDays,
  throttleRate: positiveNumber,
  throttleBurst: integer(1, 1_000_000),
  managementThrottleRate: positiveNumber,
  managementThrottleBurst: integer(1, 1_000_000),
  tracing: boolean,
  retainData: boolean,
  oldestMessageAgeAlarmSeconds: integer(60, 14 * 24 * 3600),
  emailSender: matching(/^$|^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'an email address (a verified SES identity), or empty'),
  allowPrivateWebhookTargets: boolean,
  logLevel: (raw, key) => (LOG_LEVELS.includes(raw as LogLevelName) ? (raw as LogLevelName) : fail(key, `one of ${LOG_LEVELS.join(', ')}`, raw)),
};

export const contextKey = (name: keyof AlertlineConfig) => `${CONTEXT_PREFIX}${name}`;

/**
 * Reads every `alertline:` context key with its default. A misspelt key fails too: it would otherwise be ignored
 * and the default deployed without a word.
 */
export function readConfig(scope: IConstruct): AlertlineConfig {
  const known = new Set(Object.keys(PARSERS).map((name) => contextKey(name as keyof AlertlineConfig)));
  const unknown = Object.keys(scope.node.getAllContext()).filter((key) => key.startsWith(CONTEXT_PREFIX) && !known.has(key));
  if (unknown.length > 0) {
    throw new Error(`Unknown CDK context ${unknown.join(', ')}; the settings are ${[...known].join(', ')}`);
  }
  const read = <K extends keyof AlertlineConfig>(name: K): AlertlineConfig[K] => {
    const raw: unknown = scope.node.tryGetContext(contextKey(name));
    return raw === undefined ? DEFAULT_CONFIG[name] : PARSERS[name](raw, contextKey(name));
  };
  return Object.fromEntries((Object.keys(PARSERS) as Array<keyof AlertlineConfig>).map((name) => [name, read(name)])) as unknown as AlertlineConfig;
}
