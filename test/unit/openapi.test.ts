// openapi.json: up to date with the zod schemas, a structurally valid OpenAPI 3.1 document, and its request schemas judge bodies as the handlers do.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { alertSourceSettingsSchema } from '../../lambdas/domain/alert-source';
import { escalationPolicySettingsSchema } from '../../lambdas/domain/escalation-policy';
import { EVENT_TYPES, LIMITS, eventSchema } from '../../lambdas/domain/event';
import { userSettingsSchema } from '../../lambdas/domain/user';
import { buildOpenApiDocument } from '../../lambdas/openapi/document';
import { matchRoute } from '../../local/gateway';
import { OPENAPI_FILE, renderOpenApi } from '../../scripts/openapi';

type Json = any;
const doc: Json = buildOpenApiDocument();
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** The JSON pointer of the first place two JSON values differ, or undefined when they are equal. */
function firstDifference(a: Json, b: Json, at = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return at || '/';
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const found = firstDifference(a[key], b[key], `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (found) return found;
  }
  return Object.keys(a).join() === Object.keys(b).join() ? undefined : `${at || '/'} (key order)`;
}

/** Resolves a local $ref ("#/components/schemas/Alert") in the document. */
function resolve(ref: string): Json {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((node: Json, part) => (node === undefined ? undefined : node[part]), doc);
}

const deref = (node: Json): Json => (node && typeof node.$ref === 'string' ? deref(resolve(node.$ref)) : node);

function* refsIn(node: Json, at = ''): Generator<[string, string]> {
  if (node === null || typeof node !== 'object') return;
  if (typeof node.$ref === 'string') yield [at, node.$ref];
  for (const [key, child] of Object.entries(node)) yield* refsIn(child, `${at}/${key}`);
}

const operations = (): Array<{ path: string; method: string; op: Json; item: Json }> =>
  Object.entries(doc.paths).flatMap(([path, item]: [string, Json]) =>
    HTTP_METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method], item })),
  );

describe('openapi.json', () => {
  it('is what `npm run openapi` writes from the current zod schemas and routes', () => {
    const committed = readFileSync(OPENAPI_FILE, 'utf8');
    const generated = renderOpenApi();
    if (committed !== generated) {
      const where = firstDifference(JSON.parse(committed), JSON.parse(generated)) ?? '(formatting only)';
      throw new Error(`openapi.json is out of date with the schemas (first difference at ${where}): run \`npm run openapi\` and commit openapi.json`);
    }
  });
});

