// Ingest's metrics as counters: summed in memory and published at most once a minute per instance (one EMF line per
// dimension set), its first flush at once, a 5xx at once; what operators read in CloudWatch is still every count.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AlertSource } from '../../lambdas/domain/alert-source';
import type { CountLine } from '../../lambdas/handlers/aggregated-metrics';
import type { IngestDeps } from '../../lambdas/handlers/ingest';
import { lambdaContext } from '../../local/lambda-context';

// Powertools reads its switches when the handlers' logger and metrics are built: quiet, metrics published.
Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'false' });
const { AggregatedCounts } = require('../../lambdas/handlers/aggregated-metrics') as typeof import('../../lambdas/handlers/aggregated-metrics');
const { createIngestHandler } = require('../../lambdas/handlers/ingest') as typeof import('../../lambdas/handlers/ingest');

const MINUTE = 60_000;

describe('AggregatedCounts', () => {
  function counts() {
    let now = Date.parse('2026-12-01T10:00:00.000Z');
    const flushes: CountLine[][] = [];
    const aggregated = new AggregatedCounts({ publish: (lines) => flushes.push(lines), intervalMs: MINUTE, now: () => now });
    return { aggregated, flushes, advance: (ms: number) => void (now += ms) };
  }

  it('publishes its first counts at once, then at most once per interval, what was counted since', () => {
    const { aggregated, flushes, advance } = counts();
    aggregated.add('EventsAccepted', 1);
    expect(aggregated.publishIfDue()).toBe(true);
    // An invocation every second for five minutes: five more flushes, not 300.
    for (let i = 0; i < 300; i++) {
      advance(1000);
      aggregated.add('EventsAccepted', 1);
      aggregated.add('ConsumedWriteUnits', 2.5);
      aggregated.publishIfDue();
    }
    expect(flushes).toHaveLength(6);
    expect(flushes[0]).toEqual([{ dimensions: {}, values: { EventsAccepted: 1 } }]);
    expect(flushes[1]).toEqual([{ dimensions: {}, values: { EventsAccepted: 60, ConsumedWriteUnits: 150 } }]);
    const total = (name: string) => flushes.flat().reduce((sum, line) => sum + (line.values[name] ?? 0), 0);
    expect(total('EventsAccepted')).toBe(301);
    expect(total('ConsumedWriteUnits')).toBe(750);
  });

  it('holds counts within the interval and publishes them on the first call after it', () => {
    const { aggregated, flushes, advance } = counts();
    aggregated.add('EventsAccepted', 1);
    aggregated.publishIfDue();
    advance(10_000);
    aggregated.add('EventsAccepted', 3);
    advance(MINUTE - 10_001);
    expect(aggregated.publishIfDue()).toBe(false);
    // Idle past the interval: nothing is published without a call; the next one flushes what is held.
    advance(5 * MINUTE);
    aggregated.add('EventsAccepted', 1);
    expect(aggregated.publishIfDue()).toBe(true);
    expect(flushes.map((lines) => lines[0].values.EventsAccepted)).toEqual([1, 4]);
    expect(aggregated.publishIfDue()).toBe(false);
  });

  it('keeps one line per dimension set, whatever the order its dimensions were given in', () => {
    const { aggregated, flushes } = counts();
    aggregated.add('EventsRejected', 1, { code: 'RATE_LIMITED' });
    aggregated.add('EventsRejected', 1, { code: 'ALERT_SOURCE_NOT_FOUND' });
    aggregated.add('EventsRejected', 1, { code: 'RATE_LIMITED' });
    aggregated.add('Other', 0.1, { b: '2', a: '1' });
    aggregated.add('Other', 0.2, { a: '1', b: '2' });
    aggregated.add('ConsumedReadUnits', 0.5);
    aggregated.publishIfDue();
    expect(flushes[0]).toEqual([
      { dimensions: { code: 'RATE_LIMITED' }, values: { EventsRejected: 2 } },
      { dimensions: { code: 'ALERT_SOURCE_NOT_FOUND' }, values: { EventsRejected: 1 } },
      { dimensions: { a: '1', b: '2' }, values: { Other: 0.3 } },
      { dimensions: {}, values: { ConsumedReadUnits: 0.5 } },
    ]);
  });

  it('publishes an urgent count at the next call, within the interval', () => {
    const { aggregated, flushes, advance } = counts();
    aggregated.add('EventsAccepted', 1);
    aggregated.publishIfDue();
    advance(1000);
    aggregated.add('EventsAccepted', 1);
    aggregated.add('EventsRejected', 1, { code: 'STORE_UNAVAILABLE' }, true);
    expect(aggregated.publishIfDue()).toBe(true);
    advance(1000);
    aggregated.add('EventsAccepted', 1);
    expect(aggregated.publishIfDue()).toBe(false);
    expect(flushes[1]).toEqual([
      { dimensions: {}, values: { EventsAccepted: 1 } },
      { dimensions: { code: 'STORE_UNAVAILABLE' }, values: { EventsRejected: 1 } },
    ]);
  });

  it('publishes nothing when nothing was counted', () => {
    const { aggregated, flushes } = counts();
    expect(aggregated.publishIfDue()).toBe(false);
    expect(flushes).toEqual([]);
  });
});

