// API Lambda: the management and read API (alert sources, escalation policies, alerts, events), behind the admin token.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ALERT_STATUSES, operatorTransition, type AlertStatus } from '../domain/alert';
import { alertSourceSettingsSchema, mergeSettings, type AlertSource } from '../domain/alert-source';
import { escalationPolicySettingsSchema, mergePolicySettings, type EscalationPolicy } from '../domain/escalation-policy';
import { fieldErrors, isPlainObject } from '../domain/validation';
import { buildOpenApiDocument } from '../openapi/document';
import { AlertSourceStore } from '../store/alert-sources';
import { AlertStore } from '../store/alerts';
import { InvalidCursorError } from '../store/cursor';
import { EscalationPolicyStore, RoutingKeyTakenError } from '../store/escalation-policies';
import { EventStore } from '../store/events';
import { adminToken, bearerToken, tokensMatch } from './auth';
import { logger, storeContextFromEnv } from './clients';
import { HttpError, header, json, parseJsonBody, respond, type HttpResponse } from './http';
import { newId, newIntegrationKey } from './ids';

const storeContext = storeContextFromEnv();
const sources = new AlertSourceStore(storeContext);
const alerts = new AlertStore(storeContext);
const events = new EventStore(storeContext);
const policies = new EscalationPolicyStore(storeContext);
const MAX_BODY_BYTES = 64 * 1024;
const MAX_ID_CHARS = 255;
/** Built on its first request, once: generating it costs ~50 ms that no other route's cold start should pay. */
let openApiDocument: ReturnType<typeof buildOpenApiDocument> | undefined;

type Params = Record<string, string>;
type Route = { method: string; pattern: RegExp; run: (req: APIGatewayProxyEventV2, params: Params) => Promise<HttpResponse>; public?: boolean };