describe('the OpenAPI document is structurally valid OpenAPI 3.1', () => {
  it('names its version and the API', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(doc.info.title.length).toBeGreaterThan(0);
    expect(typeof doc.info.version).toBe('string');
    expect(doc.info.version.length).toBeGreaterThan(0);
  });

  it('has only absolute path templates, no two of the same shape, each with at least one operation', () => {
    const shapes = Object.keys(doc.paths).map((p) => p.replace(/\{[^}]+\}/g, '{}'));
    expect(new Set(shapes).size).toBe(shapes.length);
    for (const [path, item] of Object.entries(doc.paths) as [string, Json][]) {
      expect(path).toMatch(/^\//);
      const extra = Object.keys(item).filter((k) => !HTTP_METHODS.includes(k) && !['parameters', 'summary', 'description', 'servers'].includes(k));
      expect({ path, extra }).toEqual({ path, extra: [] });
      expect(HTTP_METHODS.some((m) => item[m])).toBe(true);
    }
  });

  it('gives every operation a unique operationId, declared tags, and responses with a description', () => {
    const declaredTags = new Set(doc.tags.map((t: Json) => t.name));
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, tags: op.tags.filter((t: string) => !declaredTags.has(t)) }).toEqual({ where, tags: [] });
      const codes = Object.keys(op.responses ?? {});
      expect({ where, hasResponses: codes.length > 0 }).toEqual({ where, hasResponses: true });
      for (const code of codes) {
        expect(code).toMatch(/^(default|[1-5](\d\d|XX))$/);
        expect({ where, code, description: typeof deref(op.responses[code]).description }).toEqual({ where, code, description: 'string' });
      }
      if (op.requestBody) expect(Object.keys(deref(op.requestBody).content).length).toBeGreaterThan(0);
    }
  });

  it('declares every path parameter of each template, required, and no others', () => {
    for (const { path, method, op, item } of operations()) {
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(deref);
      for (const p of params) {
        expect(['query', 'header', 'path', 'cookie']).toContain(p.in);
        expect(p.schema ?? p.content).toBeDefined();
      }
      const declared = params.filter((p: Json) => p.in === 'path');
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect({ where: `${method} ${path}`, declared: declared.map((p: Json) => p.name).sort() }).toEqual({
        where: `${method} ${path}`,
        declared: [...inTemplate].sort(),
      });
      expect(declared.every((p: Json) => p.required === true)).toBe(true);
    }
  });

  it('uses only the fields OpenAPI 3.1 defines for its objects, and component names it allows', () => {
    const allowed = {
      operation: [
        'tags',
        'summary',
        'description',
        'externalDocs',
        'operationId',
        'parameters',
        'requestBody',
        'responses',
        'callbacks',
        'deprecated',
        'security',
        'servers',
      ],
      parameter: [
        'name',
        'in',
        'description',
        'required',
        'deprecated',
        'allowEmptyValue',
        'style',
        'explode',
        'allowReserved',
        'schema',
        'example',
        'examples',
        'content',
      ],
      requestBody: ['description', 'content', 'required'],
      response: ['description', 'headers', 'content', 'links'],
      header: ['description', 'required', 'deprecated', 'style', 'explode', 'schema', 'example', 'examples', 'content'],
      mediaType: ['schema', 'example', 'examples', 'encoding'],
      reference: ['$ref', 'summary', 'description'],
    };
    const unknown: string[] = [];
    const check = (kind: keyof typeof allowed, node: Json, where: string) => {
      const fields = '$ref' in node ? allowed.reference : allowed[kind];
      for (const key of Object.keys(node)) if (!fields.includes(key) && !key.startsWith('x-')) unknown.push(`${where}: ${key}`);
    };
    const checkContent = (content: Json, where: string) => {
      for (const [type, media] of Object.entries(content ?? {})) check('mediaType', media, `${where} ${type}`);
    };
    const checkResponse = (response: Json, where: string) => {
      check('response', response, where);
      for (const [name, h] of Object.entries(response.headers ?? {})) check('header', h, `${where} header ${name}`);
      checkContent(response.content, where);
    };
    for (const { path, method, op, item } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      check('operation', op, where);
      for (const p of [...(item.parameters ?? []), ...(op.parameters ?? [])]) check('parameter', p, `${where} parameter`);
      if (op.requestBody) {
        check('requestBody', op.requestBody, `${where} requestBody`);
        checkContent(op.requestBody.content, `${where} requestBody`);
      }
      for (const [code, response] of Object.entries(op.responses)) checkResponse(response, `${where} ${code}`);
    }
    for (const [name, response] of Object.entries(doc.components.responses)) checkResponse(response, `components.responses.${name}`);
    for (const [name, p] of Object.entries(doc.components.parameters)) check('parameter', p, `components.parameters.${name}`);
    expect(unknown).toEqual([]);
    for (const group of Object.values(doc.components) as Json[]) for (const name of Object.keys(group)) expect(name).toMatch(/^[a-zA-Z0-9._-]+$/);
  });

  it('resolves every $ref inside the document', () => {
    const broken = [...refsIn(doc)].filter(([, ref]) => resolve(ref) === undefined);
    expect(broken).toEqual([]);
  });

  it('uses only security schemes it defines: the bearer token for management, none for events and this document', () => {
    const schemes = doc.components.securitySchemes;
    expect(schemes.adminToken).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
    const requirements = [...doc.security, ...operations().flatMap(({ op }) => op.security ?? [])];
    for (const requirement of requirements) for (const name of Object.keys(requirement)) expect(Object.keys(schemes)).toContain(name);
    const security = (path: string, method: string) => doc.paths[path][method].security ?? doc.security;
    for (const path of ['/api/events', '/api/v1/events', '/api/v1/events/{apiKey}', '/api/openapi.json']) {
      expect(security(path, path === '/api/openapi.json' ? 'get' : 'post')).toEqual([]);
    }
    expect(security('/api/events/{id}', 'post')).toEqual([]);
    expect(security('/api/events/{id}', 'get')).toEqual([{ adminToken: [] }]);
    expect(security('/api/alerts', 'get')).toEqual([{ adminToken: [] }]);
  });

  it('documents only paths the HTTP API routes, each to the function that serves it', () => {
    for (const { path, method } of operations()) {
      const concrete = path.replace(/\{[^}]+\}/g, 'x');
      // The events API and PagerDuty's Events API v2 are ingest's; everything else is the api function's.
      const expected = method === 'post' && (/^\/api(\/v1)?\/events(\/|$)/.test(path) || path === '/v2/enqueue') ? 'ingest' : 'api';
      expect({ path, method, handler: matchRoute(method.toUpperCase(), concrete)?.handler }).toEqual({ path, method, handler: expected });
    }
  });

  it('answers the events API with the codes the ingest gives, and the management API with its own', () => {
    const codes = (path: string, method: string) => Object.keys(doc.paths[path][method].responses);
    expect(codes('/api/events', 'post')).toEqual(['202', '400', '403', '404', '409', '413', '415', '429', '503', 'default']);
    expect(codes('/api/alert-sources', 'post')).toEqual(['201', '400', '401', '413', '415', 'default']);
    expect(codes('/api/alert-sources/{id}', 'delete')).toEqual(['204', '400', '401', '404', 'default']);
    expect(codes('/api/alerts/{id}/accept', 'put')).toEqual(['200', '400', '401', '404', '409', 'default']);
    expect(doc.paths['/api/events'].post.responses['429'].headers['Retry-After']).toBeDefined();
  });
});

