// Runs the SQS-compatible server (fauxqs) in this process with the FIFO queue and its FIFO dead-letter queue, as the stack creates them.

export interface LocalQueues {
  endpoint: string;
  queueUrl: string;
  deadLetterQueueUrl: string;
  stop: () => Promise<void>;
}

export const MAX_RECEIVE_COUNT = 5;

export async function startLocalQueues(options: { port: number; visibilityTimeoutSeconds: number; name: string }): Promise<LocalQueues> {
  // fauxqs ships as an ES module only; a dynamic import loads it from this CommonJS-compiled code.
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({ port: options.port, host: '127.0.0.1', logger: false });
  const dlq = server.createQueue(`${options.name}-dlq.fifo`, {
    attributes: { FifoQueue: 'true', MessageRetentionPeriod: '1209600' },
  });
  const queue = server.createQueue(`${options.name}.fifo`, {
    attributes: {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'false',
      VisibilityTimeout: String(options.visibilityTimeoutSeconds),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(MAX_RECEIVE_COUNT) }),
    },
  });
  return {
    endpoint: server.address,
    queueUrl: queue.queueUrl,
    deadLetterQueueUrl: dlq.queueUrl,
    stop: () => server.stop(),
  };
}
