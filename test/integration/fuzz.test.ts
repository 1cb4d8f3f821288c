// Fuzzing the events API on the local runtime: FUZZ_RUNS generated requests (10,000) from FUZZ_SEED, the seed corpus and the regressions of test/fuzz/.
//
// Run more by hand: FUZZ_RUNS=100000 FUZZ_SEED=123 npx jest --selectProjects integration --testPathPatterns fuzz
// A failing run prints its seed and writes every failing request, in the regression format, to $TMPDIR/alertline-fuzz-<seed>.json.
//
// Case files (test/fuzz/corpus/*.json, test/fuzz/regressions/*.json):
//   { description, request | requests: [{ method = POST, path, contentType = application/json (null: none), headers,
//     body (JSON, sent as is) | bodyText | bodyBase64, rawPath (send the path byte for byte, not normalised by fetch) }],
//     expect: [statuses], finding?, define? ({"$NAME": {repeat, times}}) }
// Placeholders in paths, headers and bodies: $KEY, $KEY_PER_EVENT, $KEY_WINDOW, $KEY_TEMPLATE, $KEY_2, $KEY_3, $KEY_4, $KEY_5
// (the fuzz alert sources' integration keys), $KEY_PERCENT ($KEY with every character percent-encoded), $ADMIN_TOKEN.
import * as fc from 'fast-check';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_126);
// Twelve at once: enough to race requests against each other, few enough that a 2-core machine running other suites
// beside this one does not stall the store past ingest's call budget again and again.
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 12);
/** A request that gets no answer within this time counts as a hang. */
const REQUEST_TIMEOUT_MS = 30_000;
/** How long the pipeline may take, after the last request, to apply every accepted event. */
const APPLY_TIMEOUT_MS = Number(process.env.FUZZ_APPLY_TIMEOUT_MS ?? 180_000);
const BODY_LIMIT = 256 * 1024;
const ALLOWED = [202, 400, 404, 413, 415];
/** How many times a request is sent while it is told to retry (503 with Retry-After, 409 IDEMPOTENCY_KEY_IN_USE): over ~40 s. */
const TRANSIENT_ATTEMPTS = 10;
const APPLIED_OUTCOMES = ['CREATED', 'APPENDED', 'ACCEPTED', 'ALREADY_ACCEPTED', 'RESOLVED', 'COMMENTED', 'NO_OPEN_ALERT'];
const FUZZ_DIR = resolve(__dirname, '../fuzz');

jest.setTimeout(60_000);

// ---------------------------------------------------------------------------------------------------------------
// Requests: as the case files store them, and as sent.

interface StoredRequest {
  method?: string;
  path: string;
  contentType?: string | null;
  headers?: Record<string, string>;
  body?: unknown;
  bodyText?: string;
  bodyBase64?: string;
  rawPath?: boolean;
}

interface StoredCase {
  file: string;
  description: string;
  request?: StoredRequest;
  requests?: StoredRequest[];
  expect: number[];
  finding?: string;
  define?: Record<string, { repeat: string; times: number }>;
}

interface FuzzRequest {
  family: string;
  method: string;
  path: string;
  /** null: no Content-Type header. */
  contentType: string | null;
  headers: Record<string, string>;
  body: Buffer;
  rawPath?: boolean;
  /** Statuses this very request must get, where the generator knows (otherwise the oracle and ALLOWED decide). */
  expect?: number[];
}

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  headers: Headers | Record<string, string | string[] | undefined>;
  replayed: boolean;
}

/** The fuzz alert sources: the main one, one per grouping mode, one with a priority template, and more of the main kind (one FIFO group each, so that the pipeline applies them in parallel). */
const ROLES = ['', '_PER_EVENT', '_WINDOW', '_TEMPLATE', '_2', '_3', '_4', '_5'] as const;
type Role = (typeof ROLES)[number];

interface Live {
  url: string;
  adminToken: string;
  /** Integration keys by role ('' is the main fuzz source). */
  keys: Record<Role, string>;
  sourceIdByKey: Map<string, string>;
}

const percentEncodeAll = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
/** encodeURIComponent, which throws on a lone surrogate; then the UTF-8 bytes (with U+FFFD) instead. */
const encodeSegment = (value: string) => {
  try {
    return encodeURIComponent(value);
  } catch {
    return percentEncodeAll(value);
  }
};

function substitute(text: string, live: Live, define: StoredCase['define'] = {}): string {
  let out = text.replace(/\$KEY(_PERCENT|_PER_EVENT|_WINDOW|_TEMPLATE|_[2-5])?/g, (_m, role?: string) =>
    role === '_PERCENT' ? percentEncodeAll(live.keys['']) : live.keys[(role ?? '') as Role],
  );
  out = out.replace(/\$ADMIN_TOKEN/g, live.adminToken);
  for (const [name, { repeat, times }] of Object.entries(define)) out = out.split(name).join(repeat.repeat(times));
  return out;
}

function fromStored(stored: StoredRequest, live: Live, family: string, define?: StoredCase['define']): FuzzRequest {
  const sub = (s: string) => substitute(s, live, define);
  let body: Buffer;
  if (stored.bodyBase64 !== undefined) {
    // Placeholders inside raw bytes are replaced on the bytes' latin1 view, which keeps every other byte as it is.
    body = Buffer.from(sub(Buffer.from(stored.bodyBase64, 'base64').toString('latin1')), 'latin1');
  } else if (stored.bodyText !== undefined) body = Buffer.from(sub(stored.bodyText), 'utf8');
  else if (stored.body !== undefined) body = Buffer.from(sub(JSON.stringify(stored.body)), 'utf8');
  else body = Buffer.alloc(0);
  return {
    family,
    method: stored.method ?? 'POST',
    path: sub(stored.path),
    contentType: stored.contentType === undefined ? 'application/json' : stored.contentType,
    headers: Object.fromEntries(Object.entries(stored.headers ?? {}).map(([k, v]) => [k, sub(v)])),
    body,
    rawPath: stored.rawPath,
  };
}

