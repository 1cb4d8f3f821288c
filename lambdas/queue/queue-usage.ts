// Counts the SQS requests every call is billed for into the invocation under way (shared/usage.ts): one per 64 KiB chunk
// of what it sends or receives, at least one; a receive that returns nothing counts apart (idle long polling).
import type { SQSClient } from '@aws-sdk/client-sqs';
import { recordUsage } from '../shared/usage';

const CHUNK_BYTES = 64 * 1024;

type Input = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- every command's input, read by name

/** Bytes of a message as SQS bills them: its body and its attributes' names, types and values. */
function messageBytes(message: Input): number {
  const body = Buffer.byteLength(String(message.MessageBody ?? message.Body ?? ''), 'utf8');
  const attributes = Object.entries((message.MessageAttributes ?? {}) as Record<string, Input>).reduce(
    (sum, [name, value]) =>
      sum + Buffer.byteLength(name) + Buffer.byteLength(String(value.DataType ?? '')) + Buffer.byteLength(String(value.StringValue ?? '')),
    0,
  );
  return body + attributes;
}

const chunks = (bytes: number) => Math.max(1, Math.ceil(bytes / CHUNK_BYTES));

/** Billed requests of one call, from its input and output; undefined for an empty receive. */
export function billedRequests(commandName: string, input: Input, output: Input): number | undefined {
  switch (commandName.replace(/Command$/, '')) {
    case 'SendMessage':
      return chunks(messageBytes(input));
    case 'SendMessageBatch':
      return chunks(((input.Entries ?? []) as Input[]).reduce((sum, entry) => sum + messageBytes(entry), 0));
    case 'ReceiveMessage': {
      const messages = (output.Messages ?? []) as Input[];
      return messages.length === 0 ? undefined : chunks(messages.reduce((sum, m) => sum + messageBytes(m), 0));
    }
    default:
      return 1;
  }
}

/** Adds the counting to a client; a failed call is billed too (one request). */
export function countRequests(client: SQSClient): SQSClient {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        const result = await next(args);
        const requests = billedRequests(context.commandName ?? '', args.input as Input, result.output as Input);
        recordUsage(requests === undefined ? { sqsEmptyReceives: 1 } : { sqsRequests: requests });
        return result;
      } catch (error) {
        recordUsage({ sqsRequests: 1 });
        throw error;
      }
    },
    { step: 'initialize', priority: 'low', name: 'alertlineQueueUsage', override: true },
  );
  return client;
}