const route = (method: string, path: string, run: Route['run'], options: { public?: boolean } = {}): Route => ({
  method,
  // split() with a capturing group leaves the {param} names at odd indexes; the literal parts between them are escaped,
  // or the dot of /api/openapi.json would match any character and make /api/openapiXjson public too.
  pattern: new RegExp(
    `^${path
      .split(/\{(\w+)\}/)
      .map((part, i) => (i % 2 ? `(?<${part}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('')}/?$`,
  ),
  run,
  ...options,
});

const sourceView = (source: AlertSource) => ({ ...source, apiKey: source.integrationKey });

function parseSettings(input: unknown) {
  const parsed = alertSourceSettingsSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    throw new HttpError(400, 'VALIDATION_FAILED', `Invalid alert source: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }
  return parsed.data;
}

const jsonObjectBody = (req: APIGatewayProxyEventV2): Record<string, unknown> => {
  const body = parseJsonBody(req, MAX_BODY_BYTES);
  if (!isPlainObject(body)) throw new HttpError(400, 'INVALID_BODY', 'The body must be a JSON object');
  return body;
};

const notFound = (what: string) => new HttpError(404, 'NOT_FOUND', `${what} not found`);

async function requireSource(id: string): Promise<AlertSource> {
  const source = await sources.get(id);
  if (!source) throw notFound('Alert source');
  return source;
}

/** An alert source may only name an escalation policy that exists. */
async function checkPolicyReference(settings: { escalationPolicy?: { id: string } }): Promise<void> {
  const id = settings.escalationPolicy?.id;
  if (id === undefined || (await policies.get(id))) return;
  const message = `names no existing escalation policy: ${id}`;
  throw new HttpError(400, 'VALIDATION_FAILED', `Invalid alert source: escalationPolicy.id ${message}`, [{ path: 'escalationPolicy.id', message }]);
}

function parsePolicySettings(input: unknown) {
  const parsed = escalationPolicySettingsSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const errors = fieldErrors(parsed.error);
    throw new HttpError(400, 'VALIDATION_FAILED', `Invalid escalation policy: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }
  return parsed.data;
}

const routingKeyTaken = (error: RoutingKeyTakenError) =>
  new HttpError(409, 'ROUTING_KEY_TAKEN', error.message, [{ path: 'routingKey', message: 'is already used by another escalation policy' }]);

async function requirePolicy(id: string): Promise<EscalationPolicy> {
  const policy = await policies.get(id);
  if (!policy) throw notFound('Escalation policy');
  return policy;
}

/** PUT and DELETE write against the policy as read; when it changed in between, read again (a few times). */
async function withFreshPolicy(id: string, work: (current: EscalationPolicy) => Promise<HttpResponse | undefined>): Promise<HttpResponse> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const done = await work(await requirePolicy(id));
    if (done) return done;
  }
  throw new HttpError(409, 'CONFLICT', 'The escalation policy changed while it was being updated; retry');
}

/** A page's size, the same for every paged listing: `limit` from 1 to 100, 50 when absent. */
function pageLimit(q: Record<string, string | undefined>, errors: { path: string; message: string }[]): number {
  const limit = q.limit === undefined ? 50 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) errors.push({ path: 'limit', message: 'must be an integer from 1 to 100' });
  return limit;
}

function logPageQuery(req: APIGatewayProxyEventV2) {
  const q = req.queryStringParameters ?? {};
  const errors: { path: string; message: string }[] = [];
  const limit = pageLimit(q, errors);
  if (errors.length) throw new HttpError(400, 'VALIDATION_FAILED', 'Invalid query parameters', errors);
  return { limit, cursor: q.nextCursor || undefined };
}

/** A paged read; a cursor the store refuses is the caller's mistake (altered, or from other filters), never a 500. */
async function paged<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new HttpError(400, 'INVALID_CURSOR', error.message, [{ path: 'nextCursor', message: error.message }]);
    throw error;
  }
}

function listQuery(req: APIGatewayProxyEventV2) {
  const q = req.queryStringParameters ?? {};
  const errors: { path: string; message: string }[] = [];
  const statuses = q.status
    ?.split(',')
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  if (statuses?.some((s) => !(ALERT_STATUSES as readonly string[]).includes(s))) {
    errors.push({ path: 'status', message: `must be a comma-separated list of ${ALERT_STATUSES.join(', ')}` });
  }
  const limit = pageLimit(q, errors);
  if (errors.length) throw new HttpError(400, 'VALIDATION_FAILED', 'Invalid query parameters', errors);
  return {
    statuses: statuses?.length ? [...new Set(statuses)] as AlertStatus[] : undefined,
    alertSourceId: q.alertSourceId || undefined,
    alertKey: q.alertKey || undefined,
    limit,
    cursor: q.nextCursor || undefined,
  };
}

async function operatorAction(id: string, action: 'accept' | 'resolve'): Promise<HttpResponse> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const alert = await alerts.get(id);
    if (!alert) throw notFound('Alert');
    const transition = operatorTransition(alert.status, action);
    if ('conflict' in transition) throw new HttpError(409, 'INVALID_STATE', transition.conflict);
    if ('unchanged' in transition) return json(200, alert);
    const status = transition.change as 'ACCEPTED' | 'RESOLVED';
    const text = status === 'ACCEPTED' ? 'Alert accepted through the API' : 'Alert resolved through the API';
    const done = await alerts.changeStatus(alert, status, { id: newId(), type: status, text }, new Date().toISOString());
    if (done) return json(200, await alerts.get(id));
  }
  throw new HttpError(409, 'CONFLICT', 'The alert changed while it was being updated; retry');
}

const routes: Route[] = [
  route('GET', '/api/alert-sources', async () => json(200, (await sources.list()).map(sourceView))),
  route('POST', '/api/alert-sources', async (req) => {
    const settings = parseSettings(jsonObjectBody(req));
    await checkPolicyReference(settings);
    const now = new Date().toISOString();
    const source: AlertSource = { id: newId(), integrationKey: newIntegrationKey(), ...settings, createdAt: now, updatedAt: now };
    await sources.create(source);
    return json(201, sourceView(source), { location: `/api/alert-sources/${source.id}` });
  }),
  route('GET', '/api/alert-sources/{id}', async (_req, p) => json(200, sourceView(await requireSource(p.id)))),
  route('PUT', '/api/alert-sources/{id}', async (req, p) => {
    const current = await requireSource(p.id);
    const settings = parseSettings(mergeSettings(current, jsonObjectBody(req)));
    await checkPolicyReference(settings);
    const updated: AlertSource = { ...settings, id: current.id, integrationKey: current.integrationKey, createdAt: current.createdAt, updatedAt: new Date().toISOString() };
    try {
      await sources.replace(updated);
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') throw notFound('Alert source');
      throw error;
    }
    return json(200, sourceView(updated));
  }),
  route('DELETE', '/api/alert-sources/{id}', async (_req, p) => {
    if (!(await sources.delete(p.id))) throw notFound('Alert source');
    return { statusCode: 204, body: '' };
  }),
  route('GET', '/api/escalation-policies', async () => json(200, await policies.list())),
  route('POST', '/api/escalation-policies', async (req) => {
    const settings = parsePolicySettings(jsonObjectBody(req));
    const now = new Date().toISOString();
    const policy: EscalationPolicy = { id: newId(), ...settings, createdAt: now, updatedAt: now };
    try {
      await policies.create(policy);
    } catch (error) {
      if (error instanceof RoutingKeyTakenError) throw routingKeyTaken(error);
      throw error;
    }
    return json(201, policy, { location: `/api/escalation-policies/${policy.id}` });
  }),
  route('GET', '/api/escalation-policies/{id}', async (_req, p) => json(200, await requirePolicy(p.id))),
  route('PUT', '/api/escalation-policies/{id}', async (req, p) => {
    const patch = jsonObjectBody(req);
    return withFreshPolicy(p.id, async (current) => {
      const settings = parsePolicySettings(mergePolicySettings(current, patch));
      const updated: EscalationPolicy = { ...settings, id: current.id, createdAt: current.createdAt, updatedAt: new Date().toISOString() };
      try {
        return (await policies.replace(updated, current)) ? json(200, updated) : undefined;
      } catch (error) {
        if (error instanceof RoutingKeyTakenError) throw routingKeyTaken(error);
        throw error;
      }
    });
  }),
  route('DELETE', '/api/escalation-policies/{id}', async (_req, p) =>
    withFreshPolicy(p.id, async (current) => {
      // A read, not a condition (alert sources keep no reference count): a source saved at this very moment can still
      // name the policy, so whoever follows escalationPolicy.id must cope with a policy that is gone.
      const referencing = (await sources.list()).filter((s) => s.escalationPolicy?.id === current.id);
      if (referencing.length > 0) {
        const names = referencing.map((s) => `"${s.name}" (${s.id})`).join(', ');
        throw new HttpError(409, 'POLICY_IN_USE', `The escalation policy is used by ${referencing.length} alert source(s): ${names}; point them elsewhere first`);
      }
      return (await policies.delete(current)) ? { statusCode: 204, body: '' } : undefined;
    }),
  ),
  route('GET', '/api/alerts', async (req) => json(200, await paged(() => alerts.list(listQuery(req))))),
  route('GET', '/api/alerts/{id}', async (_req, p) => {
    const alert = await alerts.get(p.id);
    if (!alert) throw notFound('Alert');
    return json(200, alert);
  }),
  route('GET', '/api/alerts/{id}/log-entries', async (req, p) => {
    const page = logPageQuery(req);
    if (!(await alerts.get(p.id))) throw notFound('Alert');
    return json(200, await paged(() => alerts.logEntries(p.id, page)));
  }),
  route('PUT', '/api/alerts/{id}/accept', (_req, p) => operatorAction(p.id, 'accept')),
  route('PUT', '/api/alerts/{id}/resolve', (_req, p) => operatorAction(p.id, 'resolve')),
  route('GET', '/api/events/{eventId}', async (_req, p) => {
    const event = await events.get(p.eventId);
    if (!event) throw notFound('Event');
    return json(200, event);
  }),
  route('GET', '/api/openapi.json', async () => json(200, (openApiDocument ??= buildOpenApiDocument())), { public: true }),
];

export async function handleApi(req: APIGatewayProxyEventV2): Promise<HttpResponse> {
  const path = req.rawPath.replace(/^\/api\/v1\//, '/api/');
  const method = req.requestContext.http.method.toUpperCase();
  const isPublic = routes.some((r) => r.public && r.method === method && r.pattern.test(path));
  const token = bearerToken(header(req, 'authorization'));
  if (!isPublic && (!token || !tokensMatch(token, await adminToken()))) {
    throw new HttpError(401, 'UNAUTHORIZED', 'A valid admin token is required: Authorization: Bearer <token>');
  }
  const matching = routes.filter((r) => r.pattern.test(path));
  // Messages never repeat the path: it may hold a key or a token pasted in the wrong place.
  if (matching.length === 0) throw new HttpError(404, 'NOT_FOUND', 'No such route');
  const match = matching.find((r) => r.method === method);
  if (!match) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on this route`);
  let params: Params;
  try {
    params = Object.fromEntries(Object.entries(match.pattern.exec(path)!.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]));
  } catch {
    throw new HttpError(400, 'INVALID_PATH', 'The path is not validly percent-encoded');
  }
  // Every id is far shorter; a longer one names nothing (and DynamoDB would refuse it as a key).
  if (Object.values(params).some((v) => v.length > MAX_ID_CHARS)) throw new HttpError(404, 'NOT_FOUND', 'Not found');
  return match.run(req, params);
}

const hooks = { unexpected: (error: unknown) => logger.error('unexpected error', error as Error) };

export const handler = middy((req: APIGatewayProxyEventV2) => respond(() => handleApi(req), hooks)).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
