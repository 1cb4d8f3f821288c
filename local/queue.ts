// Runs the SQS-compatible server (fauxqs) in this process on 127.0.0.1, with the queues as the stack creates them: the FIFO
// event queue and its FIFO dead-letter queue, the standard notification queue and its dead-letter queue.
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as vm from 'node:vm';
import { NOTIFICATION_QUEUE, QUEUE } from '../lambdas/contract';

export interface LocalQueues {
  endpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  notificationQueueUrl: string;
  notificationDeadLetterQueueUrl: string;
  stop: () => Promise<void>;
}

const LOOPBACK = '127.0.0.1';

/**
 * fauxqs ships as an ES module only: a dynamic import loads it from this CommonJS-compiled code. A test runner's module
 * sandbox may refuse dynamic imports (Jest's does, without a Node flag); there it is loaded through Node's own loader
 * instead, so that tests can run runtimes inside their own process. Only there: Node 20 calls that loader experimental.
 */
const plainImport = () => import('fauxqs');

async function importFauxqs(): ReturnType<typeof plainImport> {
  try {
    return await plainImport();
  } catch (error) {
    if (!String((error as { code?: string }).code).startsWith('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING')) throw error;
    const nodeImport: typeof plainImport = vm.runInThisContext("() => import('fauxqs')", {
      filename: __filename,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    return nodeImport();
  }
}

export async function startLocalQueues(options: {
  port: number;
  visibilityTimeoutSeconds: number;
  name: string;
  notificationName: string;
}): Promise<LocalQueues> {
  // fauxqs's startFauxqs() listens on 0.0.0.0 whatever host it is given, so the runtime builds its app and listens on
  // loopback itself: nothing on the network may read or send the queued events.
  const { buildApp } = await importFauxqs();
  // `host` only shapes the queue URLs (http://sqs.<region>.127.0.0.1:<port>/...), as startFauxqs made them.
  const app = buildApp({ logger: false, host: LOOPBACK });
  const endpoint = await app.listen({ port: options.port, host: LOOPBACK });
  try {
    return { ...(await ensureQueues({ ...options, endpoint })), stop: () => app.close() };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/**
 * The queues on an SQS-compatible endpoint that runs already (SQS_ENDPOINT): created there when missing, used as they
 * are otherwise. Stopping the runtime leaves them.
 */
export async function ensureQueues(options: {
  endpoint: string;
  visibilityTimeoutSeconds: number;
  name: string;
  notificationName: string;
}): Promise<LocalQueues> {
  const endpoint = options.endpoint;
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const dlq = await createQueue(sqs, `${options.name}-dlq.fifo`, {
      FifoQueue: 'true',
      MessageRetentionPeriod: String(QUEUE.deadLetterRetentionDays * 24 * 3600),
    });
    const queue = await createQueue(sqs, `${options.name}.fifo`, {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      VisibilityTimeout: String(options.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: String(QUEUE.maxReceiveCount) }),
    });
    const notifications = await notificationQueues(sqs, options.notificationName, options.visibilityTimeoutSeconds);
    return { endpoint, queueUrl: queue.url, deadLetterQueueUrl: dlq.url, ...notifications, stop: async () => undefined };
  } finally {
    sqs.destroy();
  }
}

/** Standard: deliveries need no order. A message received maxReceiveCount times without success is parked. */
async function notificationQueues(sqs: SQSClient, name: string, visibilityTimeoutSeconds: number) {
  const dlq = await createQueue(sqs, `${name}-dlq`, { MessageRetentionPeriod: String(NOTIFICATION_QUEUE.deadLetterRetentionDays * 24 * 3600) });
  const queue = await createQueue(sqs, name, {
    VisibilityTimeout: String(visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: String(NOTIFICATION_QUEUE.maxReceiveCount) }),
  });
  return { notificationQueueUrl: queue.url, notificationDeadLetterQueueUrl: dlq.url };
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: Attributes!.QueueArn! };
}
