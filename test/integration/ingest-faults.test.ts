// What ingest and the management API answer under faults of the store and the queue, on the local runtime: enforced
// call budgets, a send whose answer was lost after the queue took the message, and Idempotency-Key claims.
import { createServer, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as AcceptHandler from '../../lambdas/handlers/accept';
import type * as Http from '../../lambdas/handlers/http';
import type * as IngestHandler from '../../lambdas/handlers/ingest';
import { claimKey } from '../../lambdas/app/idempotency-claim';
import { toAcceptedEvent, type AcceptedEvent, type EventInput } from '../../lambdas/domain/event';
import { eventId, newId } from '../../lambdas/handlers/ids';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { createSqsClient, EventQueue } from '../../lambdas/queue/event-queue';
import { CALL_BUDGETS } from '../../lambdas/shared/call-budget';
import { AlertSourceStore } from '../../lambdas/store/alert-sources';
import { createDocumentClient, type StoreContext } from '../../lambdas/store/client';
import { Unavailable } from '../../lambdas/store/errors';
import { EventStore } from '../../lambdas/store/events';
import { IdempotencyStore } from '../../lambdas/store/idempotency';
import { idempotencyKeys } from '../../lambdas/store/keys';
import { clientFor } from '../support/client';

jest.setTimeout(180_000);

/** Waits for a condition, polling, up to a bound; fails with `what` when the bound passes. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether an event's record says it was applied (or parked): this test's own event stores write no QUEUED record, as in AWS. */
const applied = (record: { outcome: string } | undefined) => record !== undefined && record.outcome !== 'QUEUED' && record.outcome !== 'WITHDRAWN';

const timed = async <T>(work: () => Promise<T>) => {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
};

describe('SDK clients on a server that accepts connections and never answers (a paused engine)', () => {
  let server: Server;
  let endpoint: string;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined).on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((ok) => server.close(() => ok()));
  });

  it('fails a DynamoDB call within its budget, retries included, as Unavailable', async () => {
    for (const budget of [CALL_BUDGETS.ingest, CALL_BUDGETS.default]) {
      const db = createDocumentClient({ endpoint, budget });
      const { value: error, ms } = await timed(() =>
        db.send(new GetCommand({ TableName: 't', Key: { pk: 'p', sk: 's' } })).then(
          () => undefined,
          (e: Error) => e,
        ),
      );
      expect(error).toBeInstanceOf(Unavailable);
      expect((error?.cause as Error).name).toBe('TimeoutError');
      expect(ms).toBeLessThan(budget.totalMs + 500);
      db.destroy();
    }
  }, 20_000);

  it('fails an SQS send within the ingest budget', async () => {
    const sqs = createSqsClient({ endpoint, budget: CALL_BUDGETS.ingest });
    const send = () =>
      sqs.send(new SendMessageCommand({ QueueUrl: `${endpoint}/000000000000/q.fifo`, MessageBody: '{}', MessageGroupId: 'g', MessageDeduplicationId: 'd' }));
    const { value: error, ms } = await timed(() =>
      send().then(
        () => undefined,
        (e: Error) => e,
      ),
    );
    expect(error?.name).toBe('TimeoutError');
    expect(ms).toBeLessThan(CALL_BUDGETS.ingest.totalMs + 500);
    sqs.destroy();
  }, 20_000);
});

/**
 * An event store whose first withdrawal (withdraw or withdrawAll) is followed, before any other starts, by the
 * processor taking the message: it waits until the message's last event (`lastId()`) is no longer QUEUED (applied, or
 * withdrawn). One by one, the processor applies the events after a withdrawn first one.
 */
function processorAfterFirstWithdrawal(store: EventStore, lastId: () => string): EventStore {
  let first = true;
  return new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof name !== 'string' || !name.startsWith('withdraw') || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (first) {
          first = false;
          const id = lastId();
          await until('the processor to take the message', async () => ((await store.get(id))?.outcome === 'QUEUED' ? undefined : true), 30_000);
        }
        return result;
      };
    },
  });
}

