// The AWS console test events in events/ stay valid: each is the shape its function receives, and replayed against the local runtime (over HTTP, and straight into the handler as the Lambda console does) it gets the answer its route gives.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { HTTP_ROUTES, routeKey } from '../../lambdas/contract';
import { eventSchema, toAcceptedEvent } from '../../lambdas/domain/event';
import { buildOpenApiDocument } from '../../lambdas/openapi/document';
import { asciiJson, parseQueuedEvent } from '../../lambdas/queue/event-queue';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { matchRoute } from '../../local/gateway';
import { lambdaContext } from '../../local/lambda-context';
import { clientFor } from '../support/client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

const EVENTS_DIR = join(__dirname, '../../events');
const FILES = readdirSync(EVENTS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();
const API_FILES = FILES.filter((f) => f.startsWith('ingest-') || f.startsWith('api-'));
const SQS_FILE = 'processor-sqs-fifo-batch';

/** The placeholders a console user replaces (README, "Testing in the Lambda console"). */
const PLACEHOLDERS = [
  'REPLACE_WITH_ADMIN_TOKEN',
  'REPLACE_WITH_ALERT_ID',
  'REPLACE_WITH_EVENT_ID',
  'REPLACE_WITH_INTEGRATION_KEY',
  'REPLACE_WITH_POLICY_ID',
  'REPLACE_WITH_USER_ID',
];

/** The route keys of the HTTP API, as the stack creates them from the contract (test/infra/routes.test.ts). */
const STACK_ROUTES: Record<string, 'ingest' | 'api'> = Object.fromEntries(HTTP_ROUTES.map((route) => [routeKey(route), route.function]));

const text = (name: string) => readFileSync(join(EVENTS_DIR, `${name}.json`), 'utf8');
const apiEvent = (name: string) => JSON.parse(text(name)) as APIGatewayProxyEventV2;
const sqsEvent = () => JSON.parse(text(SQS_FILE)) as SQSEvent;
const handlerOf = (name: string) => (name.startsWith('ingest-') ? 'ingest' : 'api');
const md5 = (body: string) => createHash('md5').update(body).digest('hex');

describe('the console test events', () => {
  it('are API Gateway events for ingest and api, and one SQS batch for the processor', () => {
    expect(FILES.filter((f) => !API_FILES.includes(f))).toEqual([SQS_FILE]);
    expect(API_FILES.filter((f) => f.startsWith('ingest-')).length).toBeGreaterThanOrEqual(2);
    for (const name of FILES) expect(() => JSON.parse(text(name))).not.toThrow();
    const used = new Set(FILES.flatMap((name) => text(name).match(/REPLACE_WITH_[A-Z_]+/g) ?? []));
    expect([...used].sort()).toEqual(PLACEHOLDERS);
  });

  it.each(API_FILES)('%s is an HTTP API payload 2.0 event of a route the stack has, for the function that serves it', (name) => {
    const event = apiEvent(name);
    expect(event.version).toBe('2.0');
    expect(STACK_ROUTES[event.routeKey]).toBe(handlerOf(name));
    expect(event.requestContext).toMatchObject({ routeKey: event.routeKey, stage: '$default', http: { path: event.rawPath } });
    expect(event.isBase64Encoded).toBe(false);
    expect(Object.keys(event.headers).every((h) => h === h.toLowerCase())).toBe(true);

    // The gateway's matcher names the same route, function and path parameters as the file.
    const method = event.requestContext.http.method;
    expect(matchRoute(method, event.rawPath)).toEqual({ handler: handlerOf(name), routeKey: event.routeKey, pathParameters: event.pathParameters });

    const query: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(event.rawQueryString)) query[k] = k in query ? `${query[k]},${v}` : v;
    expect(event.queryStringParameters ?? {}).toEqual(query);

    if (event.body !== undefined) {
      expect(event.headers['content-type']).toBe('application/json');
      expect(() => JSON.parse(event.body!)).not.toThrow();
    }
    const publicRoute = name.startsWith('ingest-') || event.rawPath === '/api/openapi.json';
    expect(event.headers.authorization).toBe(publicRoute ? undefined : 'Bearer REPLACE_WITH_ADMIN_TOKEN');
  });

  it(`${SQS_FILE} is one FIFO message group carrying the ingest files' events as the ingest enqueues them`, () => {
    const { Records } = sqsEvent();
    const ingestBodies = ['ingest-post-event', 'ingest-post-event-path-key'].map((name) => JSON.parse(apiEvent(name).body!));
    expect(Records).toHaveLength(ingestBodies.length);
    Records.forEach((record, i) => {
      const queued = parseQueuedEvent(record.body);
      const { eventId, alertSourceId, receivedAt } = queued;
      expect(record.body).toBe(asciiJson(toAcceptedEvent(eventSchema.parse(ingestBodies[i]), { eventId, alertSourceId, receivedAt, generatedAlertKey: '-' })));
      expect(record).toMatchObject({ eventSource: 'aws:sqs', md5OfBody: md5(record.body), messageAttributes: {} });
      expect(record.eventSourceARN).toMatch(/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[\w-]+\.fifo$/);
      expect(record.eventSourceARN.split(':')[3]).toBe(record.awsRegion);
      expect(record.attributes).toMatchObject({ ApproximateReceiveCount: '1', MessageGroupId: alertSourceId, MessageDeduplicationId: eventId });
    });
    expect(new Set(Records.map((r) => r.attributes.MessageGroupId)).size).toBe(1);
    const sequence = Records.map((r) => BigInt(r.attributes.SequenceNumber!));
    expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(Records.map((r) => r.messageId)).size).toBe(Records.length);
  });
});

