// What an event costs in AWS, measured on the local pipeline: the real handlers against DynamoDB Local and the local
// queue, in this process, invoked the way AWS invokes them (one ingest invocation per request, processor batches of up
// to 10), with the units, requests, invocations and log bytes counted per event type and for the mix.
// The handlers log at the level the stack deploys (DEPLOYED_LOG_LEVEL) with metrics on; their JSON lines are counted
// and kept off the terminal.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS, DEPLOYED_LOG_LEVEL, LOCAL_NAMES, QUEUE } from '../lambdas/contract';
import { freePortPair } from '../local/child';
import { ensureTable, startDynamoDbLocal } from '../local/dynamodb';
import { createGateway } from '../local/gateway';
import { lambdaContext } from '../local/lambda-context';
import { toRecord } from '../local/poller';
import { startLocalQueues } from '../local/queue';
import { costOf, type Cost, type Counts } from './prices';
import { LoadApi } from './load';
import type { Usage } from '../lambdas/shared/usage';

export const EVENT_KINDS = ['new alert', 'append', 'comment', 'accept', 'no-op', 'resolve'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** The mix the cost targets are stated for: 70% appends to an open alert, 10% new alerts, 10% ACCEPT, 10% RESOLVE. */
export const COST_MIX_LABEL = 'mix (70% append, 10% new, 10% accept, 10% resolve)';

export interface KindCost {
  kind: string;
  counts: Counts;
  cost: Cost;
  /** Per event. */
  wru: number;
  rru: number;
  sqsRequests: number;
  invocations: number;
  /** Items of transactions sized without their old version (an estimate; see store/capacity.ts). */
  itemsEstimated: number;
  /** Write and read units per event, by function (UNSCOPED: the queue's receives and deletes). */
  byFunction: Record<string, { wru: number; rru: number }>;
}

/** ~500 bytes of event: the size the issue's figures are stated for. */
const DETAILS = 'Disk usage on /var crossed 90% (92.4%). Top directories: /var/log 41 GB, /var/lib/docker 33 GB, /var/cache 7 GB. '.repeat(3);

/** The log lines the handlers write (JSON: Powertools' logs and metrics), counted and swallowed; anything else passes. */
function captureJsonLines() {
  let bytes = 0;
  let lines = 0;
  const originals = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  const filter =
    (original: typeof originals.out) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (!text.startsWith('{')) return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
      for (const line of text.split('\n').filter((l) => l !== '')) {
        bytes += Buffer.byteLength(line);
        lines++;
      }
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
  process.stdout.write = filter(originals.out) as typeof process.stdout.write;
  process.stderr.write = filter(originals.err) as typeof process.stderr.write;
  return {
    read: () => ({ bytes, lines }),
    restore: () => {
      process.stdout.write = originals.out as typeof process.stdout.write;
      process.stderr.write = originals.err as typeof process.stderr.write;
    },
  };
}

const sum = (usages: Record<string, Usage>, key: keyof Usage) => Object.values(usages).reduce((s, u) => s + u[key], 0);

/** Paging, counted apart from the mix: a new alert whose policy notifies one webhook contact at level 1. */
export const PAGING_LABEL = 'new alert paging 1 webhook (not in the mix)';

/** A webhook receiver that answers 200 to everything. */
async function startReceiver(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end('ok')));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((ok) => server.close(() => ok())) };
}

