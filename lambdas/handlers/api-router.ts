// Finds the contract route (lambdas/contract.ts) an API request is for: by API Gateway's route key when it names one,
// else by matching the path against the contract's templates (a catch-all route such as ANY /api/{proxy+}).
import { canonicalRoute, ROUTES, routeKey, type Access, type ApiRouteKey, type HttpMethod } from '../contract';
import { HttpError } from './http';

export interface ApiRoute {
  key: ApiRouteKey;
  method: HttpMethod;
  access: Access;
  pattern: RegExp;
}

/** The management routes are also served under /api/v1/: the same route as the path without the /v1. */
const withoutV1 = (path: string) => path.replace(/^\/api\/v1\//, '/api/');

/** Every id is far shorter; a longer one names nothing (and DynamoDB would refuse it as a key). */
const MAX_PARAM_CHARS = 255;

// split() with a capturing group leaves the {param} names at odd indexes; the literal parts between them are escaped,
// or the dot of /api/openapi.json would match any character and make /api/openapiXjson public too.
const patternOf = (template: string) =>
  new RegExp(
    `^${template
      .split(/\{(\w+)\}/)
      .map((part, i) => (i % 2 ? `(?<${part}>[^/]+)` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('')}/?$`,
  );

const API_ROUTES: readonly ApiRoute[] = ROUTES.filter((r) => r.function === 'api').map((r) => ({
  key: routeKey(r) as ApiRouteKey,
  method: r.method,
  access: r.access,
  pattern: patternOf(r.path),
}));
const BY_KEY = new Map<string, ApiRoute>(API_ROUTES.map((r) => [r.key, r]));

/**
 * What a request asks for. `access` is known before the route is: a request for no route needs the admin token, so
 * that without it nobody learns which paths exist. `refusal` is the 404 or 405 to answer once the caller is admitted.
 */
export type RouteLookup = { route: ApiRoute; access: Access; rawParams: Record<string, string> } | { route?: undefined; access: Access; refusal: HttpError };

export interface RouteRequest {
  routeKey: string;
  method: string;
  rawPath: string;
  pathParameters?: Record<string, string | undefined>;
}

export function lookupRoute(req: RouteRequest): RouteLookup {
  const method = req.method.toUpperCase();
  const path = withoutV1(req.rawPath);
  // A route key of the contract (or of its /api/v1/ alias) names the route; the catch-all's does not.
  const canonical = canonicalRoute(req.routeKey, req.pathParameters);
  const named = canonical && BY_KEY.get(routeKey(canonical.route));
  const candidates = named ? [named] : API_ROUTES.filter((r) => r.pattern.test(path));
  // Messages never repeat the path: it may hold a key or a token pasted in the wrong place.
  if (candidates.length === 0) return { access: 'admin', refusal: new HttpError(404, 'NOT_FOUND', 'No such route') };
  const route = candidates.find((r) => r.method === method);
  if (!route) return { access: 'admin', refusal: new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on this route`) };
  // The parameters are read from the path as sent, so that decoding them (and refusing a malformed escape) is the
  // same whichever gateway routed the request; the gateway's own pathParameters are the fallback.
  const groups = route.pattern.exec(path)?.groups ?? canonical?.pathParameters;
  return { route, access: route.access, rawParams: { ...groups } };
}

/** The path's parameters, percent-decoded: 400 for a malformed escape, 404 for a value longer than any id. */
export function decodeParams(raw: Record<string, string>): Record<string, string> {
  let params: Record<string, string>;
  try {
    params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, decodeURIComponent(v)]));
  } catch {
    throw new HttpError(400, 'INVALID_PATH', 'The path is not validly percent-encoded');
  }
  if (Object.values(params).some((v) => v.length > MAX_PARAM_CHARS)) throw new HttpError(404, 'NOT_FOUND', 'Not found');
  return params;
}
