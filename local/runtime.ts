// The whole pipeline on one machine: DynamoDB Local, the FIFO queues, the HTTP gateway, the pollers, and crash recovery.
import { createSqsClient } from '../lambdas/queue/event-queue';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { startDynamoDbLocal, ensureTable } from './dynamodb';
import { createGateway } from './gateway';
import { startPollers } from './poller';
import { startFaultProxy } from './fault-proxy';
import { startLocalQueues } from './queue';
import { ensurePrivateDir } from './private-dir';

export interface RuntimeOptions {
  port: number;
  host: string;
  dataDir: string;
  dynamoDbPort: number;
  sqsPort: number;
  adminToken: string;
  pollers: number;
  visibilityTimeoutSeconds: number;
  /** Fault rehearsal: the share of processed batches whose acknowledgement is dropped, as if the process died in between. */
  loseAcks?: number;
  log: (line: string) => void;
}

export interface Runtime {
  url: string;
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  tableName: string;
  recovered: number;
  stop: () => Promise<void>;
}

export const TABLE_NAME = 'alertline';

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const dataDir = resolve(options.dataDir);
  // It holds the database (every integration key), the demo source's marker and runtime.json: no other user may read it.
  ensurePrivateDir(dataDir);
  const dynamo = await startDynamoDbLocal({ dataDir, port: options.dynamoDbPort, log: options.log });
  const cleanups: Array<() => Promise<void>> = [dynamo.stop];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    await ensureTable(dynamo.endpoint, TABLE_NAME);
    const queues = await startLocalQueues({ port: options.sqsPort, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds, name: 'alertline-events' });
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

    // The handlers read their configuration when first loaded, exactly as in Lambda: set it, then load them.
    Object.assign(process.env, {
      TABLE_NAME,
      QUEUE_URL: queues.queueUrl,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      SQS_ENDPOINT: proxy.endpoint,
      ADMIN_TOKEN: options.adminToken,
      MAX_RECEIVE_COUNT: '5',
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    });
    const [ingest, api, processor] = await Promise.all([
      import('../lambdas/handlers/ingest.js'),
      import('../lambdas/handlers/api.js'),
      import('../lambdas/handlers/processor.js'),
    ]);
    const { recoverQueuedEvents } = await import('./recovery.js');
    const recovered = await recoverQueuedEvents();

    const pollers = startPollers({
      sqs: createSqsClient({ endpoint: proxy.endpoint }),
      queueUrl: queues.queueUrl,
      count: options.pollers,
      loseAcks: options.loseAcks,
      handler: processor.handler,
      onError: (e) => options.log(`poller: ${(e as Error).message}`),
    });
    cleanups.push(pollers.stop);

    const server = createGateway({ ingest: ingest.handler, api: api.handler });
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
    const runtime = {
      url,
      dynamoDbEndpoint: dynamo.endpoint,
      sqsEndpoint: proxy.endpoint,
      queueUrl: queues.queueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      tableName: TABLE_NAME,
      recovered,
    };
    // Tools (bench, dead-letter CLI, tests) find the running endpoints here.
    writeFileSync(join(dataDir, 'runtime.json'), JSON.stringify({ ...runtime, pid: process.pid }, null, 2));
    return { ...runtime, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