/** The request as a case file would store it, with the live keys and token put back as placeholders. */
function toStored(req: FuzzRequest, live: Live): StoredRequest {
  const back = (s: string) => {
    let out = s.split(live.adminToken).join('$ADMIN_TOKEN');
    for (const role of ROLES) out = out.split(live.keys[role]).join(`$KEY${role}`);
    return out;
  };
  const text = req.body.toString('utf8');
  const isUtf8 = Buffer.from(text, 'utf8').equals(req.body);
  return {
    ...(req.method !== 'POST' ? { method: req.method } : {}),
    path: back(req.path),
    ...(req.contentType !== 'application/json' ? { contentType: req.contentType } : {}),
    ...(Object.keys(req.headers).length ? { headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, back(v)])) } : {}),
    ...(isUtf8 ? { bodyText: back(text) } : { bodyBase64: Buffer.from(back(req.body.toString('latin1')), 'latin1').toString('base64') }),
    ...(req.rawPath ? { rawPath: true } : {}),
  };
}

function loadCases(folder: string): StoredCase[] {
  const dir = join(FUZZ_DIR, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file: `${folder}/${file}`, ...JSON.parse(readFileSync(join(dir, file), 'utf8')) }));
}

// ---------------------------------------------------------------------------------------------------------------
// Sending, with keep-alive fetch; raw paths through node:http so that nothing normalises them.

async function send(url: string, req: FuzzRequest): Promise<Answer> {
  const headers: Record<string, string> = { ...req.headers };
  if (req.contentType !== null) headers['content-type'] = req.contentType;
  if (req.rawPath) return sendRaw(url, req, headers);
  const res = await fetch(`${url}${req.path}`, {
    method: req.method,
    headers,
    body: req.method === 'GET' || req.method === 'DELETE' ? undefined : req.body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type'),
    text,
    headers: res.headers,
    replayed: res.headers.get('idempotent-replayed') === 'true',
  };
}

function sendRaw(url: string, req: FuzzRequest, headers: Record<string, string>): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((ok, fail) => {
    const r = httpRequest(
      { hostname, port, method: req.method, path: req.path, headers: { ...headers, 'content-length': String(req.body.length) }, timeout: REQUEST_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          ok({
            status: res.statusCode ?? 0,
            contentType: (res.headers['content-type'] as string | undefined) ?? null,
            text: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
            replayed: res.headers['idempotent-replayed'] === 'true',
          }),
        );
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    r.on('error', fail);
    r.end(req.body);
  });
}

async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i], i);
      }
    }),
  );
  return results;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------------------
// The oracle: what the contract says of one answer, and what it says more precisely where the request alone decides.

/** What the ingest reads as JSON (media type application/json or application/*+json, parameters ignored). */
const isJsonType = (type: string | null) => {
  const t = (type ?? '').split(';')[0].trim().toLowerCase();
  return t === 'application/json' || /^application\/[a-z0-9.+-]*\+json$/.test(t);
};
/** The gateway hands text types to the handler as a UTF-8 string (invalid bytes become U+FFFD), others as base64. */
const GATEWAY_TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|[a-z0-9.+-]*\+json))/i;
const bytesAsSeen = (req: FuzzRequest) => (GATEWAY_TEXT_TYPES.test(req.contentType ?? '') ? Buffer.from(req.body.toString('utf8'), 'utf8') : req.body);

const safeDecode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** The integration key a request names, the way the gateway and the ingest read it: the path wins, then apiKey, then integrationKey. */
function effectiveKey(req: FuzzRequest, body: Record<string, unknown>): string | undefined {
  const pathname = new URL(req.path, 'http://localhost').pathname;
  const m = /^\/api(\/v1)?\/events(?:\/([^/]+))?\/?$/.exec(pathname);
  if (m?.[2] !== undefined) return safeDecode(m[2]);
  const str = (v: unknown) => (typeof v === 'string' ? v.trim() : undefined);
  return str(body.apiKey) ?? str(body.integrationKey);
}

