// CloudWatch alarms through Amazon SNS: subscription confirmations, and alarm state changes as ordinary events.
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { LIMITS, type EventInput } from '../domain/event';
import { fieldErrors, isPlainObject, jsonDepth } from '../domain/validation';
import { HttpError, json } from '../handlers/http';
import type { Inbound, InboundAdapter, InboundDeps } from './adapter';
import { SnsCertificates, parseSnsMessage, snsUrl, verifySnsSignature, type SnsMessage } from './sns-signature';

export const ALARM_STATES = ['ALARM', 'OK', 'INSUFFICIENT_DATA'] as const;

// arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>; the partition and region place the console link.
const ALARM_ARN = /^arn:(aws|aws-cn|aws-us-gov):cloudwatch:([a-z0-9-]+):\d{12}:alarm:.+$/;
const CONSOLE_OF = { aws: 'https://console.aws.amazon.com', 'aws-cn': 'https://console.amazonaws.cn', 'aws-us-gov': 'https://console.amazonaws-us-gov.com' };

const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);

/** The fields of CloudWatch's alarm state change that the mapping reads; all the others are kept in customDetails. */
const alarmSchema = z.object({
  AlarmName: z.string().trim().min(1, 'must not be empty').max(LIMITS.summaryChars, `must be at most ${LIMITS.summaryChars} characters`),
  // No length limit: a long alarm name makes an ARN over an alert key's 255 characters (see alertKeyOf).
  AlarmArn: z.string().regex(ALARM_ARN, 'must be a CloudWatch alarm ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)'),
  NewStateValue: z.enum(ALARM_STATES, { error: `must be one of ${ALARM_STATES.join(', ')}` }),
  OldStateValue: optionalText,
  NewStateReason: optionalText,
  AlarmDescription: optionalText,
  StateChangeTime: optionalText,
});

type Alarm = z.output<typeof alarmSchema>;

const invalid = (errors: { path: string; message: string }[]) =>
  new HttpError(400, 'VALIDATION_FAILED', `Invalid CloudWatch alarm: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);

/** The Notification's Message as a CloudWatch alarm state change (and its fields as sent), or 400 naming `Message`. */
export function parseAlarm(message: string): { alarm: Alarm; fields: Record<string, unknown> } {
  let fields: unknown;
  try {
    fields = JSON.parse(message);
  } catch {
    fields = undefined;
  }
  if (!isPlainObject(fields)) throw invalid([{ path: 'Message', message: 'must be a CloudWatch alarm state change (a JSON object)' }]);
  if (jsonDepth(fields) > LIMITS.customDetailsDepth) {
    throw invalid([{ path: 'Message', message: `must be at most ${LIMITS.customDetailsDepth} levels deep` }]);
  }
  const parsed = alarmSchema.safeParse(fields, { reportInput: true });
  if (!parsed.success) throw invalid(fieldErrors(parsed.error).map((e) => ({ ...e, path: `Message.${e.path}` })));
  return { alarm: parsed.data, fields };
}

/** The alarm's page in the CloudWatch console of its own partition and region. */
export function consoleUrl(alarmArn: string, alarmName: string): string {
  const [, partition, region] = ALARM_ARN.exec(alarmArn)! as unknown as [string, keyof typeof CONSOLE_OF, string];
  return `${CONSOLE_OF[partition]}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/**
 * The alarm's alert key: its ARN when it fits an alert key, else a stable hash of it (the same alarm, the same alert;
 * the ARN itself stays in customDetails). Refusing it would lose the alarm: SNS does not retry a 4xx.
 */
export function alertKeyOf(alarmArn: string): string {
  if (alarmArn.length <= LIMITS.alertKeyChars) return alarmArn;
  return `cloudwatch-alarm:sha256:${createHash('sha256').update(alarmArn).digest('hex')}`;
}

/** ALARM opens (or appends to) the alarm's alert, OK resolves it; INSUFFICIENT_DATA says nothing about the problem. */
export function alarmEvent(alarm: Alarm, fields: Record<string, unknown>): EventInput | undefined {
  if (alarm.NewStateValue === 'INSUFFICIENT_DATA') return undefined;
  const change = `**${alarm.NewStateValue}**${alarm.OldStateValue ? ` (was ${alarm.OldStateValue})` : ''}${alarm.StateChangeTime ? ` at ${alarm.StateChangeTime}` : ''}`;
  const details = [`${change}: ${alarm.NewStateReason ?? 'no reason given'}`, alarm.AlarmDescription].filter(Boolean).join('\n\n');
  const link = consoleUrl(alarm.AlarmArn, alarm.AlarmName);
  return {
    apiKey: undefined,
    integrationKey: undefined,
    eventType: alarm.NewStateValue === 'ALARM' ? 'ALERT' : 'RESOLVE',
    alertKey: alertKeyOf(alarm.AlarmArn),
    summary: alarm.AlarmName,
    details,
    priority: undefined,
    images: undefined,
    // A name of many escaped characters can make the link too long for an event: then the alert goes without it.
    links: link.length <= LIMITS.urlChars ? [{ href: link, text: 'CloudWatch alarm' }] : undefined,
    customDetails: fields,
    routingKey: undefined,
  };
}

/** SNS's SubscribeURL, fetched only from SNS's own host: confirming it is what makes SNS start delivering. */
async function confirmSubscription(message: SnsMessage, fetchText: InboundDeps['fetchText']): Promise<void> {
  const url = snsUrl(message.SubscribeURL ?? '');
  if (!url) {
    const errors = [{ path: 'SubscribeURL', message: 'must be on https://sns.<region>.amazonaws.com/' }];
    throw new HttpError(403, 'INVALID_SUBSCRIBE_URL', 'The subscription URL is not on Amazon SNS', errors);
  }
  try {
    await fetchText(url.href);
  } catch {
    const unavailable = new HttpError(503, 'SUBSCRIPTION_NOT_CONFIRMED', 'Amazon SNS could not be reached to confirm the subscription; retry later');
    unavailable.headers = { 'retry-after': '5' };
    throw unavailable;
  }
}

const answer = (status: number, body: unknown): Inbound => ({ kind: 'answer', response: json(status, body) });

/** The `cloudwatch` adapter: every message's signature is verified before anything else is done with it. */
export function createCloudWatchAdapter(deps: InboundDeps): InboundAdapter {
  const certificates = new SnsCertificates(deps.fetchText);
  return {
    type: 'cloudwatch',
    // SNS posts its JSON as text/plain.
    extraContentTypes: ['text/plain'],
    async parse({ body }) {
      const message = parseSnsMessage(body);
      await verifySnsSignature(message, certificates);
      if (message.Type === 'SubscriptionConfirmation') {
        await confirmSubscription(message, deps.fetchText);
        return answer(200, { status: 'CONFIRMED' });
      }
      if (message.Type === 'UnsubscribeConfirmation') return answer(200, { status: 'UNSUBSCRIBED' });
      const { alarm, fields } = parseAlarm(message.Message);
      const event = alarmEvent(alarm, fields);
      // Nothing to queue: 200 in the events' answer shape (not 202, since nothing was accepted for later).
      if (!event) return answer(200, { eventIds: [], alertKeys: [], status: 'IGNORED' });
      // SNS delivers at least once, a redelivery with the same MessageId: it replays the first answer, adding no event.
      return { kind: 'events', events: [event], idempotencyKey: `sns:${message.MessageId}` };
    },
  };
}
