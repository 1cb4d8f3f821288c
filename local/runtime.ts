// The whole pipeline on one machine: DynamoDB Local, the FIFO queues, the HTTP gateway, the pollers, and crash recovery.
import { SQSClient } from '@aws-sdk/client-sqs';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { startDynamoDbLocal, ensureTable } from './dynamodb';
import { createGateway } from './gateway';
import { startPollers } from './poller';
import { startLocalQueues } from './queue';

export interface RuntimeOptions {
  port: number;
  host: string;
  dataDir: string;
  dynamoDbPort: number;
  sqsPort: number;
  adminToken: string;
  pollers: number;
  visibilityTimeoutSeconds: number;
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
  mkdirSync(dataDir, { recursive: true });
  const dynamo = await startDynamoDbLocal({ dataDir, port: options.dynamoDbPort });
  const cleanups: Array<() => Promise<void>> = [dynamo.stop];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    await ensureTable(dynamo.endpoint, TABLE_NAME);
    const queues = await startLocalQueues({ port: options.sqsPort, visibilityTimeoutSeconds: options.visibilityTimeoutSeconds, name: 'alertline-events' });
    cleanups.push(queues.stop);

    // The handlers read their configuration when first loaded, exactly as in Lambda: set it, then load them.
    Object.assign(process.env, {
      TABLE_NAME,
      QUEUE_URL: queues.queueUrl,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      SQS_ENDPOINT: queues.endpoint,
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

    const sqs = new SQSClient({ endpoint: queues.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const pollers = startPollers({
      sqs,
      queueUrl: queues.queueUrl,
      count: options.pollers,
      handler: processor.handler,
      onError: (e) => options.log(`poller: ${(e as Error).message}`),
    });
    cleanups.push(pollers.stop);

    const server = createGateway({ ingest: ingest.handler, api: api.handler });
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(options.port, options.host, ok));
    cleanups.push(
      () =>
        new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeIdleConnections();
        }),
    );
    const url = `http://${options.host}:${(server.address() as AddressInfo).port}`;
    const runtime = {
      url,
      dynamoDbEndpoint: dynamo.endpoint,
      sqsEndpoint: queues.endpoint,
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