describe('the ingest handler', () => {
  const at = '2026-12-01T09:00:00.000Z';
  const source: AlertSource = {
    id: 'source-1',
    name: 'Disk',
    integrationKey: 'key-1',
    integrationType: 'API',
    active: true,
    alertCreation: 'ONE_OPEN_ALERT_ALLOWED',
    alertPriorityRule: 'HIGH',
    createdAt: at,
    updatedAt: at,
  };

  function setup() {
    let now = Date.parse('2026-12-01T10:00:00.000Z');
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const emf: Array<Record<string, unknown>> = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      const text = String(chunk);
      if (text.includes('"_aws"')) emf.push(JSON.parse(text));
      return true;
    });
    const queue = { sendAll: jest.fn(async () => undefined) };
    const deps: Partial<IngestDeps> = {
      findSource: async (key) => (key === source.integrationKey ? source : undefined),
      rateLimits: { take: async () => ({ allowed: true, limit: 1000, remaining: 999 }) },
      events: { recordAllQueued: async () => undefined, withdrawAll: async () => 'withdrawn' } as unknown as IngestDeps['events'],
      queue,
      now: () => new Date(now),
    };
    const handler = createIngestHandler({ tableName: 'unused', queueUrl: 'http://unused', sourceCacheTtlMs: 0 }, deps);
    const post = async (apiKey: string) => {
      const body = JSON.stringify({ apiKey, eventType: 'ALERT', summary: 'Disk full on web-1', alertKey: 'disk-web-1' });
      const request = {
        version: '2.0',
        routeKey: 'POST /api/events',
        rawPath: '/api/events',
        headers: { 'content-type': 'application/json' },
        requestContext: { http: { method: 'POST', path: '/api/events' }, routeKey: 'POST /api/events' },
        body,
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2;
      return (await handler(request, lambdaContext('ingest'))).statusCode;
    };
    return { post, emf, queue, advance: (ms: number) => void (now += ms) };
  }

  afterEach(() => jest.restoreAllMocks());

  const metricsOf = (line: Record<string, unknown>) => {
    const directive = (line._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> })
      .CloudWatchMetrics[0];
    const values = Object.fromEntries(directive.Metrics.map((m) => [m.Name, line[m.Name]]));
    return { namespace: directive.Namespace, dimensions: directive.Dimensions[0], service: line.service, code: line.code, values };
  };
  /** The lines of one flush, those without a code first. */
  const flushOf = (lines: Array<Record<string, unknown>>) => lines.map(metricsOf).sort((a, b) => String(a.code ?? '').localeCompare(String(b.code ?? '')));

  it('writes its counts once a minute, in the names and dimensions the dashboard reads, and a 5xx at once', async () => {
    const { post, emf, queue, advance } = setup();
    // This test's module registry is fresh: the first invocation is the instance's first, published at once.
    expect(await post('key-1')).toBe(202);
    expect(emf.map(metricsOf)).toEqual([
      {
        namespace: 'Alertline',
        dimensions: ['service'],
        service: 'alertline',
        code: undefined,
        values: { EventsAccepted: 1, ConsumedWriteUnits: 0, ConsumedReadUnits: 0 },
      },
    ]);
    for (let i = 0; i < 20; i++) {
      advance(2000);
      expect(await post(i % 10 === 0 ? 'unknown-key' : 'key-1')).toBe(i % 10 === 0 ? 404 : 202);
    }
    expect(emf).toHaveLength(1);
    advance(20_000);
    expect(await post('key-1')).toBe(202);
    expect(flushOf(emf.slice(1))).toEqual([
      {
        namespace: 'Alertline',
        dimensions: ['service'],
        service: 'alertline',
        code: undefined,
        values: { EventsAccepted: 19, ConsumedWriteUnits: 0, ConsumedReadUnits: 0 },
      },
      { namespace: 'Alertline', dimensions: ['service', 'code'], service: 'alertline', code: 'ALERT_SOURCE_NOT_FOUND', values: { EventsRejected: 2 } },
    ]);

    // The queue failing: a 503 the caller must retry, counted in the minute it happens.
    advance(1000);
    queue.sendAll.mockRejectedValueOnce(new Error('queue down'));
    expect(await post('key-1')).toBe(503);
    expect(flushOf(emf.slice(3))).toEqual([
      { namespace: 'Alertline', dimensions: ['service'], service: 'alertline', code: undefined, values: { ConsumedWriteUnits: 0, ConsumedReadUnits: 0 } },
      { namespace: 'Alertline', dimensions: ['service', 'code'], service: 'alertline', code: 'QUEUE_UNAVAILABLE', values: { EventsRejected: 1 } },
    ]);
  });
});
