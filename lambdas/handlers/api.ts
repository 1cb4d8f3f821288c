// API Lambda: the management and read API behind the admin token; parses requests, calls the use cases in app/, answers.
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ActionLinks, type ActionOffer } from '../app/actions';
import { AlertSources } from '../app/alert-sources';
import { Alerts } from '../app/alerts';
import { EscalationPolicies } from '../app/escalation-policies';
import { Users } from '../app/users';
import type {
  AlertFilter,
  AlertSourcesPort,
  AlertsPort,
  EscalationPoliciesPort,
  EventsPort,
  Host,
  NotificationQueuePort,
  NotificationsPort,
  PageRequest,
  UsersPort,
} from '../app/ports';
import { MANAGEMENT_BODY_BYTES, QUEUE, type ApiRouteKey } from '../contract';
import { ALERT_STATUSES, alertView, type AlertStatus } from '../domain/alert';
import type { AlertSource } from '../domain/alert-source';
import { displayName, userView } from '../domain/user';
import { isPlainObject, type FieldError } from '../domain/validation';
import { ACTION_PAGE_HEADERS, actionConfirmPage, actionErrorPage } from '../notify/action-page';
import { buildOpenApiDocument } from '../openapi/document';
import { AlertSourceStore } from '../store/alert-sources';
import { AlertStore } from '../store/alerts';
import type { StoreContext } from '../store/client';
import { EscalationJobStore } from '../store/escalation-jobs';
import { EscalationPolicyStore } from '../store/escalation-policies';
import { EventStore } from '../store/events';
import { NotificationStore } from '../store/notifications';
import { UserStore } from '../store/users';
import { HeartbeatMonitors } from '../app/heartbeats';
import { MaintenanceWindows } from '../app/maintenance-windows';
import { HeartbeatMonitorStore } from '../store/heartbeat-monitors';
import { MaintenanceWindowStore } from '../store/maintenance-windows';
import { decodeParams, lookupRoute } from './api-router';
import { timedRouteHandlers, type TimedUseCases } from './api-timed';
import { systemEventsOf } from './system-events';
import { adminTokenReader, bearerToken, tokensMatch } from './auth';
import { logger as defaultLogger, notificationQueueOf, storeContextOf } from './clients';
import type { ApiConfig, SecretSource } from './config';
import { HttpError, header, html, httpErrorOf, json, parseJsonBody, respond, type HttpResponse } from './http';
import { newId, newIntegrationKey } from './ids';
import { withUsage } from './usage';

/** What the API handler works with; createApiHandler builds from the configuration whatever is not handed in. */
export interface ApiDeps {
  sources: AlertSourcesPort;
  policies: EscalationPoliciesPort;
  users: UsersPort;
  alerts: AlertsPort;
  events: EventsPort;
  host: Host;
  /** The admin token every non-public route requires. */
  adminToken: () => Promise<string>;
  /** The secret that signs action links. */
  actionSecret: () => Promise<string>;
  /** Milliseconds since the epoch: when an action link expires is judged by it. */
  clock: () => number;
  /** An alert's notifications (GET /api/alerts/{id}/notifications). */
  notifications: Pick<NotificationsPort, 'listForAlert'>;
  /** Runs the escalation jobs an accept, resolve or reroute wrote at once; absent, the escalator's tick finds them. */
  notificationQueue?: Pick<NotificationQueuePort, 'runJob'>;
  /** Heartbeat monitors and maintenance windows (handlers/api-timed.ts). */
  timed: TimedUseCases;
  logger: Logger;
}

type Params = Record<string, string>;
type RouteHandler = (req: APIGatewayProxyEventV2, params: Params) => Promise<HttpResponse>;
type UseCases = {
  sources: AlertSources;
  policies: EscalationPolicies;
  users: Users;
  alerts: Alerts;
  actions: ActionLinks;
  timed: TimedUseCases;
  /** The origin links and integration URLs start with. */
  baseOf: (req: APIGatewayProxyEventV2) => string;
};

