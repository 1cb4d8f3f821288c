// The price table (us-east-1, on demand, as of 2026), the log bytes the stack adds to the handlers' (from its own
// settings), and what a set of counted resources costs by them: the one place `npm run bench` takes prices from.
import { LAMBDA_LOGGING, TYPICAL_ACCESS_LOG_VALUES, accessLogLine } from '../lib/log-settings';

export const PRICES = {
  /** HTTP API, per million requests. */
  httpApiPerMillion: 1.0,
  /** Lambda arm64, per million invocations. */
  lambdaPerMillion: 0.2,
  /** Lambda arm64, per GB-second (duration billed by the millisecond, rounded up). */
  lambdaPerGbSecond: 0.0000133334,
  /** SQS, per million requests; every 64 KiB chunk of a request's payload is one request. */
  sqsPerMillion: 0.5,
  /** DynamoDB on demand, per million write request units and per million read request units. */
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  /** CloudWatch Logs ingestion, per GB (2^30 bytes). */
  logsPerGb: 0.5,
} as const;

/** What CloudWatch Logs meters per log event beyond its own bytes. */
const PER_LINE_BYTES = 26;

/**
 * Lambda's platform lines per successful invocation, by the functions' system log level (lib/log-settings.ts). At
 * WARN there are none. At INFO (START and REPORT as JSON) the bench has no measured figure: it refuses to guess one.
 */
function platformBytesPerInvocation(systemLevel: string): number {
  if (systemLevel === 'WARN') return 0;
  throw new Error(`bench/prices.ts: no figure for Lambda's platform lines at system log level ${systemLevel}; measure one`);
}

/**
 * What CloudWatch Logs bills beyond the handlers' own lines, which the bench cannot capture, from the settings the
 * stack deploys (lib/log-settings.ts):
 * - every log event is metered at its size plus 26 bytes;
 * - Lambda's platform lines per invocation (none at the deployed system log level, WARN);
 * - API Gateway's access log line per request: ACCESS_LOG_FORMAT with an accepted event's typical values.
 */
export const LOG_OVERHEAD = {
  perLineBytes: PER_LINE_BYTES,
  perInvocationBytes: platformBytesPerInvocation(LAMBDA_LOGGING.systemLevel),
  perApiRequestBytes: Buffer.byteLength(accessLogLine(TYPICAL_ACCESS_LOG_VALUES)) + PER_LINE_BYTES,
} as const;

/** Counted resources of some events. */
export interface Counts {
  events: number;
  apiRequests: number;
  invocations: number;
  /** Sum over invocations of (billed duration in s x memory in GB). */
  gbSeconds: number;
  sqsRequests: number;
  wru: number;
  rru: number;
  /** Bytes of the handlers' log lines, their per-line overhead included (see LOG_OVERHEAD). */
  handlerLogBytes: number;
}

export interface Cost {
  /** All log bytes per event: the handlers', Lambda's own lines, the API's access log. */
  logBytes: number;
  /** Dollars per million events, by service, and the total. */
  perMillion: { api: number; lambda: number; sqs: number; dynamodb: number; logs: number; total: number };
}

export function costOf(c: Counts): Cost {
  const perEvent = (n: number) => n / c.events;
  const logBytes = c.handlerLogBytes + c.invocations * LOG_OVERHEAD.perInvocationBytes + c.apiRequests * LOG_OVERHEAD.perApiRequestBytes;
  const api = perEvent(c.apiRequests) * PRICES.httpApiPerMillion;
  const lambda = perEvent(c.invocations) * PRICES.lambdaPerMillion + perEvent(c.gbSeconds) * PRICES.lambdaPerGbSecond * 1e6;
  const sqs = perEvent(c.sqsRequests) * PRICES.sqsPerMillion;
  const dynamodb = perEvent(c.wru) * PRICES.dynamoWritePerMillion + perEvent(c.rru) * PRICES.dynamoReadPerMillion;
  const logs = ((perEvent(logBytes) * 1e6) / 2 ** 30) * PRICES.logsPerGb;
  return { logBytes: perEvent(logBytes), perMillion: { api, lambda, sqs, dynamodb, logs, total: api + lambda + sqs + dynamodb + logs } };
}
