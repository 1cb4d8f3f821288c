// One route table: the stack, the local gateway and the OpenAPI document serve and list exactly the routes of lambdas/contract.ts.
import { CATCH_ALL, HTTP_ROUTES, MANAGEMENT_ALIASES, ROUTES, canonicalRoute, routeKey } from '../../lambdas/contract';
import { buildOpenApiDocument } from '../../lambdas/openapi/document';
import { INTEGRATION_DOCUMENTED_PATHS } from '../../lambdas/openapi/integrations';
import { gatewayRoutes, matchRoute } from '../../local/gateway';
import { synth } from './synth';

const sorted = (entries: Array<[string, string]>) => entries.map(([key, fn]) => `${key} -> ${fn}`).sort();
const contractRoutes = sorted(HTTP_ROUTES.map((route) => [routeKey(route), route.function]));

/** The stack's HTTP API routes, each with the logical id of the function its integration invokes. */
function stackRoutes(): Array<[string, string]> {
  const { template, resources } = synth();
  const functionIds = Object.fromEntries(
    Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables)
      .map(([id, r]) => [
        id,
        'ADMIN_TOKEN_SECRET_ARN' in r.Properties.Environment.Variables ? 'api' : 'QUEUE_URL' in r.Properties.Environment.Variables ? 'ingest' : 'another',
      ]),
  );
  return Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => {
    const integration = resources[route.Properties.Target['Fn::Join'][1][1].Ref].Properties;
    return [route.Properties.RouteKey, functionIds[integration.IntegrationUri['Fn::GetAtt'][0]]];
  });
}

describe('the routes of the contract', () => {
  it('are the HTTP API routes of the synthesized stack, each to its function', () => {
    expect(sorted(stackRoutes())).toEqual(contractRoutes);
  });

  it('are the local gateway routes, each to its function', () => {
    expect(sorted(gatewayRoutes().map((r) => [r.routeKey, r.handler]))).toEqual(contractRoutes);
  });

  it('are the operations of the OpenAPI document (the documented ones: no alias, no catch-all)', () => {
    const doc = buildOpenApiDocument();
    const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
    const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => methods.has(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    // The integration routes under SPEC's parameter names (INTEGRATION_DOCUMENTED_PATHS), every other one as served.
    const documented = ROUTES.map((route) => routeKey({ method: route.method, path: INTEGRATION_DOCUMENTED_PATHS[route.path] ?? route.path }));
    expect(operations.sort()).toEqual(documented.sort());
  });

  it('document the integration routes under the names of SPEC section 9, on the shape of the template that serves each', () => {
    const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
    for (const [template, path] of Object.entries(INTEGRATION_DOCUMENTED_PATHS)) {
      expect(ROUTES.some((route) => route.path === template && route.function === 'ingest')).toBe(true);
      expect(shape(path)).toBe(shape(template));
      expect(path).toMatch(/\/events\/\{type\}\/\{apiKey\}$/);
    }
    const doc = buildOpenApiDocument();
    expect(
      Object.keys(doc.paths)
        .filter((path) => path.endsWith('/{type}/{apiKey}'))
        .sort(),
    ).toEqual(['/api/events/{type}/{apiKey}', '/api/v1/events/{type}/{apiKey}']);
    for (const path of Object.values(INTEGRATION_DOCUMENTED_PATHS)) {
      const { parameters } = doc.paths[path].post as { parameters: Array<{ in?: string; name?: string }> };
      const names = parameters.filter((p) => p.in === 'path').map((p) => p.name);
      expect(names).toEqual(['type', 'apiKey']);
    }
  });

  it('repeat every management route under /api/v1/, and only those', () => {
    expect(MANAGEMENT_ALIASES.map((alias) => routeKey(alias.aliasOf)).sort()).toEqual(
      ROUTES.filter((r) => r.function === 'api')
        .map(routeKey)
        .sort(),
    );
    for (const alias of MANAGEMENT_ALIASES) {
      // The same template after /api/v1/, its variables possibly named otherwise (one name per shape).
      expect(alias.path.replace(/\{[^}]+\}/g, '{}')).toBe(alias.aliasOf.path.replace(/^\/api\//, '/api/v1/').replace(/\{[^}]+\}/g, '{}'));
      expect([alias.method, alias.function, alias.access]).toEqual([alias.aliasOf.method, alias.aliasOf.function, alias.aliasOf.access]);
    }
  });

  it("name each path shape's variables one way, as API Gateway requires", () => {
    const namesByShape = new Map<string, string>();
    for (const route of HTTP_ROUTES) {
      const shape = route.path.replace(/\{[^}]+\}/g, '{}');
      expect({ shape, path: namesByShape.get(shape) ?? route.path }).toEqual({ shape, path: route.path });
      namesByShape.set(shape, route.path);
    }
  });

  it.each(HTTP_ROUTES.filter((route) => route !== CATCH_ALL).map((route) => [routeKey(route), route] as const))(
    "the local gateway routes a request of %s with API Gateway's route key and path parameters",
    (key, route) => {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => `value-of-${name}`);
      const expected = names.length ? { pathParameters: Object.fromEntries(names.map((n) => [n, `value-of-${n}`])) } : {};
      expect(matchRoute(route.method, path)).toEqual({ handler: route.function, routeKey: key, ...expected });
    },
  );

  it("send whatever no route matches under /api/ to the api function's catch-all, which answers 401, 404 or 405", () => {
    expect(matchRoute('DELETE', '/api/alerts')).toEqual({ handler: 'api', routeKey: routeKey(CATCH_ALL), pathParameters: { proxy: 'alerts' } });
    expect(matchRoute('GET', '/api/no/such/path')).toEqual({ handler: 'api', routeKey: routeKey(CATCH_ALL), pathParameters: { proxy: 'no/such/path' } });
    expect(matchRoute('GET', '/elsewhere')).toBeUndefined();
  });

  it("give an alias's handler the documented route, and its parameters under the documented names", () => {
    expect(canonicalRoute('GET /api/v1/events/{apiKey}', { apiKey: 'e-1' })).toEqual({
      route: expect.objectContaining({ method: 'GET', path: '/api/events/{id}' }),
      pathParameters: { id: 'e-1' },
    });
    expect(canonicalRoute('PUT /api/v1/alerts/{id}/accept', { id: 'a-1' })).toEqual({
      route: expect.objectContaining({ method: 'PUT', path: '/api/alerts/{id}/accept' }),
      pathParameters: { id: 'a-1' },
    });
    expect(canonicalRoute('GET /api/alerts')?.route.path).toBe('/api/alerts');
    expect(canonicalRoute(routeKey(CATCH_ALL), { proxy: 'x' })).toBeUndefined();
  });
});