function parsedBody(req: FuzzRequest): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(bytesAsSeen(req).toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Statuses (and error code) the request alone decides, before any alert source is looked up. */
function decided(req: FuzzRequest): { statuses: number[]; code?: string } | undefined {
  if (req.expect) return { statuses: req.expect };
  if (bytesAsSeen(req).length > BODY_LIMIT) return { statuses: [413], code: 'PAYLOAD_TOO_LARGE' };
  if (!isJsonType(req.contentType)) return { statuses: [415], code: 'UNSUPPORTED_MEDIA_TYPE' };
  const parsed = parsedBody(req);
  if (!parsed.ok) return { statuses: [400], code: 'INVALID_JSON' };
  const idem = req.headers['idempotency-key'];
  if (idem !== undefined && !/^[\x21-\x7e]{1,255}$/.test(idem.trim())) return { statuses: [400], code: 'VALIDATION_FAILED' };
  if (!isObject(parsed.value)) return { statuses: [400], code: 'INVALID_BODY' };
  return undefined;
}

/** The code of an answer that asks the caller to retry (with a Retry-After of whole seconds), if it is one. */
function transientAnswer(answer: Answer): string | undefined {
  const retryAfter = answer.headers instanceof Headers ? answer.headers.get('retry-after') : answer.headers['retry-after'];
  if (typeof retryAfter !== 'string' || !/^[1-9]\d?$/.test(retryAfter)) return undefined;
  let code: unknown;
  try {
    code = JSON.parse(answer.text).code;
  } catch {
    return undefined;
  }
  const retryable =
    (answer.status === 503 && (code === 'STORE_UNAVAILABLE' || code === 'QUEUE_UNAVAILABLE')) || (answer.status === 409 && code === 'IDEMPOTENCY_KEY_IN_USE');
  return retryable ? `${answer.status} ${String(code)}` : undefined;
}

/** Problems with one answer; none means it honours the contract. */
function problemsOf(req: FuzzRequest, answer: Answer, live: Live): string[] {
  const problems: string[] = [];
  if (!ALLOWED.includes(answer.status)) problems.push(`status ${answer.status} is not one of ${ALLOWED.join(', ')}`);
  const known = decided(req);
  if (known && !known.statuses.includes(answer.status)) problems.push(`status ${answer.status}, expected ${known.statuses.join(' or ')}`);
  if (!/^application\/json/i.test(answer.contentType ?? '')) problems.push(`Content-Type ${answer.contentType}`);
  let body: any;
  try {
    body = JSON.parse(answer.text);
  } catch {
    problems.push('the body is not JSON');
    return problems;
  }
  if (!isObject(body)) problems.push('the body is not a JSON object');
  else if (answer.status === 202) {
    if (typeof body.eventId !== 'string' || typeof body.alertKey !== 'string' || body.status !== 'QUEUED')
      problems.push('202 without eventId, alertKey, status QUEUED');
  } else {
    if (body.status !== answer.status) problems.push(`body.status ${JSON.stringify(body.status)} is not the HTTP status`);
    if (typeof body.code !== 'string' || typeof body.message !== 'string') problems.push('error without code and message');
    if (known?.code && body.code !== known.code) problems.push(`code ${body.code}, expected ${known.code}`);
    // Errors never echo a secret: not the admin token, not any integration key (sent in the request or not).
    const headerText = JSON.stringify(answer.headers instanceof Headers ? Object.fromEntries(answer.headers) : answer.headers);
    for (const secret of [live.adminToken, ...Object.values(live.keys)]) {
      if (answer.text.includes(secret) || headerText.includes(secret)) problems.push('the error echoes a secret');
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------------
// Generators.

type Obj = Record<string, unknown>;

/** Sets an own property, even "__proto__", as JSON.parse does (an assignment would set the prototype instead). */
const setOwn = (o: Obj, key: string, value: unknown) => Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
/** Deep copy that keeps own "__proto__" keys. */
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const FIELDS = ['apiKey', 'integrationKey', 'eventType', 'summary', 'details', 'alertKey', 'priority', 'images', 'links', 'customDetails', 'routingKey'];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];
/** What a polluted Object.prototype would carry: fields that would change how the server reads a body or a setting. */
const pollutionPayload = (key: string): Obj => ({
  polluted: 'fuzz',
  apiKey: key,
  eventType: 'ALERT',
  summary: 'polluted',
  name: 'polluted',
  active: false,
  integrationType: 'GRAFANA',
  alertPriorityRule: 'LOW',
  isAdmin: true,
});
const ALERT_KEYS = ['fuzz-1', 'FUZZ-1', ' fuzz-2 ', 'fuzz-3', 'disk/full', 'ключ-🔑', '🚨', 'constructor', '__proto__'];
const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=UTF-8 ',
  'application/vnd.alertline+json',
  'application/problem+json',
];
const OTHER_TYPES: (string | null)[] = [
  null,
  '',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/jsonx',
  'application/json-seq',
  'application/json+xml',
  'json',
  '*/*',
  '; application/json',
  'application/json, text/plain',
  'application/x-ndjson',
  'text/html; charset=utf-8',
  'application/javascript',
];

function nested(depth: number, shape: 'object' | 'array' | 'mixed', leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = shape === 'array' || (shape === 'mixed' && i % 2) ? [v] : { [`l${i}`]: v };
  return v;
}

function arbitraries(live: Live) {
  const keys = Object.values(live.keys);
  const controlChars = fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 });
  const loneSurrogates = fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d', '\ude00b', '\ud83d\ud83d');
  const huge = fc
    .tuple(fc.constantFrom('x', 'é', '🚨', '\u0000', '\\', '"', ' '), fc.constantFrom(255, 256, 1024, 1025, 2048, 65_536, 70_000))
    .map(([c, n]) => c.repeat(n));
  const special = fc.constantFrom(
    '',
    ' ',
    '\t\n',
    '\u3000',
    '\u200b',
    '\ufeff',
    '\u2028\u2029',
    'null',
    'undefined',
    'NaN',
    '{{ customDetails.severity }}',
    '${7*7}',
    "'; DROP TABLE alerts; --",
    '../../etc/passwd',
    'javascript:alert(1)',
    'https://',
    'http://[::1',
    '%00',
    '\u0000',
    '__proto__',
    'constructor',
  );
  const oddString = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 2, arbitrary: controlChars },
    { weight: 2, arbitrary: loneSurrogates },
    { weight: 3, arbitrary: special },
    { weight: 1, arbitrary: huge },
  );
  const deep = fc
    .tuple(
      fc.integer({ min: 28, max: 40 }),
      fc.constantFrom('object', 'array', 'mixed') as fc.Arbitrary<'object' | 'array' | 'mixed'>,
      fc.jsonValue({ maxDepth: 1 }),
    )
    .map(([d, shape, leaf]) => nested(d, shape, leaf));
  const pollutedObject = fc.tuple(fc.constantFrom(...POLLUTION_KEYS), fc.constantFrom(...keys), fc.boolean()).map(([k, key, viaConstructor]) => {
    const o: Obj = {};
    setOwn(o, k, viaConstructor ? { prototype: pollutionPayload(key) } : pollutionPayload(key));
    return o;
  });
  const anyValue: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1e308, -1e-308, 0.5, 2 ** 53 + 1, [], {}, [null], { '': '' }) },
    { weight: 4, arbitrary: oddString },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: pollutedObject },
  );
  const keyVariant: fc.Arbitrary<unknown> = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...keys) },
    { weight: 1, arbitrary: fc.constantFrom(...keys).map((k) => ` \t${k}\n `) },
    { weight: 1, arbitrary: fc.constantFrom(...keys).map((k) => k.toUpperCase()) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...keys), fc.nat()).map(([k, n]) => k.slice(0, n % k.length)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...keys), oddString).map(([k, s]) => k + s) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...keys), fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
        .map(([k, n, c]) => k.slice(0, n % k.length) + c + k.slice((n % k.length) + 1)),
    },
    { weight: 1, arbitrary: anyValue },
  );
  const url = fc.oneof(
    fc.webUrl(),
    fc.constantFrom('javascript:alert(1)', '/relative', 'ftp://x.test/a', 'https://', 'data:image/png;base64,AAAA', 'https://x.test/' + 'a'.repeat(2100)),
  );
  const image = fc.record({ src: url, href: fc.option(url, { nil: undefined }), alt: fc.option(oddString, { nil: undefined }) }, { requiredKeys: ['src'] });
  const link = fc.record({ href: url, text: fc.option(oddString, { nil: undefined }) }, { requiredKeys: ['href'] });
  const eventType = fc.constantFrom('ALERT', 'ACCEPT', 'RESOLVE', 'COMMENT');

  /** A valid event (most of the time: web URLs and the optional fields are valid by construction). */
  const validEvent: fc.Arbitrary<Obj> = fc
    .record(
      {
        apiKey: fc.constantFrom(...keys),
        eventType: fc.oneof({ weight: 5, arbitrary: fc.constant('ALERT') }, { weight: 3, arbitrary: eventType }),
        summary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }).filter((s) => s.trim().length > 0),
        alertKey: fc.constantFrom(...ALERT_KEYS),
        details: fc.string({ unit: 'grapheme', maxLength: 300 }),
        priority: fc.constantFrom('HIGH', 'LOW'),
        images: fc.array(fc.record({ src: fc.webUrl(), alt: fc.string({ maxLength: 20 }) }), { maxLength: 3 }),
        links: fc.array(fc.record({ href: fc.webUrl(), text: fc.string({ maxLength: 20 }) }), { maxLength: 3 }),
        customDetails: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
        routingKey: fc.constantFrom('fuzz-team', 'no-such-team'),
      },
      { requiredKeys: ['apiKey', 'eventType', 'summary', 'alertKey'] },
    )
    .map((e) => clone(e as Obj));
  const corpusEvents = loadCases('corpus')
    .filter((c) => c.request && isObject(c.request.body) && typeof (c.request.body as Obj).eventType === 'string' && c.expect.includes(202))
    .map((c) => JSON.parse(substitute(JSON.stringify(c.request!.body), live)) as Obj);
  const baseEvent = fc.oneof({ weight: 3, arbitrary: validEvent }, { weight: 1, arbitrary: fc.constantFrom(...corpusEvents).map(clone) });

  type Mutation = (e: Obj) => void;
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(...FIELDS).map(
        (f): Mutation =>
          (e) =>
            delete e[f],
      ),
    },
    {
      weight: 5,
      arbitrary: fc.tuple(fc.constantFrom(...FIELDS), anyValue).map(
        ([f, v]): Mutation =>
          (e) =>
            setOwn(e, f, v),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom('summary', 'details', 'alertKey', 'routingKey'), oddString).map(
        ([f, v]): Mutation =>
          (e) =>
            setOwn(e, f, v),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('alert', 'Alert', ' ALERT', 'ALERT\u0000', 'EXPLODE', '').map(
        (t): Mutation =>
          (e) =>
            setOwn(e, 'eventType', t),
      ),
    },
    {
      weight: 2,
      arbitrary: keyVariant.map(
        (k): Mutation =>
          (e) =>
            setOwn(e, 'apiKey', k),
      ),
    },
    {
      weight: 1,
      arbitrary: keyVariant.map((k): Mutation => (e) => {
        delete e.apiKey;
        setOwn(e, 'integrationKey', k);
      }),
    },
    {
      weight: 2,
      arbitrary: fc.array(image, { minLength: 0, maxLength: 25 }).map(
        (v): Mutation =>
          (e) =>
            setOwn(e, 'images', v),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.array(link, { minLength: 0, maxLength: 25 }).map(
        (v): Mutation =>
          (e) =>
            setOwn(e, 'links', v),
      ),
    },
    {
      weight: 2,
      arbitrary: deep.map(
        (v): Mutation =>
          (e) =>
            setOwn(e, 'customDetails', { deep: v }),
      ),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom('top', 'customDetails', 'customDetails.nested', 'images.0'), pollutedObject)
        .map(([where, polluted]): Mutation => (e) => {
          const target = where === 'top' ? e : where === 'images.0' ? { src: 'https://example.com/x.png' } : {};
          for (const k of Object.keys(polluted)) setOwn(target, k, polluted[k]);
          if (where === 'customDetails') setOwn(e, 'customDetails', target);
          if (where === 'customDetails.nested') setOwn(e, 'customDetails', { a: { b: target } });
          if (where === 'images.0') setOwn(e, 'images', [target]);
        }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.string({ maxLength: 12 }), anyValue).map(
        ([k, v]): Mutation =>
          (e) =>
            setOwn(e, k, v),
      ),
    },
  );

  /** Text-level damage: the body as JSON text, then duplicated keys, truncation, garbage or flipped bytes. */
  type Serializer = (e: Obj) => Buffer;
  const serializer: fc.Arbitrary<Serializer> = fc.oneof(
    { weight: 12, arbitrary: fc.constant<Serializer>((e) => Buffer.from(JSON.stringify(e))) },
    { weight: 1, arbitrary: fc.constant<Serializer>((e) => Buffer.from(JSON.stringify(e, null, 2))) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...FIELDS, ...POLLUTION_KEYS), anyValue, fc.boolean()).map(([k, v, first]): Serializer => (e) => {
        const text = JSON.stringify(e);
        const pair = `${JSON.stringify(k)}:${JSON.stringify(v ?? null)}`;
        if (text === '{}') return Buffer.from(`{${pair},${pair}}`);
        return Buffer.from(first ? `{${pair},${text.slice(1)}` : `${text.slice(0, -1)},${pair}}`);
      }),
    },
    {
      weight: 2,
      arbitrary: fc.double({ min: 0, max: 1, noNaN: true }).map((f): Serializer => (e) => {
        const text = Buffer.from(JSON.stringify(e));
        return text.subarray(0, Math.min(text.length - 1, Math.floor(f * text.length)));
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(' x', '}', ',', ']', '\u0000', '{}', ' // comment').map(
        (g): Serializer =>
          (e) =>
            Buffer.from(JSON.stringify(e) + g),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })).map(([f, byte]): Serializer => (e) => {
        const b = Buffer.from(JSON.stringify(e));
        b[Math.min(b.length - 1, Math.floor(f * b.length))] = byte;
        return b;
      }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]).map((bytes): Serializer => (e) => {
        const text = JSON.stringify({ ...e, summary: 'MARK' });
        const [before, after] = text.split('MARK');
        return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after ?? '')]);
      }),
    },
  );

  const pathKeyVariant = (key: string): fc.Arbitrary<{ segment: string; valid: boolean }> =>
    fc
      .oneof(
        { weight: 2, arbitrary: fc.constant({ segment: encodeURIComponent(key), valid: true }) },
        { weight: 1, arbitrary: fc.constant({ segment: percentEncodeAll(key), valid: true }) },
        { weight: 1, arbitrary: fc.constant({ segment: percentEncodeAll(key).toLowerCase(), valid: true }) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('%00', '%ZZ', '%', '%2F', '%20', '%E2%80%AE', '%ED%A0%80', ';x', '@', '~', '+', '!')
            .map((s) => ({ segment: key + s, valid: false })),
        },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map((s) => ({ segment: encodeSegment(s), valid: false })) },
        {
          weight: 1,
          arbitrary: fc.integer({ min: 256, max: 8000 }).map((n) => ({ segment: key.repeat(Math.ceil(n / key.length)).slice(0, n), valid: false })),
        },
        { weight: 1, arbitrary: fc.integer({ min: 10, max: 600 }).map((n) => ({ segment: '%F0%9F%9A%A8'.repeat(n), valid: false })) },
      )
      .filter(({ segment }) => !['.', '..'].includes(segment.replace(/%2e/gi, '.'))); // dot segments: see regressions/002

  const requestOf = (
    family: string,
    path: string,
    contentType: string | null,
    body: Buffer,
    headers: Record<string, string> = {},
    expect?: number[],
  ): FuzzRequest => ({
    family,
    method: 'POST',
    path,
    contentType,
    headers,
    body,
    expect,
  });
  const idempotency = fc.option(
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 50 }).map((n) => `fuzz-${n}`) },
      { weight: 1, arbitrary: fc.constantFrom('', 'has space', 'x'.repeat(256), 'é', '\t', 'a\tb') },
    ),
    { nil: undefined, freq: 15 },
  );

  // (a) valid-ish events, mutated and damaged.
  const mutated = fc
    .tuple(
      baseEvent,
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      serializer,
      fc.constantFrom('/api/events', '/api/v1/events', '/api/events/'),
      idempotency,
      fc.oneof(
        { weight: 14, arbitrary: fc.constant('application/json') },
        { weight: 2, arbitrary: fc.constantFrom(...JSON_TYPES) },
        { weight: 1, arbitrary: fc.constantFrom(...OTHER_TYPES) },
      ),
    )
    .map(([event, mutations, serialize, path, idem, type]) => {
      for (const m of mutations) m(event);
      return requestOf('mutated', path, type, serialize(event), idem === undefined ? {} : { 'idempotency-key': idem });
    });

  // (b) random JSON values, and random fields beside a valid key.
  const randomJson = fc
    .oneof(
      { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(fc.constantFrom(...keys), fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 8 })), anyValue, { maxKeys: 8 }))
          .map(([key, fields]) => Buffer.from(JSON.stringify({ apiKey: key, ...fields }))),
      },
    )
    .map((body) => requestOf('random-json', '/api/events', 'application/json', body));

  // (c) raw bytes, and JSON-looking token soup.
  const tokens = [
    '{',
    '}',
    '[',
    ']',
    '"',
    ':',
    ',',
    'null',
    'true',
    '1',
    '-',
    '1e999',
    '-0',
    '"apiKey"',
    JSON.stringify(live.keys['']),
    '"eventType"',
    '"ALERT"',
    '"summary"',
    '"__proto__"',
    '\\u',
    '\\ud800',
    '\\',
    ' ',
    '\n',
    '\u0000',
  ];
  const raw = fc
    .oneof(
      { weight: 2, arbitrary: fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)) },
      { weight: 3, arbitrary: fc.array(fc.constantFrom(...tokens), { maxLength: 60 }).map((t) => Buffer.from(t.join(''))) },
      {
        weight: 1,
        arbitrary: fc.tuple(validEvent, fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.boolean()).map(([e, noise, before]) => {
          const text = Buffer.from(JSON.stringify(e));
          return before ? Buffer.concat([Buffer.from(noise), text]) : Buffer.concat([text, Buffer.from(noise)]);
        }),
      },
    )
    .map((body) => requestOf('raw-bytes', '/api/events', 'application/json', body));

  // (d) content types.
  const contentTypes = fc
    .tuple(validEvent, fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...OTHER_TYPES) }, { weight: 1, arbitrary: fc.constantFrom(...JSON_TYPES) }))
    .map(([e, type]) => requestOf('content-type', '/api/events', type, Buffer.from(JSON.stringify(e))));

  // (e) bodies around the 256 KiB limit, built to an exact size in bytes.
  const nearLimit = fc
    .tuple(
      fc.constantFrom(BODY_LIMIT - 1, BODY_LIMIT, BODY_LIMIT + 1, BODY_LIMIT + 4096, 2 * BODY_LIMIT),
      fc.constantFrom('x', 'é', '🚨', '\\u0000'),
      fc.constantFrom('customDetails', 'surprise', 'details'),
      fc.constantFrom(...keys),
    )
    .map(([size, unit, where, key]) => {
      const head = JSON.stringify({ apiKey: key, eventType: 'ALERT', summary: `near the limit: ${size} bytes` }).slice(0, -1);
      const [open, close] = where === 'customDetails' ? [',"customDetails":{"blob":"', '"}}'] : [`,"${where}":"`, '"}'];
      const room = size - Buffer.byteLength(head + open + close);
      const unitBytes = Buffer.byteLength(unit);
      const fill = unit.repeat(Math.floor(room / unitBytes)) + 'x'.repeat(room % unitBytes);
      const body = Buffer.from(head + open + fill + close);
      const detailsTooLong = where === 'details' && Buffer.byteLength(JSON.parse(`"${fill}"`)) > 64 * 1024;
      const expect = size > BODY_LIMIT ? [413] : detailsTooLong ? [400] : [202];
      return requestOf('near-limit', '/api/events', 'application/json', body, {}, expect);
    });

  // (f) both URL forms, the key in the path, odd path keys.
  const pathForms = fc
    .tuple(
      validEvent,
      fc.constantFrom(...keys),
      fc.constantFrom('/api/events/', '/api/v1/events/'),
      fc.boolean(),
      fc.constantFrom('drop', 'keep', 'other', 'bogus'),
    )
    .chain(([e, key, prefix, slash, bodyKey]) =>
      pathKeyVariant(key).map(({ segment, valid }) => {
        if (bodyKey === 'drop') delete e.apiKey;
        if (bodyKey === 'other') e.apiKey = keys.find((k) => k !== key);
        if (bodyKey === 'bogus') e.apiKey = 'al1-bogus';
        // The path wins over the body: a valid path key is a 202 whatever the body key, an unknown one a 404.
        return requestOf('path-key', `${prefix}${segment}${slash ? '/' : ''}`, 'application/json', Buffer.from(JSON.stringify(e)), {}, valid ? [202] : [404]);
      }),
    );

  // About one request in ten is accepted: enough to exercise the processor with every odd payload, few enough that
  // DynamoDB Local applies them all within the run on a 2-core machine. One in 500 is a heavy near-limit body.
  return fc.oneof(
    { weight: 220, arbitrary: mutated },
    { weight: 80, arbitrary: randomJson },
    { weight: 60, arbitrary: raw },
    { weight: 40, arbitrary: contentTypes },
    { weight: 50, arbitrary: pathForms },
    { weight: 1, arbitrary: nearLimit },
  );
}

