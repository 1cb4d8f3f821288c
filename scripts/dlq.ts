// `npm run dlq -- list | show <eventId> | redrive`: inspect and replay the events parked in the dead-letter queue,
// of the local runtime (default, from DATA_DIR/runtime.json) or of a deployed stack (--stack NAME).
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSqsClient, RESENT_PREFIX } from '../lambdas/queue/event-queue';
import { createDocumentClient } from '../lambdas/store/client';
import { EventStore } from '../lambdas/store/events';

interface Target {
  sqs: SQSClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  events: EventStore;
  local: boolean;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function target(args: string[]): Promise<Target> {
  const stack = option(args, '--stack');
  if (!stack) {
    const dataDir = option(args, '--data-dir') ?? process.env.DATA_DIR ?? '.data';
    let info: { sqsEndpoint: string; queueUrl: string; deadLetterQueueUrl: string; dynamoDbEndpoint: string; tableName: string };
    try {
      info = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8'));
    } catch {
      throw new Error(`No local runtime found in ${dataDir} (start it with npm start, or pass --stack NAME for AWS)`);
    }
    return {
      sqs: createSqsClient({ endpoint: info.sqsEndpoint }),
      queueUrl: info.queueUrl,
      deadLetterQueueUrl: info.deadLetterQueueUrl,
      events: new EventStore({ db: createDocumentClient({ endpoint: info.dynamoDbEndpoint }), tableName: info.tableName }),
      local: true,
    };
  }
  const out = await new CloudFormationClient({}).send(new DescribeStacksCommand({ StackName: stack }));
  const outputs = Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  for (const key of ['QueueUrl', 'DeadLetterQueueUrl', 'TableName']) if (!outputs[key]) throw new Error(`Stack ${stack} has no output ${key}`);
  return {
    sqs: createSqsClient(),
    queueUrl: outputs.QueueUrl!,
    deadLetterQueueUrl: outputs.DeadLetterQueueUrl!,
    events: new EventStore({ db: createDocumentClient(), tableName: outputs.TableName! }),
    local: false,
  };
}

/**
 * Reads the parked messages without consuming them: each is received with a short visibility timeout and made
 * visible again at once. A FIFO queue hands out one message group at a time, so this walks group by group.
 */
async function peek(t: Target, max = 100): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (let round = 0; round < 20 && seen.size < max; round++) {
    const out = await t.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: t.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 5, MessageSystemAttributeNames: ['All'] }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages) seen.set(m.MessageId!, m);
  }
  await Promise.all(
    [...seen.values()].map((m) =>
      t.sqs
        .send(new ChangeMessageVisibilityCommand({ QueueUrl: t.deadLetterQueueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }))
        .catch(() => undefined),
    ),
  );
  return [...seen.values()];
}

const describe = (m: Message) => {
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(m.Body ?? '');
  } catch {
    // an unreadable body is still listed, by message id
  }
  return {
    eventId: body.eventId ?? '(unreadable)',
    alertSourceId: body.alertSourceId,
    eventType: body.eventType,
    alertKey: body.alertKey,
    receiveCount: m.Attributes?.ApproximateReceiveCount,
    messageId: m.MessageId,
  };
};

/**
 * A parked message with what its event record says: FAILED and why, e.g. its own error, or "held behind event <id>"
 * for an event that was never tried because an earlier one of its source failed (replaying both applies both).
 */
async function withRecord(t: Target, message: ReturnType<typeof describe>) {
  const record = typeof message.eventId === 'string' && message.eventId !== '(unreadable)' ? await t.events.get(message.eventId) : undefined;
  const reason = record && 'error' in record ? record.error?.slice(0, 160) : undefined;
  return { ...message, outcome: record?.outcome ?? '(no record)', reason };
}

/** How many messages the dead-letter queue holds, approximately (SQS's own count), seen by peek or not. */
async function parkedCount(t: Target): Promise<number> {
  const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
  const out = await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: t.deadLetterQueueUrl, AttributeNames: [...names] }));
  return names.reduce((sum, name) => sum + Number(out.Attributes?.[name] ?? 0), 0);
}

/** Local: move each message back to the event queue (the local queue server has no message move task). */
async function redriveLocal(t: Target): Promise<number> {
  let moved = 0;
  for (let round = 0; round < 1000; round++) {
    const out = await t.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: t.deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30, MessageSystemAttributeNames: ['All'] }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages) {
      const body = describe(m);
      await t.sqs.send(
        new SendMessageCommand({
          QueueUrl: t.queueUrl,
          MessageBody: m.Body!,
          MessageGroupId: m.Attributes?.MessageGroupId ?? String(body.alertSourceId),
          // Not the event id: the queue would drop it as a duplicate of the original send within 5 minutes; and the
          // processor looks for what an earlier attempt of a re-sent message wrote (see isFirstSend).
          MessageDeduplicationId: `${RESENT_PREFIX}${m.MessageId}`,
        }),
      );
      await t.sqs.send(new DeleteMessageCommand({ QueueUrl: t.deadLetterQueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      moved++;
    }
  }
  return moved;
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || !['list', 'show', 'redrive'].includes(command)) {
    console.log('usage: npm run dlq -- list | show <eventId> | redrive   [--data-dir DIR | --stack NAME]');
    process.exit(command ? 2 : 0);
  }
  const t = await target(rest);
  if (command === 'list') {
    const messages = await peek(t);
    const behind = (await parkedCount(t)) - messages.length;
    if (messages.length === 0 && behind <= 0) console.log('The dead-letter queue is empty.');
    if (messages.length > 0) console.table(await Promise.all(messages.map((m) => withRecord(t, describe(m)))));
    if (behind > 0) {
      console.log(
        `${behind} more message(s) wait behind the first ones of their alert sources: a FIFO queue shows a group's ` +
          'later messages only after those ahead leave. `redrive` replays them all, in order.',
      );
    }
    return;
  }
  if (command === 'show') {
    const eventId = rest.find((a) => !a.startsWith('--') && a !== option(rest, '--data-dir') && a !== option(rest, '--stack'));
    if (!eventId) throw new Error('show needs an eventId');
    const message = (await peek(t)).find((m) => describe(m).eventId === eventId);
    const record = await t.events.get(eventId);
    console.log(
      JSON.stringify({ record: record ?? null, message: message ? { ...describe(message), body: JSON.parse(message.Body ?? 'null') } : null }, null, 2),
    );
    if (!record && !message) process.exitCode = 1;
    return;
  }
  if (t.local) {
    console.log(`Moved ${await redriveLocal(t)} message(s) back to the event queue; each is applied once (its record was FAILED).`);
  } else {
    const arn = async (url: string) => (await t.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const task = await t.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: await arn(t.deadLetterQueueUrl), DestinationArn: await arn(t.queueUrl) }));
    console.log(`Started message move task ${task.TaskHandle}; the processor applies each event once.`);
  }
}

main().catch((error) => {
  console.error(`dlq: ${(error as Error).message}`);
  process.exit(1);
});