/** Imports the handlers with Powertools set as the stack deploys them, then puts the environment back for the bench's runtime. */
async function importHandlers() {
  const saved = { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL, POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED };
  process.env.POWERTOOLS_LOG_LEVEL = DEPLOYED_LOG_LEVEL;
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  try {
    return await import('./cost-handlers.js');
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export async function measureCosts(options: { perKind: number; mixKeys: number; sources: number; log: (line: string) => void }): Promise<KindCost[]> {
  const handlers = await importHandlers();
  const dataDir = mkdtempSync(join(tmpdir(), 'alertline-cost-'));
  const cleanups: Array<() => Promise<unknown> | void> = [() => rmSync(dataDir, { recursive: true, force: true })];
  const capture = captureJsonLines();
  cleanups.push(() => capture.restore());
  try {
    const dynamo = await startDynamoDbLocal({ dataDir, port: await freePortPair(), log: options.log });
    cleanups.push(dynamo.stop);
    await ensureTable(dynamo.endpoint, LOCAL_NAMES.table);
    const queues = await startLocalQueues({
      port: 0,
      visibilityTimeoutSeconds: QUEUE.localVisibilityTimeoutSeconds,
      name: LOCAL_NAMES.queue,
      notificationName: LOCAL_NAMES.notificationQueue,
    });
    cleanups.push(queues.stop);
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    // The handlers need the gateway's URL (links in notifications): the gateway reaches them through this holder.
    const built: { handlers?: ReturnType<typeof handlers.build> } = {};
    const server = createGateway({ ingest: (...args) => built.handlers!.ingest(...args), api: (...args) => built.handlers!.api(...args) });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    cleanups.push(() => new Promise((ok) => server.close(ok)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const adminToken = 'cost-measurement-token';
    const handlersOf = handlers.build(
      {
        tableName: LOCAL_NAMES.table,
        dynamoDbEndpoint: dynamo.endpoint,
        queueUrl: queues.queueUrl,
        notificationQueueUrl: queues.notificationQueueUrl,
        sqsEndpoint: queues.endpoint,
        publicUrl: url,
      },
      adminToken,
    );
    built.handlers = handlersOf;
    cleanups.push(() => handlersOf.sqs.destroy());
    const api = new LoadApi(url, adminToken);
    const sources: Array<{ integrationKey: string }> = [];
    for (let i = 0; i < options.sources; i++) sources.push(await api.createSource(`cost source ${i + 1}`));

    /**
     * Posts events one at a time (one ingest invocation each, as in AWS), processes the event queue in batches of 10,
     * then the notification queue (what paging set going) until it stays empty.
     */
    const run = async (kind: string, events: Array<{ key: string; eventType: string }>, sourcesOf = sources): Promise<KindCost> => {
      const before = handlers.usageBesidesApi();
      const logBefore = capture.read();
      for (const [i, e] of events.entries()) {
        const source = sourcesOf[Number(e.key.split('-').pop()) % sourcesOf.length];
        const body = {
          apiKey: source.integrationKey,
          eventType: e.eventType,
          alertKey: e.key,
          summary: `cost ${kind} #${i}: disk usage above threshold on ${e.key}`,
          details: DETAILS,
        };
        const out = await api.postEvent(body);
        if (out.status !== 202) throw new Error(`cost measurement: POST /api/events answered ${out.status}: ${out.error}`);
      }
      await drain(handlersOf.sqs, queues.queueUrl, events.length, (records) =>
        handlersOf.processor({ Records: records.map((m) => toRecord(m, 'arn:aws:sqs:local:0:cost')) }, lambdaContext('processor')),
      );
      await drain(handlersOf.sqs, queues.notificationQueueUrl, undefined, (records) =>
        handlersOf.notifier({ Records: records.map((m) => toRecord(m, 'arn:aws:sqs:local:0:cost-notifications')) }, lambdaContext('notifier')),
      );
      const after = handlers.usageBesidesApi();
      const log = capture.read();
      const delta = (key: keyof Usage) => sum(after, key) - sum(before, key);
      const counts: Counts = {
        events: events.length,
        apiRequests: events.length,
        invocations: delta('invocations'),
        gbSeconds: (delta('billedMs') / 1000) * (DEFAULTS.memoryMb / 1024),
        sqsRequests: delta('sqsRequests'),
        wru: delta('wru'),
        rru: delta('rru'),
        handlerLogBytes: log.bytes - logBefore.bytes + (log.lines - logBefore.lines) * 26,
      };
      const per = (n: number) => n / events.length;
      return {
        kind,
        counts,
        cost: costOf(counts),
        wru: per(counts.wru),
        rru: per(counts.rru),
        sqsRequests: per(counts.sqsRequests),
        invocations: per(counts.invocations),
        itemsEstimated: delta('itemsEstimated'),
        byFunction: Object.fromEntries(
          Object.entries(after).map(([name, u]) => [name, { wru: per(u.wru - (before[name]?.wru ?? 0)), rru: per(u.rru - (before[name]?.rru ?? 0)) }]),
        ),
      };
    };

    const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    const perKind = keys('kind', options.perKind);
    const results: KindCost[] = [];
    const phases: Array<[EventKind, string]> = [
      ['new alert', 'ALERT'],
      ['append', 'ALERT'],
      ['comment', 'COMMENT'],
      ['accept', 'ACCEPT'],
      ['no-op', 'ACCEPT'],
      ['resolve', 'RESOLVE'],
    ];
    for (const [kind, eventType] of phases) {
      options.log(`cost: ${options.perKind} events of kind "${kind}"`);
      results.push(
        await run(
          kind,
          perKind.map((key) => ({ key, eventType })),
        ),
      );
    }
    // The mix: each key's life in ten events (new, 7 appends, accept, resolve), the keys' lives interleaved.
    const lifecycle = ['ALERT', 'ALERT', 'ALERT', 'ALERT', 'ALERT', 'ALERT', 'ALERT', 'ALERT', 'ACCEPT', 'RESOLVE'];
    const mixKeys = keys('mix', options.mixKeys);
    options.log(`cost: the mix, ${mixKeys.length * lifecycle.length} events`);
    results.push(
      await run(
        COST_MIX_LABEL,
        lifecycle.flatMap((eventType) => mixKeys.map((key) => ({ key, eventType }))),
      ),
    );
    options.log(`cost: ${options.perKind} new alerts that page one webhook contact`);
    const paging = await pagingSources(api, receiver.url, options.sources);
    results.push(
      await run(
        PAGING_LABEL,
        keys('paging', options.perKind).map((key) => ({ key, eventType: 'ALERT' })),
        paging,
      ),
    );
    return results;
  } finally {
    for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
  }
}

/** Alert sources whose policy notifies one user's webhook at level 1 (HIGH: with escalation). */
async function pagingSources(api: LoadApi, webhook: string, count: number): Promise<Array<{ integrationKey: string }>> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer cost-measurement-token' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`cost measurement: POST ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { id: string };
  };
  const user = await post('/api/users', { firstName: 'Cost', lastName: 'Oncall', contacts: [{ type: 'WEBHOOK', target: `${webhook}/page` }] });
  const policy = await post('/api/escalation-policies', { name: 'cost paging', escalationRules: [{ escalationTimeout: 30, users: [{ id: user.id }] }] });
  const sources: Array<{ integrationKey: string }> = [];
  for (let i = 0; i < count; i++) {
    sources.push(await api.createSource(`cost paging source ${i + 1}`, { alertPriorityRule: 'HIGH', escalationPolicy: { id: policy.id } }));
  }
  return sources;
}

/**
 * Receives batches of up to 10 (as Lambda's event source does) until `count` messages were handled and deleted, or,
 * without a count, until the queue stays empty for two receives.
 */
async function drain(
  sqs: SQSClient,
  queueUrl: string,
  count: number | undefined,
  handle: (messages: never[]) => Promise<{ batchItemFailures?: Array<{ itemIdentifier: string }> } | void>,
) {
  let handled = 0;
  let empty = 0;
  const deadline = Date.now() + 300_000;
  while (count === undefined ? empty < 2 : handled < count) {
    if (Date.now() > deadline) throw new Error(`cost measurement: only ${handled} of ${count ?? 'the'} messages were processed`);
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }),
    );
    const messages = out.Messages ?? [];
    empty = messages.length === 0 ? empty + 1 : 0;
    if (messages.length === 0) continue;
    const response = await handle(messages as never[]);
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length > 0) {
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    handled += done.length;
  }
}

