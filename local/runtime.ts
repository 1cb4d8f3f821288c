// The whole pipeline on one machine: DynamoDB Local, the queues, the HTTP gateway, the pollers, the escalator's timer, and
// crash recovery.
// Each handler is built from a configuration made here (no process.env), so several runtimes can share one process.
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { DEFAULTS, ESCALATION_TICK, LOCAL_NAMES, QUEUE } from '../lambdas/contract';
import { createApiHandler } from '../lambdas/handlers/api';
import { createQueueClient } from '../lambdas/handlers/clients';
import { createTick } from '../lambdas/handlers/escalator';
import { createNotifierBatch } from '../lambdas/handlers/notifier';
import { createIngestHandler, type IngestDeps } from '../lambdas/handlers/ingest';
import { createProcessorHandler } from '../lambdas/handlers/processor';
import { createRecovery } from '../lambdas/handlers/recovery';
import { startDynamoDbLocal, ensureTable } from './dynamodb';
import { createGateway } from './gateway';
import { startPollers } from './poller';
import { startFaultProxy } from './fault-proxy';
import { ensureQueues, startLocalQueues } from './queue';
import { ensurePrivateDir } from './private-dir';
import { actionSecretIn, startTicker } from './escalation';
import { FileEventJournal, settlingHandled } from '../lambdas/handlers/event-journal';

export interface RuntimeOptions {
  port: number;
  host: string;
  dataDir: string;
  dynamoDbPort: number;
  sqsPort: number;
  /** DYNAMODB_ENDPOINT: an existing DynamoDB (another DynamoDB Local) instead of starting one; the table is created there when missing. */
  dynamoDbEndpoint?: string;
  /** SQS_ENDPOINT: an existing SQS-compatible server instead of starting one; the queues are created there when missing. */
  sqsEndpoint?: string;
  adminToken: string;
  pollers: number;
  visibilityTimeoutSeconds: number;
  /** How long the handlers reuse an alert source they read. @default DEFAULTS.sourceCacheTtlMs of the contract */
  sourceCacheTtlMs?: number;
  /** Replaces some of the ingest handler's dependencies (an in-process test injects the inbound adapters' fetchText). */
  ingestDeps?: Partial<IngestDeps>;
  /**
   * false: as in AWS, for the tests of that mode: no journal, GET /api/events/{id} answers QUEUED from the id until the
   * processor writes the record, and crash recovery has nothing to re-enqueue. @default true: every accepted event is
   * appended to the journal in the data folder (`journal/`), as the in-memory queue needs (see lambdas/handlers/event-journal.ts)
   */
  recoverableEvents?: boolean;
  /** How many events a journal segment file holds before the next one is begun. @default 10000 */
  journalSegmentEvents?: number;
  /**
   * The processor writes events with single conditional writes, as in AWS (see ProcessorConfig.singleWrites).
   * @default !recoverableEvents: in AWS mode, yes; otherwise one transaction per round, faster on DynamoDB Local
   */
  singleWrites?: boolean;
  /** ALLOW_PRIVATE_WEBHOOK_TARGETS: contacts may target http: and loopback/private addresses (on-premises receivers, tests). */
  allowPrivateWebhookTargets?: boolean;
  /** Milliseconds since the epoch, for every handler built here: tests pass a manual clock and step it. @default Date.now */
  clock?: () => number;
  /** ESCALATION_TICK_SECONDS: how often the escalator runs; 0 never (tests call tick()). @default 15 */
  escalationTickSeconds?: number;
  /** PUBLIC_URL: the base of links in notifications. @default the runtime's own URL */
  publicUrl?: string;
  /** ACTION_SECRET: signs action links. @default generated at the first start and kept in the data folder */
  actionSecret?: string;
  /** SMTP_URL: where email notifications go (e.g. smtp://127.0.0.1:2525); absent, they fail with a clear error. */
  smtpUrl?: string;
  /** EMAIL_SENDER: the From of email notifications. */
  emailSender?: string;
  /** Fault rehearsal: the share of processed batches whose acknowledgement is dropped, as if the process died in between. */
  loseAcks?: number;
  /** The seed of those drops, so that a rehearsal drops the same batches on every run; unset: unseeded chance. */
  faultSeed?: number;
  log: (line: string) => void;
}

export interface Runtime {
  url: string;
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  notificationQueueUrl: string;
  notificationDeadLetterQueueUrl: string;
  tableName: string;
  recovered: number;
  /** One escalator tick now, with the runtime's clock: runs the escalation jobs due. */
  tick: () => Promise<{ ran: number; failed: number }>;
  stop: () => Promise<void>;
}