/**
 * A JSON Schema check for the keywords the document uses (no dependency for it). Formats are annotations, as in
 * JSON Schema 2020-12; lengths count code points.
 */
function valid(schema: Json, value: Json): boolean {
  schema = deref(schema);
  if (schema === true || schema === undefined) return true;
  if (schema === false) return false;
  const s = schema;
  if (s.type !== undefined && ![s.type].flat().some((t: string) => typeOf(value, t))) return false;
  if (s.enum && !s.enum.some((e: Json) => JSON.stringify(e) === JSON.stringify(value))) return false;
  if ('const' in s && JSON.stringify(s.const) !== JSON.stringify(value)) return false;
  if (typeof value === 'string') {
    const length = [...value].length;
    if (s.minLength !== undefined && length < s.minLength) return false;
    if (s.maxLength !== undefined && length > s.maxLength) return false;
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) return false;
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) return false;
    if (s.maximum !== undefined && value > s.maximum) return false;
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) return false;
    if (s.maxItems !== undefined && value.length > s.maxItems) return false;
    if (s.items !== undefined && !value.every((v) => valid(s.items, v))) return false;
  }
  if (typeOf(value, 'object')) {
    if (s.required && !s.required.every((k: string) => k in value)) return false;
    for (const [k, v] of Object.entries(value)) {
      if (s.propertyNames && !valid(s.propertyNames, k)) return false;
      if (s.properties && k in s.properties) {
        if (!valid(s.properties[k], v)) return false;
      } else if (s.additionalProperties !== undefined && !valid(s.additionalProperties, v)) return false;
    }
  }
  if (s.anyOf && !s.anyOf.some((sub: Json) => valid(sub, value))) return false;
  if (s.oneOf && s.oneOf.filter((sub: Json) => valid(sub, value)).length !== 1) return false;
  if (s.allOf && !s.allOf.every((sub: Json) => valid(sub, value))) return false;
  if (s.if !== undefined) return valid(s.if, value) ? valid(s.then, value) : valid(s.else, value);
  return true;
}

function typeOf(value: Json, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    default:
      return typeof value === type;
  }
}

const component = (name: string) => doc.components.schemas[name];

/** Bodies both judge alike. Not among them: what only a refinement sees (URL schemes, byte sizes, depth, time zones, trimming). */
function agreesWithZod(name: string, schema: z.ZodType, samples: Array<[string, unknown]>) {
  it.each(samples)(`${name}: %s`, (_title, body) => {
    expect({ openapi: valid(component(name), body) }).toEqual({ openapi: schema.safeParse(body).success });
  });
}