describe('replayed against the local runtime', () => {
  type Handler<E, R> = (event: E, context: Context) => Promise<R>;
  let rt: RuntimeProcess;
  let client: ReturnType<typeof clientFor>;
  let handlers: Record<'ingest' | 'api', Handler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>>;
  let processor: Handler<SQSEvent, SQSBatchResponse>;
  /** Placeholder values, filled in as the files' prerequisites come to exist. */
  const values: Record<string, string> = {};
  let sourceId: string;
  const replayed = new Set<string>();
  const accepted: string[] = [];

  beforeAll(async () => {
    // No pollers: the processor runs only on the console's batch, so the test decides what it applies.
    rt = await startRuntimeProcess({ env: { POLLERS: '0' } });
    client = clientFor(rt);
    values.REPLACE_WITH_ADMIN_TOKEN = rt.adminToken;
    Object.assign(process.env, {
      TABLE_NAME: rt.info.tableName,
      DYNAMODB_ENDPOINT: rt.info.dynamoDbEndpoint,
      QUEUE_URL: rt.info.queueUrl,
      NOTIFICATION_QUEUE_URL: rt.info.notificationQueueUrl,
      SQS_ENDPOINT: rt.info.sqsEndpoint,
      ADMIN_TOKEN: rt.adminToken,
      AWS_REGION: 'us-east-1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    // Loaded only now, as Lambda loads the entry files: they read the environment set above.
    handlers = { ingest: require('../../lambdas/functions/ingest').handler, api: require('../../lambdas/functions/api').handler };
    processor = require('../../lambdas/functions/processor').handler;
  });
  afterAll(() => rt?.stop());

  /** The file with its placeholders filled in, as a console user would. */
  function filled(name: string): APIGatewayProxyEventV2 {
    let raw = text(name);
    for (const [placeholder, value] of Object.entries(values)) raw = raw.replaceAll(placeholder, value);
    expect(raw.match(/REPLACE_WITH_[A-Z_]+/g) ?? []).toEqual([]);
    return JSON.parse(raw);
  }

  /**
   * Sends the file over HTTP (its method, rawPath, rawQueryString, headers and body) and hands it to the handler its
   * routeKey names, as the Lambda console's Test button does; both must answer `status`. Returns the bodies.
   */
  async function replay(name: string, status: number): Promise<any[]> {
    const event = filled(name);
    const url = `${rt.url}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
    const headers = Object.fromEntries(Object.entries(event.headers).filter(([h]) => h !== 'host' && h !== 'content-length')) as Record<string, string>;
    const res = await fetch(url, { method: event.requestContext.http.method, headers, body: event.body });
    const overHttp = { status: res.status, body: await res.text() };
    const out = await handlers[handlerOf(name)](event, lambdaContext(handlerOf(name)));
    const direct = { status: out.statusCode, body: out.body ?? '' };
    expect({ name, overHttp: overHttp.status, direct: direct.status, body: overHttp.body.slice(0, 300) }).toEqual({
      name,
      overHttp: status,
      direct: status,
      body: expect.any(String),
    });
    replayed.add(name);
    return [overHttp.body, direct.body].map((b) => (b ? JSON.parse(b) : undefined));
  }

  it('api-create-alert-source: 201 with the integration key the ingest files use', async () => {
    const [source, other] = await replay('api-create-alert-source', 201);
    expect(source.integrationKey).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(other.id).not.toBe(source.id);
    values.REPLACE_WITH_INTEGRATION_KEY = source.integrationKey;
    sourceId = source.id;
  });

  it('api-list-alert-sources: 200 listing it', async () => {
    for (const list of await replay('api-list-alert-sources', 200)) expect(list.map((s: any) => s.id)).toContain(sourceId);
  });

  it('api-create-user: 201, the secret answered as hasSecret only; the policy file names it', async () => {
    const [user, other] = await replay('api-create-user', 201);
    expect(user.contacts).toEqual([
      { type: 'EMAIL', target: 'uma@example.com', priorities: ['HIGH', 'LOW'], hasSecret: false },
      { type: 'WEBHOOK', target: 'https://hooks.example.com/alertline', priorities: ['HIGH'], hasSecret: true },
    ]);
    expect(other.id).not.toBe(user.id);
    values.REPLACE_WITH_USER_ID = user.id;
  });

  it('api-create-escalation-policy: 201', async () => {
    const policies = await replay('api-create-escalation-policy', 201);
    for (const policy of policies) expect(policy.escalationRules[0]).toMatchObject({ users: [{ id: values.REPLACE_WITH_USER_ID }] });
    values.REPLACE_WITH_POLICY_ID = policies[0].id;
  });

  it.each(['ingest-post-event', 'ingest-post-event-path-key'])('%s: 202 QUEUED', async (name) => {
    const answers = await replay(name, 202);
    for (const answer of answers) expect(answer).toMatchObject({ eventId: expect.any(String), alertKey: 'disk-full-web-1', status: 'QUEUED' });
    accepted.push(answers[0].eventId);
  });

  it(`${SQS_FILE}: runs as-is (its events applied: the queue carries only what ingest accepted, with or without a record), and applies the accepted events in order`, async () => {
    const batch = sqsEvent();
    expect(await processor(batch, lambdaContext('processor'))).toEqual({ batchItemFailures: [] });
    const fromConsole = await client.alerts(`alertSourceId=${batch.Records[0].attributes.MessageGroupId}`);
    expect(fromConsole).toMatchObject({ status: 200, body: { items: [{ alertKey: 'disk-full-web-1', eventCount: batch.Records.length }] } });

    // The same batch carrying the two events the ingest files were accepted with.
    const records = await Promise.all(accepted.map(async (id) => (await client.event(id)).body));
    const real: SQSEvent = {
      Records: batch.Records.map((record, i) => {
        const body = asciiJson({ ...JSON.parse(record.body), eventId: records[i].eventId, alertSourceId: sourceId, receivedAt: records[i].receivedAt });
        const attributes = { ...record.attributes, MessageGroupId: sourceId, MessageDeduplicationId: records[i].eventId };
        return { ...record, body, md5OfBody: md5(body), attributes };
      }),
    };
    expect(await processor(real, lambdaContext('processor'))).toEqual({ batchItemFailures: [] });
    const applied = await client.applied(accepted);
    expect(applied.map((r) => r.outcome)).toEqual(['CREATED', 'APPENDED']);
    expect(applied[1].alertId).toBe(applied[0].alertId);
    values.REPLACE_WITH_ALERT_ID = applied[0].alertId;
    values.REPLACE_WITH_EVENT_ID = accepted[0];
  });

  it('api-list-alerts: 200 with the open alert', async () => {
    for (const page of await replay('api-list-alerts', 200)) expect(page.items.map((a: any) => a.id)).toContain(values.REPLACE_WITH_ALERT_ID);
  });

  it('api-get-alert: 200, the alert with both events', async () => {
    for (const alert of await replay('api-get-alert', 200)) expect(alert).toMatchObject({ id: values.REPLACE_WITH_ALERT_ID, status: 'PENDING', eventCount: 2 });
  });

  it('api-log-entries: 200, oldest first', async () => {
    for (const log of await replay('api-log-entries', 200)) expect(log.items.map((e: any) => e.type)).toEqual(['ALERT_RECEIVED', 'EVENT_APPENDED']);
  });

  it('api-get-event: 200 with its outcome', async () => {
    for (const record of await replay('api-get-event', 200))
      expect(record).toMatchObject({ eventId: accepted[0], outcome: 'CREATED', alertId: values.REPLACE_WITH_ALERT_ID });
  });

  it('api-assign-alert and api-list-notifications: 200, the alert rerouted to the policy, and its user notified at level 1', async () => {
    for (const alert of await replay('api-assign-alert', 200))
      expect(alert).toMatchObject({ id: values.REPLACE_WITH_ALERT_ID, escalationPolicy: { id: values.REPLACE_WITH_POLICY_ID }, escalationLevel: 1 });
    // The reroute notifies level 1 of the policy: its user's EMAIL and WEBHOOK contacts (a second time when the first
    // reroute's level ran before the second reroute superseded it; never more).
    const contactTypes = (list: any): string[] => list.items.map((n: any) => n.contactType);
    const listNow = async () => (await client.request('GET', `/api/alerts/${values.REPLACE_WITH_ALERT_ID}/notifications`)).body;
    let listed: any;
    await waitFor(async () => new Set(contactTypes((listed = await listNow()))).size === 2, {
      timeoutMs: 30_000,
      what: () => `the notifications of the reroute (listed: ${JSON.stringify(listed)})`,
    });
    for (const list of await replay('api-list-notifications', 200)) {
      expect([...new Set(contactTypes(list))].sort()).toEqual(['EMAIL', 'WEBHOOK']);
      expect(list.items.length).toBeLessThanOrEqual(4);
      for (const n of list.items) expect(n).toMatchObject({ userId: values.REPLACE_WITH_USER_ID, level: 1, reason: 'ESCALATION' });
    }
  });

  it('api-accept-alert and api-resolve-alert: 200, the alert accepted, then resolved', async () => {
    for (const alert of await replay('api-accept-alert', 200)) expect(alert.status).toBe('ACCEPTED');
    for (const alert of await replay('api-resolve-alert', 200)) expect(alert.status).toBe('RESOLVED');
  });

  it('api-get-openapi: 200 without a token, the document openapi.json holds', async () => {
    for (const document of await replay('api-get-openapi', 200)) expect(document).toEqual(buildOpenApiDocument());
    expect((await client.request('POST', '/api/openapi.json', { token: null })).status).toBe(401);
  });

  it('replayed every API Gateway file in events/', () => {
    expect([...replayed].sort()).toEqual(API_FILES);
  });
});