// ---------------------------------------------------------------------------------------------------------------

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let live: Live;
let requests: FuzzRequest[];
let generatedMs: number;
const prototypesBefore = {
  object: Object.getOwnPropertyNames(Object.prototype).sort(),
  array: Object.getOwnPropertyNames(Array.prototype).sort(),
  function: Object.getOwnPropertyNames(Function.prototype).sort(),
};

beforeAll(async () => {
  // A short visibility timeout: an event that fails is retried and parked (FAILED) in seconds, not minutes.
  rt = await startRuntimeProcess({ env: { SOURCE_CACHE_TTL_MS: '60000', QUEUE_VISIBILITY_TIMEOUT: '2', POLLERS: '8' } });
  client = clientFor(rt);
  // Generating (below) blocks this event loop for seconds, long enough for the server to close idle kept-alive
  // connections without fetch noticing, and the first requests after it would go out on them. So the setup keeps none:
  // the server closes each of its connections after the answer, and there is nothing to wait for afterwards.
  const closing = { connection: 'close' };
  const policy = await client.request('POST', '/api/escalation-policies', {
    body: { name: 'fuzz team', routingKey: 'fuzz-team', escalationRules: [{ escalationTimeout: 0 }] },
    headers: closing,
  });
  expect(policy.status).toBe(201);
  const common = { rateLimitPerMinute: 1_000_000 };
  const sources = await Promise.all([
    client.createSource({ ...common, name: 'fuzz main' }, closing),
    client.createSource({ ...common, name: 'fuzz per event', alertCreation: 'ONE_ALERT_PER_EVENT' }, closing),
    client.createSource({ ...common, name: 'fuzz window', alertCreation: 'ONE_ALERT_GROUPED_PER_WINDOW', alertGroupingWindow: 'PT5M' }, closing),
    client.createSource(
      {
        ...common,
        name: 'fuzz template',
        integrationType: 'GRAFANA',
        alertCreation: 'ONE_PENDING_ALERT_ALLOWED',
        priorityTemplate: {
          valueTemplate: { textTemplate: '{{ customDetails.severity }}{{ customDetails.__proto__ }}' },
          mappings: [{ value: 'critical', priority: 'HIGH' }],
        },
      },
      closing,
    ),
    ...['2', '3', '4', '5'].map((n) => client.createSource({ ...common, name: `fuzz ${n}` }, closing)),
  ]);
  const keys = Object.fromEntries(ROLES.map((role, i) => [role, sources[i].integrationKey])) as Record<Role, string>;
  live = {
    url: rt.url,
    adminToken: rt.adminToken,
    keys,
    sourceIdByKey: new Map(sources.map((s) => [s.integrationKey, s.id])),
  };
  // Generated here rather than in the test, whose time would otherwise include it.
  const generating = Date.now();
  requests = fc.sample(arbitraries(live), { seed: SEED, numRuns: RUNS });
  generatedMs = Date.now() - generating;
}, 120_000);
afterAll(() => rt?.stop());

