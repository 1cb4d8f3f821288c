// The cloudwatch adapter on signed SNS fixtures: confirmations, alarm state changes as events, and its refusals.
import { HttpError } from '../../lambdas/handlers/http';
import { createCloudWatchAdapter } from '../../lambdas/integrations/cloudwatch';
import { fixture, makeSnsSigner } from '../support/sns';

const signer = makeSnsSigner();
const ALARM_ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-5xx-rate';

/** A fetchText standing for SNS: serves the certificate for any .pem, answers the SubscribeURL; records every URL. */
function snsStandIn(subscribe: () => Promise<string> = async () => '<ConfirmSubscriptionResponse/>') {
  const fetched: string[] = [];
  const fetchText = async (url: string) => {
    fetched.push(url);
    return new URL(url).pathname.endsWith('.pem') ? signer.certificatePem : subscribe();
  };
  return { fetched, adapter: createCloudWatchAdapter({ fetchText }) };
}

const parse = async (adapter: ReturnType<typeof createCloudWatchAdapter>, body: unknown) => adapter.parse({ body, headers: {} });

/** The refusal's status, code and field paths. */
async function refusal(work: Promise<unknown>) {
  try {
    await work;
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, code: error.code, paths: error.errors?.map((e) => e.path) };
    throw error;
  }
  throw new Error('not refused');
}

/** A signed Notification carrying `alarm` (merged into the fixture's ALARM state change). */
function notification(alarm: Record<string, unknown>) {
  const template = fixture('notification-alarm');
  return signer.sign({ ...template, Message: JSON.stringify({ ...JSON.parse(String(template.Message)), ...alarm }) });
}

it('takes text/plain, as SNS posts it', () => {
  expect(snsStandIn().adapter).toMatchObject({ type: 'cloudwatch', extraContentTypes: ['text/plain'] });
});

describe('subscription', () => {
  it('confirms a signed SubscriptionConfirmation by fetching its SubscribeURL, after the certificate', async () => {
    const { adapter, fetched } = snsStandIn();
    const message = signer.sign(fixture('subscription-confirmation'));
    const result = await parse(adapter, message);
    expect(result).toEqual({ kind: 'answer', response: expect.objectContaining({ statusCode: 200, body: JSON.stringify({ status: 'CONFIRMED' }) }) });
    expect(fetched).toEqual([message.SigningCertURL, message.SubscribeURL]);
  });

  it('refuses a tampered confirmation with 403 and confirms nothing', async () => {
    const { adapter, fetched } = snsStandIn();
    const message = signer.sign(fixture('subscription-confirmation'));
    const tampered = { ...message, SubscribeURL: String(message.SubscribeURL).replace('eu-west-1', 'us-east-1') };
    expect(await refusal(parse(adapter, tampered))).toMatchObject({ status: 403, code: 'INVALID_SIGNATURE' });
    expect(fetched).toEqual([message.SigningCertURL]);
  });

  it.each(['https://evil.example/?Action=ConfirmSubscription', 'http://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription'])(
    'refuses a signed confirmation whose SubscribeURL is %s with 403, without fetching it',
    async (subscribeUrl) => {
      const { adapter, fetched } = snsStandIn();
      const message = signer.sign({ ...fixture('subscription-confirmation'), SubscribeURL: subscribeUrl });
      expect(await refusal(parse(adapter, message))).toEqual({ status: 403, code: 'INVALID_SUBSCRIBE_URL', paths: ['SubscribeURL'] });
      expect(fetched).not.toContain(subscribeUrl);
    },
  );

  it('answers 503 when SNS cannot be reached to confirm (SNS sends the confirmation again)', async () => {
    const { adapter } = snsStandIn(() => Promise.reject(new Error('timeout')));
    expect(await refusal(parse(adapter, signer.sign(fixture('subscription-confirmation'))))).toMatchObject({ status: 503 });
  });

  it('answers a signed UnsubscribeConfirmation with 200 and fetches nothing but the certificate', async () => {
    const { adapter, fetched } = snsStandIn();
    const message = signer.sign({ ...fixture('subscription-confirmation'), Type: 'UnsubscribeConfirmation' });
    expect(await parse(adapter, message)).toMatchObject({ kind: 'answer', response: { statusCode: 200 } });
    expect(fetched).toEqual([message.SigningCertURL]);
  });
});