/** The base of each alert source's integrationUrl: PUBLIC_URL, else the origin the request came to. */
const publicBase = (configured: string | undefined) => (req: APIGatewayProxyEventV2) =>
  (configured ?? `${header(req, 'x-forwarded-proto') ?? 'http'}://${header(req, 'host') ?? req.requestContext.domainName}`).replace(/\/+$/, '');

const sourceViewAt = (base: string) => (source: AlertSource) => ({
  ...source,
  apiKey: source.integrationKey,
  integrationUrl: `${base}/api/events/${source.integrationKey}`,
});

const jsonObjectBody = (req: APIGatewayProxyEventV2): Record<string, unknown> => {
  const body = parseJsonBody(req, MANAGEMENT_BODY_BYTES);
  if (!isPlainObject(body)) throw new HttpError(400, 'INVALID_BODY', 'The body must be a JSON object');
  return body;
};

const invalidQuery = (errors: FieldError[]) => new HttpError(400, 'VALIDATION_FAILED', 'Invalid query parameters', errors);

/** A page's size and position, the same for every paged listing: `limit` from 1 to 100, 50 when absent. */
function pageQuery(req: APIGatewayProxyEventV2, errors: FieldError[]): PageRequest {
  const q = req.queryStringParameters ?? {};
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) errors.push({ path: 'limit', message: 'must be an integer from 1 to 100' });
  return { limit, cursor: q.nextCursor || undefined };
}

/** A listing paged and nothing else: the log entries, the users. */
function logPageQuery(req: APIGatewayProxyEventV2): PageRequest {
  const errors: FieldError[] = [];
  const page = pageQuery(req, errors);
  if (errors.length) throw invalidQuery(errors);
  return page;
}

function alertListQuery(req: APIGatewayProxyEventV2): AlertFilter {
  const q = req.queryStringParameters ?? {};
  const errors: FieldError[] = [];
  const statuses = q.status
    ?.split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  if (statuses?.some((s) => !(ALERT_STATUSES as readonly string[]).includes(s))) {
    errors.push({ path: 'status', message: `must be a comma-separated list of ${ALERT_STATUSES.join(', ')}` });
  }
  const page = pageQuery(req, errors);
  if (errors.length) throw invalidQuery(errors);
  return {
    statuses: statuses?.length ? ([...new Set(statuses)] as AlertStatus[]) : undefined,
    alertSourceId: q.alertSourceId || undefined,
    alertKey: q.alertKey || undefined,
    ...page,
  };
}

const noContent = (): HttpResponse => ({ statusCode: 204, body: '' });

/** The action links' secret; without one in the configuration a link answers 500 (a deployment mistake, logged). */
const actionSecretReader = (source: SecretSource | undefined): (() => Promise<string>) =>
  source
    ? adminTokenReader('value' in source ? { token: source.value } : source)
    : () => Promise.reject(new Error('the action secret is not configured: ACTION_SECRET or ACTION_SECRET_ARN'));

/** An action link's confirm page: what the link's POST would do, for whom. */
const confirmPage = ({ claims, alert, user }: ActionOffer): HttpResponse =>
  html(200, actionConfirmPage({ action: claims.action, alert, userName: displayName(user) }), ACTION_PAGE_HEADERS);

const REFUSAL_TITLES: Record<number, string> = { 401: 'This link is not valid', 404: 'This alert no longer exists', 410: 'This link has expired' };

/** A GET of an action link is a person's click: its refusals are pages too, with the status a JSON client would get. */
async function pageOrRefusal(page: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await page();
  } catch (error) {
    const refusal = httpErrorOf(error);
    if (!refusal) throw error;
    return html(refusal.status, actionErrorPage(REFUSAL_TITLES[refusal.status] ?? 'This link cannot be used', refusal.message), ACTION_PAGE_HEADERS);
  }
}