/** The alert source a request names, by the same rules as the gateway and the ingest. */
function sourceOf(req: FuzzRequest): { sourceId?: string; body: Obj } {
  const parsed = parsedBody(req);
  const body = parsed.ok && isObject(parsed.value) ? parsed.value : {};
  const key = effectiveKey(req, body);
  return { sourceId: key === undefined ? undefined : live.sourceIdByKey.get(key), body };
}

/**
 * Waits until the newest accepted event of each alert source has left QUEUED (a source's events are applied in the
 * order accepted, and polling only those keeps DynamoDB Local free for the processor), then reads every accepted
 * event once, and again while any is still QUEUED.
 */
async function checkApplied(accepted: { eventId: string; req: FuzzRequest; replayed: boolean }[], problems: string[]) {
  const byId = new Map<string, { req: FuzzRequest; replayed: boolean }>();
  for (const a of accepted) if (!byId.has(a.eventId) || !a.replayed) byId.set(a.eventId, a);
  const newestBySource = new Map<string | undefined, string>();
  for (const [id, { req }] of byId) {
    const { sourceId } = sourceOf(req);
    if ((newestBySource.get(sourceId) ?? '') < id) newestBySource.set(sourceId, id); // event ids sort by acceptance time
  }
  const records = new Map<string, any>();
  const deadline = Date.now() + APPLY_TIMEOUT_MS;
  /** Reads the events given; returns those still QUEUED. */
  const poll = async (ids: string[]) => {
    const still: string[] = [];
    await pool(ids, 16, async (id) => {
      const res = await client.event(id);
      if (res.status === 200 && res.body.outcome !== 'QUEUED') records.set(id, res.body);
      else if (res.status === 200) still.push(id);
      else problems.push(`GET /api/events/${id}: ${res.status} ${JSON.stringify(res.body)}`);
    });
    return still;
  };
  let waiting = [...new Set(newestBySource.values())];
  while (waiting.length > 0 && Date.now() < deadline) {
    waiting = await poll(waiting);
    if (waiting.length > 0) await sleep(500);
  }
  let still = await poll([...byId.keys()].filter((id) => !records.has(id)));
  while (still.length > 0 && Date.now() < deadline) {
    await sleep(500);
    still = await poll(still);
  }
  if (still.length > 0)
    problems.push(`${still.length} accepted event(s) still QUEUED ${APPLY_TIMEOUT_MS} ms after the last request, e.g. ${still.slice(0, 5).join(', ')}`);
  for (const [id, record] of records) {
    const { req, replayed } = byId.get(id)!;
    if (!APPLIED_OUTCOMES.includes(record.outcome)) problems.push(`event ${id} (${req.family}) ended ${record.outcome}: ${record.error ?? ''}`);
    const { sourceId, body } = sourceOf(req);
    if (record.alertSourceId !== sourceId)
      problems.push(`event ${id} (${req.family}) applied to alert source ${record.alertSourceId}, sent with the key of ${sourceId}`);
    if (!replayed && record.eventType !== body.eventType)
      problems.push(`event ${id} (${req.family}) recorded as ${record.eventType}, sent as ${String(body.eventType)}`);
  }
  return records.size;
}

