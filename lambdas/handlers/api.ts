// API Lambda: the management and read API behind the admin token; parses requests, calls the use cases in app/, answers.
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AlertSources } from '../app/alert-sources';
import { Alerts } from '../app/alerts';
import { EscalationPolicies } from '../app/escalation-policies';
import type { AlertFilter, AlertSourcesPort, AlertsPort, EscalationPoliciesPort, EventsPort, Host, PageRequest } from '../app/ports';
import { MANAGEMENT_BODY_BYTES, type ApiRouteKey } from '../contract';
import { ALERT_STATUSES, type AlertStatus } from '../domain/alert';
import type { AlertSource } from '../domain/alert-source';
import { isPlainObject, type FieldError } from '../domain/validation';
import { buildOpenApiDocument } from '../openapi/document';
import { AlertSourceStore } from '../store/alert-sources';
import { AlertStore } from '../store/alerts';
import type { StoreContext } from '../store/client';
import { EscalationPolicyStore } from '../store/escalation-policies';
import { EventStore } from '../store/events';
import { decodeParams, lookupRoute } from './api-router';
import { adminTokenReader, bearerToken, tokensMatch } from './auth';
import { logger as defaultLogger, storeContextOf } from './clients';
import type { ApiConfig } from './config';
import { HttpError, header, json, parseJsonBody, respond, type HttpResponse } from './http';
import { newId, newIntegrationKey } from './ids';

/** What the API handler works with; createApiHandler builds from the configuration whatever is not handed in. */
export interface ApiDeps {
  sources: AlertSourcesPort;
  policies: EscalationPoliciesPort;
  alerts: AlertsPort;
  events: EventsPort;
  host: Host;
  /** The admin token every non-public route requires. */
  adminToken: () => Promise<string>;
  logger: Logger;
}

type Params = Record<string, string>;
type RouteHandler = (req: APIGatewayProxyEventV2, params: Params) => Promise<HttpResponse>;
type UseCases = { sources: AlertSources; policies: EscalationPolicies; alerts: Alerts };

const sourceView = (source: AlertSource) => ({ ...source, apiKey: source.integrationKey });

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

/** One handler per contract route: a route of the contract without a handler here does not compile. */
function routeHandlers(app: UseCases): Record<ApiRouteKey, RouteHandler> {
  /** Built on its first request, once: generating it costs ~50 ms that no other route's cold start should pay. */
  let openApiDocument: ReturnType<typeof buildOpenApiDocument> | undefined;
  return {
    'GET /api/alert-sources': async () => json(200, (await app.sources.list()).map(sourceView)),
    'POST /api/alert-sources': async (req) => {
      const source = await app.sources.create(jsonObjectBody(req));
      return json(201, sourceView(source), { location: `/api/alert-sources/${source.id}` });
    },
    'GET /api/alert-sources/{id}': async (_req, p) => json(200, sourceView(await app.sources.get(p.id))),
    'PUT /api/alert-sources/{id}': async (req, p) => json(200, sourceView(await app.sources.replace(p.id, jsonObjectBody(req)))),
    'DELETE /api/alert-sources/{id}': async (_req, p) => (await app.sources.delete(p.id), noContent()),
    'GET /api/escalation-policies': async () => json(200, await app.policies.list()),
    'POST /api/escalation-policies': async (req) => {
      const policy = await app.policies.create(jsonObjectBody(req));
      return json(201, policy, { location: `/api/escalation-policies/${policy.id}` });
    },
    'GET /api/escalation-policies/{id}': async (_req, p) => json(200, await app.policies.get(p.id)),
    'PUT /api/escalation-policies/{id}': async (req, p) => json(200, await app.policies.replace(p.id, jsonObjectBody(req))),
    'DELETE /api/escalation-policies/{id}': async (_req, p) => (await app.policies.delete(p.id), noContent()),
    'GET /api/alerts': async (req) => json(200, await app.alerts.list(alertListQuery(req))),
    'GET /api/alerts/{id}': async (_req, p) => json(200, await app.alerts.get(p.id)),
    'GET /api/alerts/{id}/log-entries': async (req, p) => {
      const page = logPageQuery(req);
      return json(200, await app.alerts.logEntries(p.id, page));
    },
    'PUT /api/alerts/{id}/accept': async (_req, p) => json(200, await app.alerts.act(p.id, 'accept')),
    'PUT /api/alerts/{id}/resolve': async (_req, p) => json(200, await app.alerts.act(p.id, 'resolve')),
    'GET /api/events/{id}': async (_req, p) => json(200, await app.alerts.event(p.id)),
    'GET /api/openapi.json': async () => json(200, (openApiDocument ??= buildOpenApiDocument())),
  };
}

function completeDeps(config: ApiConfig, given: Partial<ApiDeps>): ApiDeps {
  let ctx: StoreContext | undefined;
  const store = () => (ctx ??= storeContextOf(config));
  return {
    sources: given.sources ?? new AlertSourceStore(store()),
    policies: given.policies ?? new EscalationPolicyStore(store()),
    alerts: given.alerts ?? new AlertStore(store()),
    events: given.events ?? new EventStore(store()),
    host: given.host ?? { now: () => new Date().toISOString(), newId, newIntegrationKey },
    adminToken: given.adminToken ?? adminTokenReader(config.adminToken),
    logger: given.logger ?? defaultLogger,
  };
}

/** The API handler for this configuration; `deps` replaces any of what it would build (tests hand in their own). */
export function createApiHandler(config: ApiConfig, deps: Partial<ApiDeps> = {}) {
  const d = completeDeps(config, deps);
  const handlers = routeHandlers({
    sources: new AlertSources({ sources: d.sources, policies: d.policies, host: d.host }),
    policies: new EscalationPolicies({ policies: d.policies, sources: d.sources, host: d.host }),
    alerts: new Alerts({ alerts: d.alerts, events: d.events, host: d.host }),
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
  return middy((req: APIGatewayProxyEventV2) => respond(() => handleApi(req), hooks)).use(injectLambdaContext(d.logger, { resetKeys: true }));
}
