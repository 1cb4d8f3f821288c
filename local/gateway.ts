// The local HTTP gateway: turns each request into an API Gateway HTTP API (payload 2.0) event for the same handlers the stack routes to.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { HTTP_ROUTES, routeKey, type HttpFunction } from '../lambdas/contract';
import { lambdaContext } from './lambda-context';
import { isWebUiRequest, serveWebUi, WEB_UI_DIR } from './web-ui';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway refuses bodies over 10 MB before any Lambda runs. */
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

export interface Match {
  handler: HttpFunction;
  routeKey: string;
  pathParameters?: Record<string, string>;
}

interface CompiledRoute {
  handler: HttpFunction;
  method: string;
  routeKey: string;
  pattern: RegExp;
  names: string[];
  /** A greedy `{name+}` is passed as it came (the api function reads the path itself). */
  greedy: boolean;
  /** Per segment: 0 literal, 1 variable, 2 greedy. API Gateway prefers, segment by segment from the left, a literal. */
  specificity: number[];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A template as a pattern: `{name}` is one segment, `{name+}` the rest of the path; a trailing slash is allowed. */
function compile(route: (typeof HTTP_ROUTES)[number]): CompiledRoute {
  const names: string[] = [];
  let greedy = false;
  const segments = route.path.split('/').map((segment) => {
    const variable = /^\{(\w+)(\+?)\}$/.exec(segment);
    if (!variable) return escape(segment);
    names.push(variable[1]);
    greedy ||= variable[2] === '+';
    return variable[2] ? '(.*)' : '([^/]+)';
  });
  return {
    handler: route.function,
    method: route.method,
    routeKey: routeKey(route),
    pattern: new RegExp(`^${segments.join('/')}${greedy ? '' : '/?'}$`),
    names,
    greedy,
    specificity: route.path.split('/').map((segment) => (segment.endsWith('+}') ? 2 : segment.startsWith('{') ? 1 : 0)),
  };
}

const bySpecificity = (a: CompiledRoute, b: CompiledRoute): number => {
  for (let i = 0; i < Math.min(a.specificity.length, b.specificity.length); i++) {
    if (a.specificity[i] !== b.specificity[i]) return a.specificity[i] - b.specificity[i];
  }
  return 0;
};

/** The HTTP API's routes as lib/ creates them, from the contract: the most specific first, the catch-all last. */
const COMPILED = HTTP_ROUTES.map(compile).sort((a, b) => Number(a.method === 'ANY') - Number(b.method === 'ANY') || bySpecificity(a, b));

/** The routes this gateway serves, each with the function it calls. */
export const gatewayRoutes = (): Array<{ routeKey: string; handler: HttpFunction }> =>
  COMPILED.map((route) => ({ routeKey: route.routeKey, handler: route.handler }));

/** The route API Gateway would pick for a request, with its route key and path parameters (percent-decoded where valid). */
export function matchRoute(method: string, path: string): Match | undefined {
  for (const route of COMPILED) {
    if (route.method !== 'ANY' && route.method !== method) continue;
    const found = route.pattern.exec(path);
    if (!found) continue;
    const match: Match = { handler: route.handler, routeKey: route.routeKey };
    if (route.names.length > 0) {
      match.pathParameters = Object.fromEntries(route.names.map((name, i) => [name, route.greedy ? found[i + 1] : safeDecode(found[i + 1])]));
    }
    return match;
  }
  return undefined;
}

const safeDecode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|[a-z0-9.+-]*\+json))/i;

function toEvent(
  req: IncomingMessage,
  url: { pathname: string; search: string; searchParams: URLSearchParams },
  body: Buffer,
  match: Match,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies.push(...String(value).split(/;\s*/));
    else headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: cookies.length ? cookies : undefined,
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: match.pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: match.routeKey,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    body: body.length === 0 ? undefined : isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function send(res: import('node:http').ServerResponse, status: number, headers: Record<string, string>, body: string) {
  res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export interface GatewayOptions {
  /** The built web UI, served for GET and HEAD requests no route matches. @default WEB_UI_DIR (dist/web) */
  webUiDir?: string;
}

export function createGateway(handlers: Record<HttpFunction, HttpHandler>, options: GatewayOptions = {}): Server {
  return createServer((req, res) => {
    // Split by hand: new URL() would resolve "%2e%2e" segments and route /api/events/%2e%2e to another function.
    const [rawPath, ...rawQuery] = (req.url ?? '/').split('?');
    const url = { pathname: rawPath || '/', search: rawQuery.length ? `?${rawQuery.join('?')}` : '', searchParams: new URLSearchParams(rawQuery.join('?')) };
    const match = matchRoute(req.method ?? 'GET', url.pathname);
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > API_GATEWAY_MAX_BODY) {
        if (!refused) send(res, 413, { 'content-type': 'application/json', connection: 'close' }, JSON.stringify({ message: 'Request Entity Too Large' }));
        refused = true;
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', async () => {
      if (refused) return;
      if (!match && isWebUiRequest(req.method ?? 'GET', url.pathname)) {
        const page = await serveWebUi(options.webUiDir ?? WEB_UI_DIR, req.method ?? 'GET', url.pathname);
        res.writeHead(page.status, page.headers);
        return void res.end(page.body);
      }
      if (!match) return send(res, 404, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Not Found' }));
      const event = toEvent(req, url, Buffer.concat(chunks), match);
      try {
        const result = await handlers[match.handler](event, lambdaContext(match.handler));
        const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
        const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString() : result.body;
        send(res, result.statusCode ?? 200, headers, body);
      } catch {
        // API Gateway's answer when the integration fails.
        send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ message: 'Internal Server Error' }));
      }
    });
  });
}