describe('the seed corpus (test/fuzz/corpus)', () => {
  const cases = loadCases('corpus');
  it.each(cases.map((c) => [c.file, c] as const))('%s answers as recorded', async (_file, c) => {
    for (const stored of c.requests ?? [c.request!]) {
      const req = fromStored(stored, live, 'corpus', c.define);
      const answer = await send(rt.url, req);
      const problems = problemsOf(req, answer, live);
      if (!c.expect.includes(answer.status)) problems.push(`status ${answer.status}, recorded ${c.expect.join(' or ')}`);
      expect({ answer: answer.text.slice(0, 300), problems }).toEqual({ answer: answer.text.slice(0, 300), problems: [] });
      if (answer.status === 202) {
        const [record] = await client.applied([JSON.parse(answer.text).eventId]);
        expect(APPLIED_OUTCOMES).toContain(record.outcome);
      }
    }
  });
});

describe('regressions (test/fuzz/regressions)', () => {
  const cases = loadCases('regressions');
  for (const c of cases) {
    it(`${c.file}: ${c.description}`, async () => {
      for (const stored of c.requests ?? [c.request!]) {
        const req = fromStored(stored, live, 'regression', c.define);
        const answer = await send(rt.url, req);
        const request = `${req.method} ${stored.path.slice(0, 80)}`;
        expect({ request, status: answer.status, expected: c.expect.includes(answer.status) }).toEqual({ request, status: answer.status, expected: true });
        expect(() => JSON.parse(answer.text)).not.toThrow();
      }
    });
  }
});