describe('alarm state changes', () => {
  it('maps ALARM to an ALERT keyed by the alarm ARN, with the reason, the console link and the alarm fields', async () => {
    const message = signer.sign(fixture('notification-alarm'));
    const result = await parse(snsStandIn().adapter, message);
    const alarm = JSON.parse(String(message.Message));
    expect(result).toEqual({
      kind: 'events',
      events: [
        expect.objectContaining({
          eventType: 'ALERT',
          alertKey: ALARM_ARN,
          summary: 'api-5xx-rate',
          details: expect.stringContaining(`**ALARM** (was OK) at 2026-11-30T09:41:07.215+0000: ${alarm.NewStateReason}`),
          links: [{ href: 'https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/api-5xx-rate', text: 'CloudWatch alarm' }],
          customDetails: alarm,
        }),
      ],
      // SNS delivers at least once: its MessageId makes a redelivery replay the first answer instead of adding an event.
      idempotencyKey: `sns:${String(message.MessageId)}`,
    });
  });

  it('maps OK to a RESOLVE of the same alert key, keyed by its own MessageId', async () => {
    const message = signer.sign(fixture('notification-ok'), { version: '2' });
    const result = await parse(snsStandIn().adapter, message);
    expect(result).toMatchObject({
      kind: 'events',
      events: [{ eventType: 'RESOLVE', alertKey: ALARM_ARN }],
      idempotencyKey: `sns:${String(message.MessageId)}`,
    });
    expect(message.MessageId).not.toBe(fixture('notification-alarm').MessageId);
  });

  it('answers INSUFFICIENT_DATA with 200 and no event', async () => {
    const result = await parse(snsStandIn().adapter, signer.sign(fixture('notification-insufficient-data')));
    expect(result).toEqual({
      kind: 'answer',
      response: expect.objectContaining({ statusCode: 200, body: JSON.stringify({ eventIds: [], alertKeys: [], status: 'IGNORED' }) }),
    });
  });

  it("links to the console of the alarm's partition, with its name encoded", async () => {
    const arn = 'arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:disk #1';
    const result = await parse(snsStandIn().adapter, notification({ AlarmArn: arn, AlarmName: 'disk #1' }));
    expect(result).toMatchObject({
      events: [{ links: [{ href: 'https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/disk%20%231' }] }],
    });
  });

  it('keys an alarm whose ARN is over 255 characters by a stable hash of it, keeping the ARN in customDetails', async () => {
    const name = `checkout-${'p99-latency-'.repeat(25)}`;
    const arn = `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`;
    const keyOf = async () => {
      const result = await parse(snsStandIn().adapter, notification({ AlarmArn: arn, AlarmName: name }));
      if (result.kind !== 'events') throw new Error('expected an event');
      return result.events[0];
    };
    const event = await keyOf();
    expect(arn.length).toBeGreaterThan(255);
    expect(event.alertKey).toMatch(/^cloudwatch-alarm:sha256:[0-9a-f]{64}$/);
    expect((await keyOf()).alertKey).toBe(event.alertKey);
    expect(event.customDetails).toMatchObject({ AlarmArn: arn });
    expect(event.links).toEqual([expect.objectContaining({ text: 'CloudWatch alarm' })]);
  });

  it('leaves out the console link when the encoded alarm name makes it over 2048 characters', async () => {
    const name = '€'.repeat(240); // 9 characters each in the link
    const result = await parse(snsStandIn().adapter, notification({ AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`, AlarmName: name }));
    expect(result).toMatchObject({ kind: 'events', events: [{ summary: name, links: undefined }] });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['not JSON', { Message: 'Hello from SNS' }, ['Message']],
    ['a JSON array', { Message: '[1]' }, ['Message']],
  ])('refuses a Notification whose Message is %s with 400 naming Message', async (_what, change, paths) => {
    const message = signer.sign({ ...fixture('notification-alarm'), ...change });
    expect(await refusal(parse(snsStandIn().adapter, message))).toEqual({ status: 400, code: 'VALIDATION_FAILED', paths });
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['without AlarmArn', { AlarmArn: undefined }, ['Message.AlarmArn']],
    ['with an ARN that is not an alarm', { AlarmArn: 'arn:aws:sns:eu-west-1:123456789012:topic' }, ['Message.AlarmArn']],
    ['with an unknown state', { NewStateValue: 'BROKEN' }, ['Message.NewStateValue']],
    ['without a name', { AlarmName: '' }, ['Message.AlarmName']],
  ])('refuses an alarm %s with 400 naming the field', async (_what, alarm, paths) => {
    expect(await refusal(parse(snsStandIn().adapter, notification(alarm)))).toEqual({ status: 400, code: 'VALIDATION_FAILED', paths });
  });

  it('checks the signature before the Message: a tampered alarm is 403, not 400', async () => {
    const message = signer.sign(fixture('notification-alarm'));
    expect(await refusal(parse(snsStandIn().adapter, { ...message, Message: 'Hello' }))).toMatchObject({ status: 403, code: 'INVALID_SIGNATURE' });
  });

  it("refuses a body that is not an SNS message with 400 naming SNS's fields", async () => {
    expect(await refusal(parse(snsStandIn().adapter, { hello: 'world' }))).toMatchObject({
      status: 400,
      paths: expect.arrayContaining(['Type', 'MessageId', 'TopicArn', 'Message', 'Signature', 'SigningCertURL']),
    });
  });
});
