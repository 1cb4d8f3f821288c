// Runs the SQS-compatible server (fauxqs) in this process on 127.0.0.1, with the FIFO queue and its FIFO dead-letter queue as the stack creates them.
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';

export interface LocalQueues {
  endpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  stop: () => Promise<void>;
}

export const MAX_RECEIVE_COUNT = 5;

const LOOPBACK = '127.0.0.1';

export async function startLocalQueues(options: { port: number; visibilityTimeoutSeconds: number; name: string }): Promise<LocalQueues> {
  // fauxqs ships as an ES module only; a dynamic import loads it from this CommonJS-compiled code. Its startFauxqs()
  // listens on 0.0.0.0 whatever host it is given, so the runtime builds its app and listens on loopback itself:
  // nothing on the network may read or send the queued events.
  const { buildApp } = await import('fauxqs');
  // `host` only shapes the queue URLs (http://sqs.<region>.127.0.0.1:<port>/...), as startFauxqs made them.
  const app = buildApp({ logger: false, host: LOOPBACK });
  const endpoint = await app.listen({ port: options.port, host: LOOPBACK });
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const dlq = await createQueue(sqs, `${options.name}-dlq.fifo`, { FifoQueue: 'true', MessageRetentionPeriod: '1209600' });
    const queue = await createQueue(sqs, `${options.name}.fifo`, {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      VisibilityTimeout: String(options.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: String(MAX_RECEIVE_COUNT) }),
    });
    return { endpoint, queueUrl: queue.url, deadLetterQueueUrl: dlq.url, stop: () => app.close() };
  } catch (error) {
    await app.close();
    throw error;
  } finally {
    sqs.destroy();
  }
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: Attributes!.QueueArn! };
}