describe(`${RUNS} generated requests (seed ${SEED})`, () => {
  it('every final answer (after following Retry-After) is 202, 400, 404, 413 or 415 with a JSON body, the runtime stays up, and every 202 is applied to the right alert source', async () => {
    const families: Record<string, Record<number, number>> = {};
    const failures: { index: number; family: string; problems: string[]; status?: number; answer?: string; request: StoredRequest }[] = [];
    const accepted: { eventId: string; req: FuzzRequest; replayed: boolean }[] = [];

    let retried = 0;
    const transient: Record<string, number> = {};
    const started = Date.now();
    await pool(requests, CONCURRENCY, async (req, index) => {
      let answer: Answer | undefined;
      let problems: string[];
      for (let attempt = 1; ; attempt++) {
        try {
          answer = await send(rt.url, req);
          // Two answers tell a caller to come back: the store or queue was too slow for the call's budget (this
          // machine runs 24 requests at once against one engine), or an earlier request with the same
          // Idempotency-Key is still in flight. A client follows Retry-After, as here; the answer it ends with counts.
          const again = transientAnswer(answer);
          if (again && attempt < TRANSIENT_ATTEMPTS) {
            transient[again] = (transient[again] ?? 0) + 1;
            // At least what Retry-After says, backing off as a well-behaved client does when told again and again.
            const retryAfter = Number(answer.headers instanceof Headers ? answer.headers.get('retry-after') : answer.headers['retry-after']);
            await sleep(1000 * Math.max(retryAfter, Math.min(8, 2 ** (attempt - 1))));
            continue;
          }
          problems = problemsOf(req, answer, live);
          break;
        } catch (error) {
          const cause = (error as Error).cause as Error | undefined;
          problems = [`no answer (attempt ${attempt}): ${(error as Error).message} ${String(cause ?? '')}`];
          // A kept-alive connection the server closed just as it was reused fails without an answer; once more on a
          // fresh one tells that apart from a request that breaks the server. A timeout is a hang: never retried.
          if (attempt === 2 || (error as Error).name === 'TimeoutError') break;
          retried++;
        }
      }
      const status = answer?.status ?? 0;
      (families[req.family] ??= {})[status] = (families[req.family][status] ?? 0) + 1;
      if (problems.length) failures.push({ index, family: req.family, problems, status, answer: answer?.text.slice(0, 300), request: toStored(req, live) });
      else if (status === 202) accepted.push({ eventId: JSON.parse(answer!.text).eventId, req, replayed: answer!.replayed });
    });
    const sentMs = Date.now() - started;

    // The runtime is still up and serving both APIs.
    const health = await client.request('GET', '/api/alert-sources');
    expect(health.status).toBe(200);
    const probe = await client.postEvent({ apiKey: live.keys[''], eventType: 'ALERT', summary: 'after the fuzz run' });
    expect(probe.status).toBe(202);

    const applyProblems: string[] = [];
    const checked = await checkApplied(accepted, applyProblems);
    const appliedMs = Date.now() - started - sentMs;
    console.log(
      `fuzz seed ${SEED}: ${requests.length} requests (generated in ${(generatedMs / 1000).toFixed(1)} s) sent in ${(sentMs / 1000).toFixed(1)} s ` +
        `(concurrency ${CONCURRENCY}, ${retried} resent after a closed connection, answers followed by a retry: ${JSON.stringify(transient)}), ` +
        `${accepted.length} accepted, ${checked} event records checked applied in ${(appliedMs / 1000).toFixed(1)} s more; ` +
        `statuses by family: ${JSON.stringify(families)}`,
    );

    if (failures.length || applyProblems.length) {
      const file = join(tmpdir(), `alertline-fuzz-${SEED}.json`);
      writeFileSync(file, JSON.stringify({ seed: SEED, runs: RUNS, applyProblems, failures }, null, 2));
      const sample = failures.slice(0, 5).map((f) => ({ ...f, request: { ...f.request, bodyText: f.request.bodyText?.slice(0, 400) } }));
      throw new Error(
        `fuzz seed ${SEED} (FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} to replay): ${failures.length} request(s) broke the contract, ` +
          `${applyProblems.length} accepted-event problem(s); all of them in ${file}\n` +
          `${applyProblems.slice(0, 10).join('\n')}\n${JSON.stringify(sample, null, 2)}`,
      );
    }
    expect(checked).toBe(new Set(accepted.map((a) => a.eventId)).size);
  }, 900_000);
});