describe('on the local runtime', () => {
  let rt: RuntimeProcess;
  let client: ReturnType<typeof clientFor>;
  let ctx: StoreContext;
  let javaPid = 0;
  beforeAll(async () => {
    // Failed processor attempts come back after 5 s: a paused engine costs a message few of its five receives.
    rt = await startRuntimeProcess({ env: { QUEUE_VISIBILITY_TIMEOUT: '5' } });
    client = clientFor(rt);
    ctx = { db: createDocumentClient({ endpoint: rt.info.dynamoDbEndpoint }), tableName: rt.info.tableName };
  });
  afterAll(async () => {
    if (javaPid) process.kill(javaPid, 'SIGCONT'); // never leave the engine paused behind a failed test
    ctx?.db.destroy();
    await rt?.stop();
  });

  const post = (apiKey: string, alertKey: string, headers: Record<string, string> = {}) =>
    client.postEvent({ apiKey, eventType: 'ALERT', alertKey, summary: alertKey }, '/api/events', headers);

  /** Toggles the queue proxy and waits until the runtime says it did (its n-th notice). */
  const toggleQueue = async (notice: string) => {
    const seen = rt.errors().split(notice).length;
    rt.signal('SIGUSR2');
    await until(notice, () => rt.errors().split(notice).length > seen);
  };

  describe('Idempotency-Key', () => {
    it('does not replay a first request that failed: with the queue cut, no repeat gets a 202 for an event that does not exist', async () => {
      const source = await client.createSource({ rateLimitPerMinute: 100_000 });
      await toggleQueue('the queue is now unreachable');
      try {
        const first = post(source.integrationKey, 'cut', { 'idempotency-key': 'cut-1' });
        // Repeats spread over the first request's life (claim, record, failed send, withdraw), where a replay went wrong.
        const repeats = Array.from({ length: 12 }, (_, i) =>
          new Promise((r) => setTimeout(r, i * 5)).then(() => post(source.integrationKey, 'cut', { 'idempotency-key': 'cut-1' })),
        );
        const replies = await Promise.all([first, ...repeats]);
        expect(replies.some((r) => r.status === 503 && r.body.code === 'QUEUE_UNAVAILABLE')).toBe(true);
        for (const reply of replies) {
          if (reply.status === 202) expect((await client.event(reply.body.eventId)).status).toBe(200);
          else expect([409, 503]).toContain(reply.status);
        }
        expect(replies.filter((r) => r.status === 202)).toEqual([]);
      } finally {
        await toggleQueue('the queue is now reachable again');
      }
      // The failed requests released the key: the caller's retry is accepted, not replayed, and applied.
      const retry = await post(source.integrationKey, 'cut', { 'idempotency-key': 'cut-1' });
      expect(retry.status).toBe(202);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      const [record] = await client.applied([retry.body.eventId], 30_000);
      expect(record.outcome).toBe('CREATED');
      const again = await post(source.integrationKey, 'cut', { 'idempotency-key': 'cut-1' });
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.eventId).toBe(retry.body.eventId);
    });

    const writeClaim = (sourceId: string, key: string, eventId: string, leaseUntil: number) =>
      ctx.db.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: {
            ...idempotencyKeys.item(sourceId, key),
            eventId,
            alertKey: 'dead',
            state: 'PENDING',
            leaseUntil,
            expiresAt: Math.floor(Date.now() / 1000) + 3600,
          },
        }),
      );

    it('takes over a pending claim whose owner died (kill -9 between claim and record) once its lease ran out', async () => {
      const source = await client.createSource();
      await writeClaim(source.id, 'orphan', '0000000000000-dead-owner', Date.now() - 1000);
      const { value: reply, ms } = await timed(() => post(source.integrationKey, 'orphan', { 'idempotency-key': 'orphan' }));
      expect(reply.status).toBe(202);
      expect(reply.headers.get('idempotent-replayed')).toBeNull();
      expect(reply.body.eventId).not.toBe('0000000000000-dead-owner');
      expect(ms).toBeLessThan(5000);
      const [record] = await client.applied([reply.body.eventId], 30_000);
      expect(record.outcome).toBe('CREATED');
      const again = await post(source.integrationKey, 'orphan', { 'idempotency-key': 'orphan' });
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.eventId).toBe(reply.body.eventId);
    });

    it('takes over the claim of a dead owner of several events only if none of them is applied: all or none', async () => {
      // The dead owner recorded its three events and sent their message, then died before it answered.
      const source = await client.createSource();
      const receivedAt = new Date().toISOString();
      const stale = ['dead-0', 'dead-1', 'dead-2'].map((alertKey) =>
        toAcceptedEvent({ eventType: 'ALERT', alertKey, summary: alertKey } as EventInput, {
          eventId: eventId(),
          alertSourceId: source.id,
          receivedAt,
          generatedAlertKey: newId(),
        }),
      );
      const store = new EventStore(ctx);
      for (const event of stale) await store.recordQueued(event);
      await ctx.db.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: {
            ...idempotencyKeys.item(source.id, 'dead-payload'),
            eventId: stale[0].eventId,
            alertKey: 'dead-0',
            eventIds: stale.map((e) => e.eventId),
            alertKeys: stale.map((e) => e.alertKey),
            state: 'PENDING',
            leaseUntil: Date.now() - 1000,
            expiresAt: Math.floor(Date.now() / 1000) + 3600,
          },
        }),
      );
      const sqs = createSqsClient({ endpoint: rt.info.sqsEndpoint });
      await new EventQueue(sqs, rt.info.queueUrl).sendAll(stale);
      sqs.destroy();
      // The repeat takes the claim over; the processor gets the message right after the first withdrawal.
      const events = processorAfterFirstWithdrawal(store, () => stale[2].eventId);
      const claimed = await claimKey({ idempotency: new IdempotencyStore(ctx), events, now: () => new Date() }, source.id, 'dead-payload', {
        eventId: 'new-0',
        alertKey: 'new-0',
      });
      const marker = await post(source.integrationKey, 'marker');
      await client.applied([marker.body.eventId], 30_000);
      const keys = (await client.alerts(`alertSourceId=${source.id}`)).body.items.map((alert: { alertKey: string }) => alert.alertKey).sort();
      // Either the stale events are the key's answer (all applied), or the key changed hands and none was applied.
      if (claimed) expect([claimed.eventIds, keys]).toEqual([stale.map((e) => e.eventId), ['dead-0', 'dead-1', 'dead-2', 'marker']]);
      else expect(keys).toEqual(['marker']);
    });

    it('answers 409 with Retry-After, after a short wait, while a live first request holds the key', async () => {
      const source = await client.createSource();
      await writeClaim(source.id, 'busy', '0000000000000-busy-owner', Date.now() + 60_000);
      const { value: reply, ms } = await timed(() => post(source.integrationKey, 'busy', { 'idempotency-key': 'busy' }));
      expect(reply.status).toBe(409);
      expect(reply.body).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_IN_USE' });
      expect(reply.headers.get('retry-after')).toBe('1');
      expect(ms).toBeLessThan(5000);
    });
  });

  it('answers 202 when the send failed but the queue took the message (the withdraw finds it applied)', async () => {
    // ingestEvent with the runtime's store and queue; the queue adapter delivers, waits until the runtime's processor
    // applied the event, then fails as a send whose answer was lost does.
    Object.assign(process.env, {
      TABLE_NAME: rt.info.tableName,
      QUEUE_URL: rt.info.queueUrl,
      DYNAMODB_ENDPOINT: rt.info.dynamoDbEndpoint,
      SQS_ENDPOINT: rt.info.sqsEndpoint,
    });
    // Loaded only now: the handler module reads its configuration when first loaded, as in Lambda.
    const { ingestEvent } = require('../../lambdas/handlers/ingest') as typeof IngestHandler;
    const source = await client.createSource();
    const events = new EventStore(ctx);
    const sqs = createSqsClient({ endpoint: rt.info.sqsEndpoint });
    const queue = new EventQueue(sqs, rt.info.queueUrl);
    const sources = new AlertSourceStore(ctx);
    const request = {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'lost-answer', summary: 'lost answer' }),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const answer = await ingestEvent(request, {
      findSource: (key) => sources.getByIntegrationKey(key),
      events,
      idempotency: new IdempotencyStore(ctx),
      rateLimits: { take: async () => ({ allowed: true, limit: 100, remaining: 99 }) },
      queue: {
        sendAll: async ([event]) => {
          await queue.send(event);
          await until('the event applied', async () => (applied(await events.get(event.eventId)) ? true : undefined), 30_000);
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
        },
      },
      now: () => new Date(),
      fetchText: async () => '',
    });
    sqs.destroy();
    expect(answer.statusCode).toBe(202);
    const body = JSON.parse(answer.body as string);
    expect((await client.event(body.eventId)).body.outcome).toBe('CREATED');
  });

  describe('a payload of several events whose send failed although the queue took the message', () => {
    /** acceptEvents with the runtime's store and queue; the queue adapter delivers the message, then fails as a send whose answer was lost does. */
    async function acceptLostSend(events: EventStore, sourceKey: string, inputs: EventInput[], sent: string[] = []) {
      Object.assign(process.env, {
        TABLE_NAME: rt.info.tableName,
        QUEUE_URL: rt.info.queueUrl,
        DYNAMODB_ENDPOINT: rt.info.dynamoDbEndpoint,
        SQS_ENDPOINT: rt.info.sqsEndpoint,
      });
      const { acceptEvents } = require('../../lambdas/handlers/accept') as typeof AcceptHandler;
      const { HttpError } = require('../../lambdas/handlers/http') as typeof Http;
      const sources = new AlertSourceStore(ctx);
      const sqs = createSqsClient({ endpoint: rt.info.sqsEndpoint });
      const queue = new EventQueue(sqs, rt.info.queueUrl);
      try {
        const deps = {
          findSource: (key: string) => sources.getByIntegrationKey(key),
          events,
          idempotency: new IdempotencyStore(ctx),
          rateLimits: { take: async () => ({ allowed: true as const, limit: 100, remaining: 99 }) },
          queue: {
            sendAll: async (accepted: AcceptedEvent[]) => {
              await queue.sendAll(accepted);
              sent.push(...accepted.map((event) => event.eventId));
              throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
            },
          },
          now: () => new Date(),
          fetchText: async () => '',
        };
        return await acceptEvents(deps, inputs, sourceKey, undefined).then(
          ({ answer }) => ({ status: 202, eventIds: answer.eventIds ?? [] }),
          (error: unknown) => ({ status: error instanceof HttpError ? error.status : 500, eventIds: [] as string[] }),
        );
      } finally {
        sqs.destroy();
      }
    }

    it('is applied whole with a 202, or not at all with a 503, when the processor takes the message right after the first withdrawal', async () => {
      const source = await client.createSource();
      const inputs = ['part-0', 'part-1', 'part-2'].map((alertKey) => ({ eventType: 'ALERT', alertKey, summary: alertKey }) as EventInput);
      // The event store as ingest sees it: the processor gets the message right after the first withdrawal.
      const sent: string[] = [];
      const events = processorAfterFirstWithdrawal(new EventStore(ctx), () => sent.at(-1)!);
      const reply = await acceptLostSend(events, source.integrationKey, inputs, sent);
      // A marker after the payload on the same source (FIFO): once it is applied, the payload's message was handled.
      const marker = await post(source.integrationKey, 'marker');
      await client.applied([marker.body.eventId], 30_000);
      const list = await client.alerts(`alertSourceId=${source.id}`);
      const keys = list.body.items.map((alert: { alertKey: string }) => alert.alertKey).sort();
      if (reply.status === 202) expect(keys).toEqual(['marker', 'part-0', 'part-1', 'part-2']);
      else expect({ status: reply.status, keys }).toEqual({ status: 503, keys: ['marker'] });
    });

    it('answers 202 and applies them all when the processor took the message before the withdrawal', async () => {
      const source = await client.createSource();
      const inputs = ['taken-0', 'taken-1', 'taken-2'].map((alertKey) => ({ eventType: 'ALERT', alertKey, summary: alertKey }) as EventInput);
      const store = new EventStore(ctx);
      // The withdrawal waits until the processor applied the first event (the message was taken).
      const events = new Proxy(store, {
        get(target, name, receiver) {
          const value = Reflect.get(target, name, receiver) as unknown;
          if (typeof name !== 'string' || !name.startsWith('withdraw') || typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            const firstId = ([] as unknown[]).concat(args[0])[0] as string;
            await until('the first event applied', async () => (applied(await store.get(firstId)) ? true : undefined), 30_000);
            return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          };
        },
      });
      const reply = await acceptLostSend(events, source.integrationKey, inputs);
      expect(reply.status).toBe(202);
      const records = await client.applied(reply.eventIds, 30_000);
      expect(records.map((r) => r.outcome)).toEqual(['CREATED', 'CREATED', 'CREATED']);
    });
  });

  it('with DynamoDB paused: ingest answers within 5 s, 503 where it needs the store, the API a 503 JSON error, and every 202 is applied after it resumes', async () => {
    const source = await client.createSource();
    const unseen = await client.createSource();
    const accepted: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await post(source.integrationKey, `paused-${i}`);
      expect(res.status).toBe(202);
      accepted.push(res.body.eventId);
    }
    javaPid = Number(readFileSync(join(rt.dataDir, 'dynamodb.pid'), 'utf8'));
    process.kill(javaPid, 'SIGSTOP');
    try {
      // Ingest writes nothing to the store for an event (the journal is a file): a source it knows, with rate-limit
      // tokens in hand, is still served; one it has never looked up, or out of tokens, needs the store.
      const replies = await Promise.all([0, 1, 2].map((i) => timed(() => post(source.integrationKey, `paused-new-${i}`))));
      for (const { value: res, ms } of replies) {
        expect(ms).toBeLessThan(5000);
        if (res.status === 202) accepted.push(res.body.eventId);
        else expect([res.status, res.body]).toEqual([503, expect.objectContaining({ status: 503, code: 'STORE_UNAVAILABLE' })]);
      }
      const { value: refused, ms: refusedMs } = await timed(() => post(unseen.integrationKey, 'paused-unseen'));
      expect([refused.status, refused.body]).toEqual([503, expect.objectContaining({ status: 503, code: 'STORE_UNAVAILABLE' })]);
      expect(refusedMs).toBeLessThan(5000);
      const { value: list, ms } = await timed(() => client.alerts(`alertSourceId=${source.id}`));
      expect(list.status).toBe(503);
      expect(list.body).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
      expect(list.headers.get('retry-after')).toBe('1');
      expect(ms).toBeLessThan(10_000);
    } finally {
      process.kill(javaPid, 'SIGCONT');
      javaPid = 0;
    }
    const records = await client.applied(accepted, 90_000);
    expect(records.map((r) => r.outcome)).toEqual(accepted.map(() => 'CREATED'));
    const after = await post(source.integrationKey, 'resumed');
    expect(after.status).toBe(202);
  });
});