export const TABLE_NAME = LOCAL_NAMES.table;

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const dataDir = resolve(options.dataDir);
  // It holds the database (every integration key), the demo source's marker and runtime.json: no other user may read it.
  ensurePrivateDir(dataDir);
  const dynamo = options.dynamoDbEndpoint
    ? { endpoint: options.dynamoDbEndpoint, stop: async () => undefined }
    : await startDynamoDbLocal({ dataDir, port: options.dynamoDbPort, log: options.log });
  const cleanups: Array<() => Promise<void>> = [dynamo.stop];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const table = await ensureTable(dynamo.endpoint, TABLE_NAME);
    if (table.indexesBuilt.length > 0) options.log(`table ${TABLE_NAME}: built the missing indexes ${table.indexesBuilt.join(', ')}`);
    const queueNames = { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds, name: LOCAL_NAMES.queue, notificationName: LOCAL_NAMES.notificationQueue };
    const queues = options.sqsEndpoint
      ? await ensureQueues({ ...queueNames, endpoint: options.sqsEndpoint })
      : await startLocalQueues({ ...queueNames, port: options.sqsPort });
    cleanups.push(queues.stop);
    // Handlers and pollers reach the queue through a proxy that SIGUSR2 can cut, to rehearse a queue outage.
    const proxy = await startFaultProxy(new URL(queues.endpoint));
    cleanups.push(proxy.stop);
    const toggleQueue = () => {
      proxy.setDown(!proxy.isDown());
      options.log(`fault: the queue is now ${proxy.isDown() ? 'unreachable' : 'reachable again'}`);
    };
    process.on('SIGUSR2', toggleQueue);
    cleanups.push(async () => void process.off('SIGUSR2', toggleQueue));

    const store = { tableName: TABLE_NAME, dynamoDbEndpoint: dynamo.endpoint };
    const queue = { queueUrl: queues.queueUrl, sqsEndpoint: proxy.endpoint };
    const engine = { notificationQueueUrl: queues.notificationQueueUrl, sqsEndpoint: proxy.endpoint, clock: options.clock };
    const actionSecret = { value: actionSecretIn(dataDir, options.actionSecret) };
    const allowPrivateWebhookTargets = options.allowPrivateWebhookTargets ?? false;
    const sourceCacheTtlMs = options.sourceCacheTtlMs ?? DEFAULTS.sourceCacheTtlMs;
    // The local queue lives in memory: every accepted event is journaled on disk before its 202, and a restart sends
    // again those the processor was not done with. The api answers QUEUED for the journal's events, and heartbeats
    // journal theirs the same way.
    const recoverableEvents = options.recoverableEvents ?? true;
    const journal = recoverableEvents ? FileEventJournal.open(join(dataDir, 'journal'), { segmentEvents: options.journalSegmentEvents }) : undefined;
    if (journal) cleanups.push(() => journal.close());
    const ingest = createIngestHandler({ ...store, ...queue, sourceCacheTtlMs, journal }, options.ingestDeps);
    const api = createApiHandler({
      ...store,
      ...engine,
      adminToken: { token: options.adminToken },
      allowPrivateWebhookTargets,
      actionSecret,
      publicUrl: options.publicUrl,
      queueUrl: queues.queueUrl,
      journal,
    });
    // As in AWS (no journal), single writes; otherwise a round's one transaction.
    const singleWrites = options.singleWrites ?? !recoverableEvents;
    const processor = createProcessorHandler({
      ...store,
      ...engine,
      sourceCacheTtlMs,
      maxReceiveCount: QUEUE.maxReceiveCount,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      singleWrites,
    });
    const recovered = await createRecovery({ ...store, ...queue }, journal, options.log)();

    const sqs = createQueueClient({ endpoint: proxy.endpoint });
    const pollers = startPollers({
      sqs,
      queueUrl: queues.queueUrl,
      count: options.pollers,
      loseAcks: options.loseAcks,
      faultSeed: options.faultSeed,
      handler: journal ? settlingHandled(journal, processor) : processor,
      onError: (e) => options.log(`poller: ${(e as Error).message}`),
    });
    cleanups.push(async () => {
      await pollers.stop();
      sqs.destroy();
    });

    const server = createGateway({ ingest, api });
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(options.port, options.host, ok));
    cleanups.push(
      () =>
        new Promise<void>((ok) => {
          // Requests under way get their answers; keep-alive connections that go on sending get cut after a grace period.
          const cut = setTimeout(() => server.closeAllConnections(), 2000);
          server.close(() => (clearTimeout(cut), ok()));
          server.closeIdleConnections();
        }),
    );
    const url = `http://${options.host}:${(server.address() as AddressInfo).port}`;
    const notifier = createNotifierBatch({
      ...store,
      ...engine,
      publicUrl: options.publicUrl ?? url,
      actionSecret,
      smtpUrl: options.smtpUrl,
      emailSender: options.emailSender,
      allowPrivateWebhookTargets,
    });
    const notificationPollers = startPollers({
      sqs,
      queueUrl: queues.notificationQueueUrl,
      count: 1,
      handler: notifier,
      functionName: 'notifier',
      onError: (e) => options.log(`notification poller: ${(e as Error).message}`),
    });
    cleanups.push(() => notificationPollers.stop());
    const tick = createTick({ ...store, ...engine, queueUrl: queues.queueUrl, journal });
    const ticker = startTicker(options.escalationTickSeconds ?? ESCALATION_TICK.localSecondsDefault, tick, (e) =>
      options.log(`escalator: ${(e as Error).message}`),
    );
    cleanups.push(() => ticker.stop());
    const runtime = {
      url,
      dynamoDbEndpoint: dynamo.endpoint,
      sqsEndpoint: proxy.endpoint,
      queueUrl: queues.queueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      notificationQueueUrl: queues.notificationQueueUrl,
      notificationDeadLetterQueueUrl: queues.notificationDeadLetterQueueUrl,
      tableName: TABLE_NAME,
      recovered,
    };
    // Tools (bench, dead-letter CLI, tests) find the running endpoints here.
    writeFileSync(join(dataDir, 'runtime.json'), JSON.stringify({ ...runtime, pid: process.pid }, null, 2));
    return { ...runtime, tick, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