describe('broken HTTP framing', () => {
  /** Writes bytes on a fresh connection; resolves with the status line answered before the server closes it or waitMs passes. */
  const rawExchange = (bytes: string, { halfClose = true, waitMs = 2000 } = {}) =>
    new Promise<string>((ok) => {
      const { hostname, port } = new URL(rt.url);
      let answer = '';
      const socket = connect(Number(port), hostname, () => {
        socket.write(bytes);
        if (halfClose) socket.end();
      });
      const done = () => {
        clearTimeout(bound);
        socket.destroy();
        ok(answer.split('\r\n')[0]);
      };
      // The bound is for a server that keeps waiting for the rest of the request, as it may.
      const bound = setTimeout(done, waitMs);
      socket.on('data', (chunk) => (answer += chunk));
      socket.on('error', () => undefined);
      socket.on('close', done);
    });

  it('truncated bodies, bad chunks, conflicting lengths and bodies over 10 MB neither crash nor wedge the runtime', async () => {
    const body = `{"apiKey":"${live.keys['']}","eventType":"ALERT","summary":"framing"}`;
    const head = 'POST /api/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n';
    const exchanges = await Promise.all([
      rawExchange(`${head}Content-Length: 1000\r\n\r\n${body}`), // shorter than announced, then closed
      rawExchange(`${head}Content-Length: 1000\r\n\r\n${body}`, { halfClose: false, waitMs: 1000 }), // shorter, left open
      rawExchange(`${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`),
      rawExchange(`${head}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body.slice(0, 10)}`),
      rawExchange(`${head}Content-Length: 5\r\nContent-Length: 6\r\n\r\n${body}`),
      rawExchange(`${head}Content-Length: -1\r\n\r\n${body}`),
      rawExchange('\u0000\u0001 GARBAGE\r\n\r\n'),
    ]);
    // Node's HTTP parser answers broken framing itself (400, no JSON body: no handler ever saw it), or waits for the rest.
    for (const statusLine of exchanges) expect(statusLine === '' || /^HTTP\/1\.1 4\d\d /.test(statusLine)).toBe(true);

    // Over API Gateway's 10 MB the gateway refuses as API Gateway does ({"message": ...}), before any handler runs.
    const huge = await fetch(`${rt.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(11 * 1024 * 1024, 0x20),
    }).catch((error: Error) => error);
    if (!(huge instanceof Error)) expect(huge.status).toBe(413);

    expect((await client.request('GET', '/api/alert-sources')).status).toBe(200);
    expect((await client.postEvent(JSON.parse(body))).status).toBe(202);
  });
});

describe('no prototype pollution', () => {
  it('leaves the prototypes of this process untouched', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypesBefore.object);
    expect(Object.getOwnPropertyNames(Array.prototype).sort()).toEqual(prototypesBefore.array);
    expect(Object.getOwnPropertyNames(Function.prototype).sort()).toEqual(prototypesBefore.function);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the server still reads bodies and settings without inherited values, and keeps __proto__ keys as own keys', async () => {
    // Had Object.prototype gained apiKey, eventType, summary or name, these would be accepted.
    const noKey = await client.postEvent({ eventType: 'ALERT', summary: 'no key' });
    expect(noKey.status).toBe(400);
    expect(noKey.body.errors.map((e: { path: string }) => e.path)).toContain('apiKey');
    const noType = await client.postEvent({ apiKey: live.keys[''] });
    expect(noType.status).toBe(400);
    expect(noType.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['eventType']));
    const noName = await client.request('POST', '/api/alert-sources', { body: {} });
    expect(noName.status).toBe(400);
    expect(noName.body.errors.map((e: { path: string }) => e.path)).toContain('name');
    const fresh = await client.createSource({ name: 'after the fuzz run' });
    expect(fresh).toMatchObject({ integrationType: 'API', active: true, alertCreation: 'ONE_OPEN_ALERT_ALLOWED', alertPriorityRule: 'HIGH' });
    for (const key of ['polluted', 'isAdmin', 'summary', 'eventType']) expect(fresh).not.toHaveProperty(key);

    const customDetails = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":1,"nested":{"__proto__":[1]}}';
    const res = await client.request('POST', '/api/events', {
      raw: `{"apiKey":"${live.keys['']}","eventType":"ALERT","summary":"own keys","alertKey":"proto-${Date.now()}","customDetails":${customDetails}}`,
      headers: { 'content-type': 'application/json' },
      token: null,
    });
    expect(res.status).toBe(202);
    const [record] = await client.applied([res.body.eventId]);
    const raw = await fetch(`${rt.url}/api/alerts/${record.alertId}`, { headers: { authorization: `Bearer ${rt.adminToken}` } }).then((r) => r.text());
    const alert = JSON.parse(raw);
    expect(Object.keys(alert.customDetails)).toEqual(['__proto__', 'constructor', 'prototype', 'nested']);
    expect(Object.getPrototypeOf(alert.customDetails)).toBe(Object.prototype);
    expect(JSON.stringify(alert.customDetails)).toBe(customDetails);
  });
});

describe('found by fuzzing', () => {
  it('alert keys that differ only in a lone surrogate are different alert keys, or are refused', async () => {
    // Lone surrogates are valid JSON escapes but not Unicode: DynamoDB stores them in key attributes as "?",
    // so "k\udc01", "k\udc02" and "k?" shared one open-alert lock and were grouped into one alert.
    const prefix = `lone-${Date.now().toString(36)}`;
    const answers = [];
    for (const tail of ['\\udc01', '\\udc02', '?']) {
      answers.push(
        await client.request('POST', '/api/events', {
          raw: `{"apiKey":"${live.keys['']}","eventType":"ALERT","summary":"lone surrogate ${tail}","alertKey":"${prefix}${tail}"}`,
          headers: { 'content-type': 'application/json' },
          token: null,
        }),
      );
    }
    for (const a of answers) expect([202, 400]).toContain(a.status);
    const accepted = answers.filter((a) => a.status === 202).map((a) => a.body.eventId as string);
    const records = await client.applied(accepted);
    expect(records.map((r) => r.outcome)).toEqual(records.map(() => 'CREATED'));
    expect(new Set(records.map((r) => r.alertId)).size).toBe(records.length);
  });
});