/** One handler per contract route: a route of the contract without a handler here does not compile. */
function routeHandlers(app: UseCases): Record<ApiRouteKey, RouteHandler> {
  const sourceView = (req: APIGatewayProxyEventV2) => sourceViewAt(app.baseOf(req));
  /** Built on its first request, once: generating it costs ~50 ms that no other route's cold start should pay. */
  let openApiDocument: ReturnType<typeof buildOpenApiDocument> | undefined;
  return {
    'GET /api/alert-sources': async (req) => json(200, (await app.sources.list()).map(sourceView(req))),
    'POST /api/alert-sources': async (req) => {
      const source = await app.sources.create(jsonObjectBody(req));
      return json(201, sourceView(req)(source), { location: `/api/alert-sources/${source.id}` });
    },
    'GET /api/alert-sources/{id}': async (req, p) => json(200, sourceView(req)(await app.sources.get(p.id))),
    'PUT /api/alert-sources/{id}': async (req, p) => json(200, sourceView(req)(await app.sources.replace(p.id, jsonObjectBody(req)))),
    'DELETE /api/alert-sources/{id}': async (_req, p) => (await app.sources.delete(p.id), noContent()),
    'GET /api/escalation-policies': async () => json(200, await app.policies.list()),
    'POST /api/escalation-policies': async (req) => {
      const policy = await app.policies.create(jsonObjectBody(req));
      return json(201, policy, { location: `/api/escalation-policies/${policy.id}` });
    },
    'GET /api/escalation-policies/{id}': async (_req, p) => json(200, await app.policies.get(p.id)),
    'PUT /api/escalation-policies/{id}': async (req, p) => json(200, await app.policies.replace(p.id, jsonObjectBody(req))),
    'DELETE /api/escalation-policies/{id}': async (_req, p) => (await app.policies.delete(p.id), noContent()),
    'GET /api/users': async (req) => {
      const page = await app.users.list(logPageQuery(req));
      return json(200, { ...page, items: page.items.map(userView) });
    },
    'POST /api/users': async (req) => {
      const user = await app.users.create(jsonObjectBody(req));
      return json(201, userView(user), { location: `/api/users/${user.id}` });
    },
    'GET /api/users/{id}': async (_req, p) => json(200, userView(await app.users.get(p.id))),
    'PUT /api/users/{id}': async (req, p) => json(200, userView(await app.users.replace(p.id, jsonObjectBody(req)))),
    'DELETE /api/users/{id}': async (_req, p) => (await app.users.delete(p.id), noContent()),
    'GET /api/alerts': async (req) => {
      const page = await app.alerts.list(alertListQuery(req));
      return json(200, { ...page, items: page.items.map(alertView) });
    },
    'GET /api/alerts/{id}': async (_req, p) => json(200, alertView(await app.alerts.get(p.id))),
    'GET /api/alerts/{id}/log-entries': async (req, p) => {
      const page = logPageQuery(req);
      return json(200, await app.alerts.logEntries(p.id, page));
    },
    'PUT /api/alerts/{id}/accept': async (_req, p) => json(200, alertView(await app.alerts.act(p.id, 'accept'))),
    'PUT /api/alerts/{id}/resolve': async (_req, p) => json(200, alertView(await app.alerts.act(p.id, 'resolve'))),
    'PUT /api/alerts/{id}/assign': async (req, p) => json(200, alertView(await app.alerts.assign(p.id, jsonObjectBody(req)))),
    'GET /api/alerts/{id}/notifications': async (_req, p) => json(200, { items: await app.alerts.notifications(p.id) }),
    'GET /api/events/{id}': async (_req, p) => json(200, await app.alerts.event(p.id)),
    'GET /api/actions/{token}': async (_req, p) => pageOrRefusal(async () => confirmPage(await app.actions.show(p.token))),
    'POST /api/actions/{token}': async (_req, p) => json(200, await app.actions.perform(p.token)),
    'GET /api/openapi.json': async () => json(200, (openApiDocument ??= buildOpenApiDocument())),
    ...timedRouteHandlers(app.timed, { body: jsonObjectBody, page: logPageQuery }),
  };
}

