// What the stack writes to CloudWatch Logs besides the handlers' own lines (Lambda's platform lines, the API's access log
// line), as plain constants without CDK types: the stack deploys them and `npm run bench` prices them (bench/prices.ts),
// so the two cannot drift apart.

/**
 * Every function's Lambda logging controls. JSON format, which log-level filtering requires ("To use log-level
 * filtering, your function must be configured to use the JSON log format": docs.aws.amazon.com/lambda/latest/dg/
 * monitoring-cloudwatchlogs-log-level.html). System level WARN, the least detailed of DEBUG | INFO | WARN ("Lambda only
 * sends system logs at the selected level of detail and lower": the LoggingConfig API reference): a successful
 * invocation's START and REPORT (platform.start, platform.report) are INFO and END (platform.runtimeDone) DEBUG, so
 * none is sent; a failed or timed-out invocation's are WARN and still are (these per-event levels are not on the pages
 * cited: check them on a deployment). Duration, errors and throttles stay in Lambda's CloudWatch metrics.
 *
 * No application level: it would be INFO anyway, and a higher one would drop the EMF metric lines, which carry no
 * `level` ("If the "level" value field is invalid or missing, Lambda will assign the log output the level INFO", same
 * page). Lambda hands the application level to the runtime as AWS_LAMBDA_LOG_LEVEL once the format is JSON, which
 * Powertools' Logger would take over POWERTOOLS_LOG_LEVEL: see FORGET_LAMBDA_LOG_LEVEL.
 */
export const LAMBDA_LOGGING = { format: 'JSON', systemLevel: 'WARN' } as const;

/**
 * The first statement of every function's bundle (an esbuild banner), run before any module: forgets the application
 * level Lambda hands the runtime, so that Powertools' Logger, which takes AWS_LAMBDA_LOG_LEVEL over any level it is
 * given, follows POWERTOOLS_LOG_LEVEL (DEPLOYED_LOG_LEVEL). Lambda still filters at its own level, INFO, which keeps
 * everything the handlers write at WARN and the EMF lines.
 */
export const FORGET_LAMBDA_LOG_LEVEL = 'delete process.env.AWS_LAMBDA_LOG_LEVEL;';

/**
 * The API's access log line, one per request: who called (ip), what (the route key, never the path: `/api/events/{apiKey}`
 * carries an integration key), the answer and how long it took, and why a request was refused or failed. `err` is API
 * Gateway's own error (throttled, no route, payload too large: it tells a gateway 429 from ingest's per-source 429),
 * `ierr` why the call to the function failed (timeout, throttling). No timestamp: CloudWatch Logs stamps every line.
 * `id` is the request id callers get in the `apigw-requestid` header. Short keys: every byte is billed per request.
 */
export const ACCESS_LOG_FIELDS = {
  id: '$context.requestId',
  ip: '$context.identity.sourceIp',
  route: '$context.routeKey',
  status: '$context.status',
  ms: '$context.responseLatency',
  err: '$context.error.message',
  ierr: '$context.integrationErrorMessage',
} as const;

/** The access log format, as API Gateway takes it: JSON with `$context` variables for values. */
export const ACCESS_LOG_FORMAT = JSON.stringify(ACCESS_LOG_FIELDS);

/**
 * The values of an accepted event's access log line as API Gateway writes them (`-` for an empty variable): for
 * pricing the line, not for parsing it.
 */
export const TYPICAL_ACCESS_LOG_VALUES: Record<keyof typeof ACCESS_LOG_FIELDS, string> = {
  id: 'JkM2VgVQIAMEbXQ=',
  ip: '198.51.100.23',
  route: 'POST /api/events',
  status: '202',
  ms: '41',
  err: '-',
  ierr: '-',
};

/** The access log line API Gateway writes for these values: ACCESS_LOG_FORMAT with each variable replaced. */
export function accessLogLine(values: Record<keyof typeof ACCESS_LOG_FIELDS, string>): string {
  const keys = Object.keys(ACCESS_LOG_FIELDS) as Array<keyof typeof ACCESS_LOG_FIELDS>;
  return keys.reduce((line, key) => line.split(ACCESS_LOG_FIELDS[key]).join(values[key]), ACCESS_LOG_FORMAT);
}
