// The product's contract, in one place: every HTTP route with the function that serves it and who may call it, the
// queue's settings, the service and metrics names and the deployment defaults. The stack (lib/), the local runtime
// (local/), the handlers and the OpenAPI document all read it; adding a route is one entry in ROUTES.
import { EVENT_OUTCOMES } from './domain/alert';
import {
  TABLE_SCHEMA,
  alertKeys,
  alertSourceKeys,
  escalationCursorKeys,
  escalationJobKeys,
  escalationPolicyKeys,
  eventKeys,
  heartbeatMonitorKeys,
  idempotencyKeys,
  logEntryKeys,
  maintenanceCoverageKeys,
  maintenanceWindowKeys,
  notificationKeys,
  openAlertKeys,
  rateLimitKeys,
  routingKeyKeys,
  userKeys,
  type Key,
} from './store/keys';

export type FunctionName = 'ingest' | 'processor' | 'api' | 'escalator' | 'notifier';
export type HttpFunction = Extract<FunctionName, 'ingest' | 'api'>;
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
/** Who may call a route: anyone holding an alert source's integration key, the admin token, or anyone at all. */
export type Access = 'integration-key' | 'admin' | 'public';

export interface RouteSpec {
  readonly method: HttpMethod;
  /** An API Gateway path template; the same template for every method of one path (OpenAPI allows one shape). */
  readonly path: string;
  readonly function: HttpFunction;
  readonly access: Access;
}