describe("the request schemas judge bodies as the handlers' zod schemas do", () => {
  const k = { apiKey: 'key' };
  const images = (n: number) => Array.from({ length: n }, (_, i) => ({ src: `https://img.example.com/${i}.png` }));
  agreesWithZod('EventRequest', eventSchema, [
    ['a minimal ALERT', { ...k, eventType: 'ALERT', summary: 'Disk full' }],
    ['RESOLVE with an alertKey', { ...k, eventType: 'RESOLVE', alertKey: 'disk' }],
    [
      'every field',
      {
        integrationKey: 'key',
        eventType: 'ALERT',
        summary: 's',
        details: 'd',
        alertKey: 'a',
        priority: 'LOW',
        images: images(20),
        links: [{ href: 'https://x.example.com', text: 't' }],
        customDetails: { a: { b: 1 } },
        routingKey: 'r',
      },
    ],
    ['null for absent fields', { ...k, eventType: 'ACCEPT', alertKey: 'a', summary: null, images: null, customDetails: null }],
    ['an unknown field', { ...k, eventType: 'COMMENT', alertKey: 'a', colour: 'red' }],
    ['no eventType', { ...k, summary: 's' }],
    ['an unknown eventType', { ...k, eventType: 'TRIGGER', summary: 's' }],
    ['an ALERT without summary', { ...k, eventType: 'ALERT' }],
    ['an ALERT with a null summary', { ...k, eventType: 'ALERT', summary: null }],
    ['an ACCEPT without alertKey', { ...k, eventType: 'ACCEPT' }],
    ['a COMMENT with a null alertKey', { ...k, eventType: 'COMMENT', alertKey: null }],
    ['an empty summary', { ...k, eventType: 'ALERT', summary: '' }],
    ['a summary one character too long', { ...k, eventType: 'ALERT', summary: 'x'.repeat(LIMITS.summaryChars + 1) }],
    ['an alertKey one character too long', { ...k, eventType: 'RESOLVE', alertKey: 'x'.repeat(LIMITS.alertKeyChars + 1) }],
    ['one image too many', { ...k, eventType: 'ALERT', summary: 's', images: images(LIMITS.images + 1) }],
    ['an image without src', { ...k, eventType: 'ALERT', summary: 's', images: [{ alt: 'a' }] }],
    ['a link whose href is a number', { ...k, eventType: 'ALERT', summary: 's', links: [{ href: 1 }] }],
    ['priority MEDIUM', { ...k, eventType: 'ALERT', summary: 's', priority: 'MEDIUM' }],
    ['customDetails an array', { ...k, eventType: 'ALERT', summary: 's', customDetails: [1] }],
    ['customDetails a string', { ...k, eventType: 'ALERT', summary: 's', customDetails: 'x' }],
    ['an empty routingKey', { ...k, eventType: 'ALERT', summary: 's', routingKey: '' }],
  ]);

  const support = { timezone: 'Europe/Berlin', supportDays: { MONDAY: { start: '08:00', end: '18:00' } } };
  agreesWithZod('AlertSourceSettings', alertSourceSettingsSchema, [
    ['only a name', { name: 'n' }],
    ["ilert's ONE_ALERT_PER_EMAIL", { name: 'n', alertCreation: 'ONE_ALERT_PER_EMAIL' }],
    ['window grouping with its window', { name: 'n', alertCreation: 'ONE_ALERT_GROUPED_PER_WINDOW', alertGroupingWindow: 'PT15M' }],
    ['support-hours priority with support hours', { name: 'n', alertPriorityRule: 'LOW_DURING_SUPPORT_HOURS', supportHours: support }],
    [
      'a priority template',
      { name: 'n', priorityTemplate: { valueTemplate: { textTemplate: '{{ customDetails.severity }}' }, mappings: [{ value: 'critical', priority: 'HIGH' }] } },
    ],
    ['no name', { integrationType: 'API' }],
    ['an empty name', { name: '' }],
    ['an unknown integrationType', { name: 'n', integrationType: 'CARRIER_PIGEON' }],
    ['active as a string', { name: 'n', active: 'yes' }],
    ['window grouping without a window', { name: 'n', alertCreation: 'ONE_ALERT_GROUPED_PER_WINDOW' }],
    ['an unknown window', { name: 'n', alertCreation: 'ONE_ALERT_GROUPED_PER_WINDOW', alertGroupingWindow: 'PT3M' }],
    ['support-hours priority without support hours', { name: 'n', alertPriorityRule: 'HIGH_DURING_SUPPORT_HOURS' }],
    ['an unknown weekday', { name: 'n', supportHours: { ...support, supportDays: { FUNDAY: { start: '08:00', end: '18:00' } } } }],
    ['a time 25:00', { name: 'n', supportHours: { ...support, supportDays: { MONDAY: { start: '08:00', end: '25:00' } } } }],
    ['a template without mappings', { name: 'n', priorityTemplate: { valueTemplate: { textTemplate: '{{ summary }}' }, mappings: [] } }],
  ]);

  const rule = { escalationTimeout: 0, users: [{ id: 'u1' }] };
  agreesWithZod('EscalationPolicySettings', escalationPolicySettingsSchema, [
    ['one rule', { name: 'p', escalationRules: [rule] }],
    [
      'a routing key, repeating',
      { name: 'p', routingKey: 'db', escalationRules: [rule, { escalationTimeout: 30, schedules: [{ id: 's' }] }], repeating: true, frequency: 3 },
    ],
    ['no rules', { name: 'p' }],
    ['an empty rule list', { name: 'p', escalationRules: [] }],
    ['a negative timeout', { name: 'p', escalationRules: [{ escalationTimeout: -1 }] }],
    ['a timeout over a year', { name: 'p', escalationRules: [{ escalationTimeout: 525_601 }] }],
    ['frequency 10', { name: 'p', escalationRules: [rule], frequency: 10 }],
    ['21 users in a rule', { name: 'p', escalationRules: [{ escalationTimeout: 0, users: Array.from({ length: 21 }, (_, i) => ({ id: `u${i}` })) }] }],
  ]);

  const uma = { firstName: 'Uma', lastName: 'Oncall' };
  const hook = { type: 'WEBHOOK', target: 'https://hooks.example.com/a' };
  agreesWithZod('UserSettings', userSettingsSchema({ allowPrivateTargets: false }), [
    ['names only', uma],
    [
      'contacts of each type',
      { ...uma, contacts: [hook, { type: 'EMAIL', target: 'u@example.com', priorities: ['LOW'] }, { type: 'SLACK', target: 'https://hooks.slack.com/x' }] },
    ],
    ['nulls for the optional fields', { ...uma, email: null, timezone: null, contacts: [{ ...hook, secret: null, priorities: null }] }],
    ['no lastName', { firstName: 'Uma' }],
    ['an unknown contact type', { ...uma, contacts: [{ type: 'FAX', target: '1' }] }],
    ['a contact without target', { ...uma, contacts: [{ type: 'EMAIL' }] }],
    ['no priorities', { ...uma, contacts: [{ ...hook, priorities: [] }] }],
    ['an empty secret', { ...uma, contacts: [{ ...hook, secret: '' }] }],
    ['11 contacts', { ...uma, contacts: Array.from({ length: 11 }, () => hook) }],
  ]);

  it('states the limits of the event contract', () => {
    const props = component('EventRequest').properties;
    const nonNull = (p: Json) => p.anyOf?.find((s: Json) => s.type !== 'null') ?? p;
    expect(component('EventRequest').required).toEqual(['eventType']);
    expect(props.eventType.enum).toEqual([...EVENT_TYPES]);
    expect(nonNull(props.summary).maxLength).toBe(LIMITS.summaryChars);
    expect(nonNull(props.alertKey).maxLength).toBe(LIMITS.alertKeyChars);
    expect(nonNull(props.images).maxItems).toBe(LIMITS.images);
    expect(nonNull(props.links).maxItems).toBe(LIMITS.links);
    expect(doc.paths['/api/events'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EventRequest' });
  });

  it('makes every field of an update optional, without defaults, over the same fields as create', () => {
    for (const [update, create] of [
      ['AlertSourceUpdate', 'AlertSourceSettings'],
      ['EscalationPolicyUpdate', 'EscalationPolicySettings'],
      ['UserUpdate', 'UserSettings'],
    ]) {
      expect(component(update).required).toBeUndefined();
      expect(Object.keys(component(update).properties)).toEqual(Object.keys(component(create).properties));
      expect(Object.values(component(update).properties).filter((p: Json) => 'default' in p)).toEqual([]);
      expect(valid(component(update), {})).toBe(true);
    }
  });
});