/** The cost table, one row per kind of event and the mix, for the terminal and the README. */
export function costTable(results: KindCost[]): string[] {
  const f = (n: number, d = 2) => n.toFixed(d);
  const header = ['event', 'WRU', 'RRU', 'SQS req', 'invocations', 'log bytes', 'API', 'Lambda', 'SQS', 'DynamoDB', 'Logs', 'total $/M'];
  const rows = results.map((r) => {
    const p = r.cost.perMillion;
    return [
      r.kind,
      f(r.wru),
      f(r.rru),
      f(r.sqsRequests),
      f(r.invocations),
      f(r.cost.logBytes, 0),
      f(p.api),
      f(p.lambda),
      f(p.sqs),
      f(p.dynamodb),
      f(p.logs),
      f(p.total),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)];
}

/** The JSON keys of the mix (SPEC section 10). */
export function costKeys(results: KindCost[]) {
  const mix = results.find((r) => r.kind === COST_MIX_LABEL)!;
  const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
  return {
    wruPerEvent: round(mix.wru, 2),
    rruPerEvent: round(mix.rru, 2),
    sqsRequestsPerEvent: round(mix.sqsRequests, 2),
    logBytesPerEvent: Math.round(mix.cost.logBytes),
    costPerMillionUsd: round(mix.cost.perMillion.total, 2),
  };
}