/** The routes of the product, as the OpenAPI document lists them. */
export const ROUTES = [
  { method: 'POST', path: '/api/events', function: 'ingest', access: 'integration-key' },
  // One template per shape: the ingest's integration key and the event record's id share {id}.
  { method: 'POST', path: '/api/events/{id}', function: 'ingest', access: 'integration-key' },
  { method: 'POST', path: '/api/v1/events', function: 'ingest', access: 'integration-key' },
  { method: 'POST', path: '/api/v1/events/{apiKey}', function: 'ingest', access: 'integration-key' },
  // PagerDuty's Events API v2 at PagerDuty's own path, so that a PagerDuty client works by changing only its host.
  { method: 'POST', path: '/v2/enqueue', function: 'ingest', access: 'integration-key' },
  // A tool's own payload, /{type}/{apiKey}: API Gateway refuses a second variable name at a level that already has one,
  // so the type takes the name of that level ({id}, {apiKey}) and the key the next (the ingest handler maps them back).
  { method: 'POST', path: '/api/events/{id}/{apiKey}', function: 'ingest', access: 'integration-key' },
  { method: 'POST', path: '/api/v1/events/{apiKey}/{key}', function: 'ingest', access: 'integration-key' },
  { method: 'GET', path: '/api/events/{id}', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/alert-sources', function: 'api', access: 'admin' },
  { method: 'POST', path: '/api/alert-sources', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/alert-sources/{id}', function: 'api', access: 'admin' },
  { method: 'PUT', path: '/api/alert-sources/{id}', function: 'api', access: 'admin' },
  { method: 'DELETE', path: '/api/alert-sources/{id}', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/escalation-policies', function: 'api', access: 'admin' },
  { method: 'POST', path: '/api/escalation-policies', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/escalation-policies/{id}', function: 'api', access: 'admin' },
  { method: 'PUT', path: '/api/escalation-policies/{id}', function: 'api', access: 'admin' },
  { method: 'DELETE', path: '/api/escalation-policies/{id}', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/users', function: 'api', access: 'admin' },
  { method: 'POST', path: '/api/users', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/users/{id}', function: 'api', access: 'admin' },
  { method: 'PUT', path: '/api/users/{id}', function: 'api', access: 'admin' },
  { method: 'DELETE', path: '/api/users/{id}', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/alerts', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/alerts/{id}', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/alerts/{id}/log-entries', function: 'api', access: 'admin' },
  { method: 'PUT', path: '/api/alerts/{id}/accept', function: 'api', access: 'admin' },
  { method: 'PUT', path: '/api/alerts/{id}/resolve', function: 'api', access: 'admin' },
  { method: 'PUT', path: '/api/alerts/{id}/assign', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/alerts/{id}/notifications', function: 'api', access: 'admin' },
  // Action links: the signed token in the path is the credential (one alert, one action, one user), so no admin token.
  { method: 'GET', path: '/api/actions/{token}', function: 'api', access: 'public' },
  { method: 'POST', path: '/api/actions/{token}', function: 'api', access: 'public' },
  { method: 'GET', path: '/api/openapi.json', function: 'api', access: 'public' },
  { method: 'GET', path: '/api/heartbeat-monitors', function: 'api', access: 'admin' },
  { method: 'POST', path: '/api/heartbeat-monitors', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/heartbeat-monitors/{id}', function: 'api', access: 'admin' },
  { method: 'PUT', path: '/api/heartbeat-monitors/{id}', function: 'api', access: 'admin' },
  { method: 'DELETE', path: '/api/heartbeat-monitors/{id}', function: 'api', access: 'admin' },
  // Pings: the monitor's unguessable key in the path is the credential (it marks that monitor up and nothing else).
  { method: 'GET', path: '/api/heartbeats/{key}', function: 'api', access: 'public' },
  { method: 'HEAD', path: '/api/heartbeats/{key}', function: 'api', access: 'public' },
  { method: 'POST', path: '/api/heartbeats/{key}', function: 'api', access: 'public' },
  { method: 'GET', path: '/api/maintenance-windows', function: 'api', access: 'admin' },
  { method: 'POST', path: '/api/maintenance-windows', function: 'api', access: 'admin' },
  { method: 'GET', path: '/api/maintenance-windows/{id}', function: 'api', access: 'admin' },
  { method: 'PUT', path: '/api/maintenance-windows/{id}', function: 'api', access: 'admin' },
  { method: 'DELETE', path: '/api/maintenance-windows/{id}', function: 'api', access: 'admin' },
] as const satisfies readonly RouteSpec[];

export type Route = (typeof ROUTES)[number];
/** API Gateway's route key, e.g. "GET /api/alerts/{id}": what a handler receives as event.routeKey. */
export type RouteKey = `${Route['method']} ${Route['path']}`;
export type ApiRouteKey = Extract<Route, { function: 'api' }> extends infer R ? (R extends Route ? `${R['method']} ${R['path']}` : never) : never;

export const routeKey = (route: { method: string; path: string }): string => `${route.method} ${route.path}`;

/** A template's shape: its variables unnamed, so that `/a/{id}` and `/a/{key}` are the same shape. */
const shapeOf = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
const variablesOf = (path: string) => [...path.matchAll(/\{(\w+)\+?\}/g)].map((match) => match[1]);

/** A management route served again under /api/v1/; `aliasOf` is the route whose handler answers it. */
export interface AliasRoute extends RouteSpec {
  readonly aliasOf: Route;
  /** The alias template's variable names mapped to the documented route's (they differ where a shape already had a name). */
  readonly renames: Readonly<Record<string, string>>;
}

/**
 * Every management route again under /api/v1/ (the v1 paths of the events API are routes of their own above).
 * API Gateway refuses two variables of different names at one level of a path, and `/api/v1/events/{apiKey}` already
 * names that level: an alias takes the template of a route of the same shape (GET /api/v1/events/{apiKey} repeats
 * GET /api/events/{id}), and `renames` maps its names back (see canonicalRoute).
 */
export const MANAGEMENT_ALIASES: readonly AliasRoute[] = ROUTES.filter((route) => route.function === 'api').map((route) => {
  const wanted = `/api/v1/${route.path.slice('/api/'.length)}`;
  const sameShape = ROUTES.find((other) => shapeOf(other.path) === shapeOf(wanted));
  const path = sameShape?.path ?? wanted;
  const documented = variablesOf(route.path);
  const renames = Object.fromEntries(variablesOf(path).map((name, i) => [name, documented[i]]));
  return { method: route.method, path, function: route.function, access: route.access, aliasOf: route, renames };
});

/**
 * The route that answers whatever no other route matches: any method on any path under /api/ goes to the api
 * function, which answers 401 without the admin token, 404 NOT_FOUND for an unknown path and 405 METHOD_NOT_ALLOWED for
 * a known path under another method.
 */
export const CATCH_ALL = { method: 'ANY', path: '/api/{proxy+}', function: 'api', access: 'admin' } as const;

/** Every route API Gateway (and the local gateway) serves, catch-all last. */
export const HTTP_ROUTES: ReadonlyArray<Omit<RouteSpec, 'method'> & { method: HttpMethod | 'ANY' }> = [...ROUTES, ...MANAGEMENT_ALIASES, CATCH_ALL];

/**
 * The documented route behind a route key and its path parameters: an alias gives the route it repeats, its
 * parameters under that route's names. Undefined for the catch-all and unknown keys.
 */
export function canonicalRoute(
  key: string,
  pathParameters: Record<string, string | undefined> = {},
): { route: Route; pathParameters: Record<string, string> } | undefined {
  const renamed = (renames: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(pathParameters).flatMap(([name, value]) => (value === undefined ? [] : [[renames[name] ?? name, value]])));
  const route = ROUTES.find((r) => routeKey(r) === key);
  if (route) return { route, pathParameters: renamed({}) };
  const alias = MANAGEMENT_ALIASES.find((a) => routeKey(a) === key);
  return alias && { route: alias.aliasOf, pathParameters: renamed(alias.renames) };
}

/** Where the handlers' logs and Powertools metrics are named: the `service` key and dimension, and the namespace. */
export const SERVICE_NAME = 'alertline';
export const METRICS_NAMESPACE = 'Alertline';
/** The notifier counts each notification that ended FAILED; an alarm fires on it. */
export const NOTIFICATIONS_FAILED_METRIC = 'NotificationsFailed';
/** The processor counts each applied event as the metric `Outcome<outcome>`; the dashboard graphs each. */
export { EVENT_OUTCOMES };

/** Each function's timeout; the processor's has room for a whole batch under a stalled table (every call fails within 3 s). */
export const FUNCTION_TIMEOUT_SECONDS: Record<FunctionName, number> = { ingest: 10, processor: 60, api: 10, escalator: 60, notifier: 60 };

/** The largest body the management API reads; a larger one is 413 PAYLOAD_TOO_LARGE. */
export const MANAGEMENT_BODY_BYTES = 64 * 1024;

/** Defaults of the settings a deployment may change (lib/config.ts) and of the handlers' own. */
export const DEFAULTS = {
  memoryMb: 256,
  /** CloudWatch Logs retention of every log group: one month. */
  logRetentionDays: 30,
  /** How long a handler reuses an alert source it read (SOURCE_CACHE_TTL_MS overrides it). */
  sourceCacheTtlMs: 10_000,
} as const;

/**
 * The functions' log level in AWS (POWERTOOLS_LOG_LEVEL): every byte logged is billed by CloudWatch Logs (at INFO, about
 * 2 KB per event), so only warnings and errors; the metrics say what happened per invocation. The bench counts what the
 * handlers write at this level (`npm run bench`).
 */
export const DEPLOYED_LOG_LEVEL = 'WARN';

/** The log levels a deployment may set instead (`alertline:logLevel`), as Powertools' Logger names them. */
export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export const QUEUE = {
  /** Deliveries of one event before it is parked in the dead-letter queue; the processor marks the last one FAILED. */
  maxReceiveCount: 5,
  /** In AWS: six times the processor's timeout (AWS's guidance for SQS event sources), so a batch is not redelivered mid-flight. */
  visibilityTimeoutSeconds: FUNCTION_TIMEOUT_SECONDS.processor * 6,
  /** In the local runtime (QUEUE_VISIBILITY_TIMEOUT overrides it): a failed batch comes back within a test's patience. */
  localVisibilityTimeoutSeconds: 30,
  /** A 256 KiB event with every non-ASCII character escaped (see asciiJson) can reach ~800 KB. */
  maxMessageBytes: 1024 * 1024,
  /**
   * How long the event queue keeps a message: SQS's default (4 days), which the stack leaves as is. In AWS an event
   * not yet applied has no record: GET /api/events/{id} answers QUEUED for an event id this young (see Alerts.event).
   */
  retentionSeconds: 4 * 24 * 3600,
  deadLetterRetentionDays: 14,
} as const;

/** The notification queue (standard: deliveries need no order) and its dead-letter queue. */
export const NOTIFICATION_QUEUE = {
  /** Receives of one message before it is parked; a delivery's own retries (5 attempts) are new messages. */
  maxReceiveCount: 5,
  /** Six times the notifier's timeout, as for the event queue. */
  visibilityTimeoutSeconds: FUNCTION_TIMEOUT_SECONDS.notifier * 6,
  deadLetterRetentionDays: 14,
  /** Messages per notifier invocation: each is at most one delivery of 5 s, sent side by side. */
  batchSize: 10,
} as const;

/** How often the escalator looks for due escalations: AWS schedules it each minute; locally ESCALATION_TICK_SECONDS. */
export const ESCALATION_TICK = { awsMinutes: 1, localSecondsDefault: 15 } as const;

/** The names the local runtime gives its table and queue (AWS names them after the stack). */
export const LOCAL_NAMES = { table: 'alertline', queue: 'alertline-events', notificationQueue: 'alertline-notifications' } as const;

/**
 * The web UI's security headers (SPEC section 8), sent by the local gateway and by CloudFront's response headers
 * policy alike. No inline script or style: alert data that slipped past the sanitizer still cannot run.
 */
export const WEB_UI_HEADERS = {
  contentSecurityPolicy:
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  referrerPolicy: 'no-referrer',
} as const;

/** The paths that belong to the API, never to the web UI: the HTTP API's origin in AWS, the route table locally. */
export const API_PATH_PATTERNS = ['/api/*', '/v2/*'] as const;

/** The table's keys and indexes, as the store defines them: the stack and the local runtime build the table from it. */
export { TABLE_SCHEMA, type Key };

/**
 * What each function writes, named by the key builders (the ids are placeholders): the stack lets its role write only
 * these entities' partitions. A store write a function does not list here is denied in AWS: add its entity here first.
 */
export const WRITTEN_ENTITIES = {
  // The QUEUED event record (older local data folders only) and its withdrawal's tombstone when the queue refuses it, the
  // Idempotency-Key claim, the rate-limit counter.
  ingest: [eventKeys.item('id'), idempotencyKeys.item('source', 'key'), rateLimitKeys.item('source', 0)],
  // An event's outcome (or FAILED), with the alert it opens or changes, the open-alert locks, and the alert's log; the
  // escalation job a new alert's first level or an accept's or resolve's notices make.
  processor: [
    eventKeys.item('id'),
    alertKeys.item('id'),
    logEntryKeys.item('alert', 'at', 'id'),
    openAlertKeys.item('source', 'key'),
    openAlertKeys.source('source'),
    escalationJobKeys.item('minute', 'at', 'alert', 'step'),
  ],
  // Alert sources; escalation policies and their routing keys' claims; users; an operator's accept, resolve or reroute:
  // the alert, its log entry, the open-alert lock it releases and the escalation job it makes. Heartbeat monitors (with
  // their checks' jobs, and the record of the RESOLVE a ping sends: only the tombstone of its withdrawal when the queue
  // refuses it); maintenance windows and their coverage items.
  api: [
    alertSourceKeys.item('id'),
    escalationPolicyKeys.item('id'),
    routingKeyKeys.item('key'),
    userKeys.item('id'),
    alertKeys.item('id'),
    logEntryKeys.item('alert', 'at', 'id'),
    openAlertKeys.item('source', 'key'),
    escalationJobKeys.item('minute', 'at', 'alert', 'step'),
    heartbeatMonitorKeys.item('id'),
    eventKeys.item('id'),
    maintenanceWindowKeys.item('id'),
    maintenanceCoverageKeys.item('source', 'end', 'id'),
  ],
  // The escalation engine: an alert's escalation state, its log, its notifications, the jobs and the cursor. The other
  // timed jobs: a heartbeat monitor's state and the tombstone of its ALERT (when the queue refuses it); an auto-resolve (the operator's resolve:
  // the alert, its log entry, the open-alert lock it releases).
  escalator: [
    alertKeys.item('id'),
    logEntryKeys.item('alert', 'at', 'id'),
    notificationKeys.item('alert', 'at', 'id'),
    escalationJobKeys.item('minute', 'at', 'alert', 'step'),
    escalationCursorKeys.item(),
    heartbeatMonitorKeys.item('id'),
    eventKeys.item('id'),
    openAlertKeys.item('source', 'key'),
  ],
  // Deliveries (the notification's attempts, the alert's log) and the jobs it runs, as the escalator does (no cursor).
  notifier: [
    alertKeys.item('id'),
    logEntryKeys.item('alert', 'at', 'id'),
    notificationKeys.item('alert', 'at', 'id'),
    escalationJobKeys.item('minute', 'at', 'alert', 'step'),
  ],
} satisfies Record<FunctionName, Key[]>;