/** Heartbeat monitors and maintenance windows, on the api's store; pings send through the event queue (EVENT_QUEUE_URL). */
function timedUseCases(config: ApiConfig, store: () => StoreContext, sources: AlertSourcesPort, host: Host): TimedUseCases {
  const clock = config.clock ?? Date.now;
  return {
    heartbeats: new HeartbeatMonitors({ monitors: new HeartbeatMonitorStore(store()), sources, host, systemEvents: systemEventsOf(config, store(), clock) }),
    windows: new MaintenanceWindows({ windows: new MaintenanceWindowStore(store()), sources, host }),
    autoResolveJobs: new EscalationJobStore(store()),
  };
}

function completeDeps(config: ApiConfig, given: Partial<ApiDeps>): ApiDeps {
  let ctx: StoreContext | undefined;
  const store = () => (ctx ??= storeContextOf(config));
  const host = given.host ?? { now: () => new Date((given.clock ?? config.clock ?? Date.now)()).toISOString(), newId, newIntegrationKey };
  return {
    sources: given.sources ?? new AlertSourceStore(store()),
    policies: given.policies ?? new EscalationPolicyStore(store()),
    users: given.users ?? new UserStore(store()),
    alerts: given.alerts ?? new AlertStore(store()),
    events: given.events ?? new EventStore(store()),
    host,
    adminToken: given.adminToken ?? adminTokenReader(config.adminToken),
    actionSecret: given.actionSecret ?? actionSecretReader(config.actionSecret),
    clock: given.clock ?? config.clock ?? Date.now,
    notifications: given.notifications ?? new NotificationStore(store()),
    notificationQueue: given.notificationQueue ?? notificationQueueOf(config),
    timed: given.timed ?? timedUseCases(config, store, given.sources ?? new AlertSourceStore(store()), host),
    logger: given.logger ?? defaultLogger,
  };
}

/** The API handler for this configuration; `deps` replaces any of what it would build (tests hand in their own). */
export function createApiHandler(config: ApiConfig, deps: Partial<ApiDeps> = {}) {
  const d = completeDeps(config, deps);
  const alerts = new Alerts({
    alerts: d.alerts,
    events: d.events,
    host: d.host,
    policies: d.policies,
    notifications: d.notifications,
    queue: d.notificationQueue,
    // Ingest writes no event record, so an event not yet applied has none (see Alerts.event): the local runtime's
    // journal knows its events; in AWS, the id tells.
    queuedWithoutRecord: config.journal ? { journal: config.journal } : { retentionSeconds: QUEUE.retentionSeconds },
  });
  const handlers = routeHandlers({
    sources: new AlertSources({
      sources: d.sources,
      policies: d.policies,
      host: d.host,
      autoResolve: d.timed.autoResolveJobs && { alerts: d.alerts, jobs: d.timed.autoResolveJobs, now: d.clock },
    }),
    policies: new EscalationPolicies({ policies: d.policies, sources: d.sources, users: d.users, host: d.host }),
    users: new Users({ users: d.users, policies: d.policies, host: d.host, allowPrivateTargets: config.allowPrivateWebhookTargets ?? false }),
    alerts,
    actions: new ActionLinks({ alerts, users: d.users, actionSecret: d.actionSecret, now: d.clock }),
    timed: d.timed,
    baseOf: publicBase(config.publicUrl),
  });

  async function handleApi(req: APIGatewayProxyEventV2): Promise<HttpResponse> {
    const found = lookupRoute({ routeKey: req.routeKey, method: req.requestContext.http.method, rawPath: req.rawPath, pathParameters: req.pathParameters });
    const token = bearerToken(header(req, 'authorization'));
    if (found.access !== 'public' && (!token || !tokensMatch(token, await d.adminToken()))) {
      throw new HttpError(401, 'UNAUTHORIZED', 'A valid admin token is required: Authorization: Bearer <token>');
    }
    if (!found.route) throw found.refusal;
    return handlers[found.route.key](req, decodeParams(found.rawParams));
  }

  const hooks = { unexpected: (error: unknown) => d.logger.error('unexpected error', error as Error) };
  // Measured without metrics: this handler flushes none.
  return middy(withUsage('api', async (req: APIGatewayProxyEventV2) => respond(() => handleApi(req), hooks), false)).use(
    injectLambdaContext(d.logger, { resetKeys: true }),
  );
}
