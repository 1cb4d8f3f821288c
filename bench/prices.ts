// The price table (us-east-1, on demand, as of 2026) and what a set of counted resources costs by it: the one place
// `npm run bench` takes prices from.

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

/**
 * What CloudWatch Logs bills beyond the handlers' own lines, which the bench cannot capture:
 * - every log event is metered at its size plus 26 bytes;
 * - Lambda writes START, END and REPORT lines per invocation (about 250 bytes together, text format);
 * - API Gateway writes one access log line per request (the stack's JSON format: about 300 bytes with its values).
 */
export const LOG_OVERHEAD = {
  perLineBytes: 26,
  perInvocationBytes: 250 + 3 * 26,
  perApiRequestBytes: 300 + 26,
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
