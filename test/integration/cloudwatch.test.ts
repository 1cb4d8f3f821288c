// CloudWatch alarms through SNS on a real local runtime in this process, over HTTP: the runtime's HTTPS GET is replaced by a
// stand-in for SNS that serves a self-made certificate (messages are signed with its key at test time) and records every URL.
import { startInProcessRuntime, type InProcessRuntime } from '../support/in-process-runtime';
import { fixture, makeSnsSigner } from '../support/sns';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

const signer = makeSnsSigner();
const ALARM_ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-5xx-rate';
/** Every URL the runtime asked the stand-in for, in order. */
const fetched: string[] = [];

let started: InProcessRuntime;
let client: InProcessRuntime['client'];
let integrationKey: string;

beforeAll(async () => {
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  const fetchText = async (url: string) => {
    fetched.push(url);
    if (new URL(url).pathname.endsWith('.pem')) return signer.certificatePem;
    return '<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"/>';
  };
  started = await startInProcessRuntime('cloudwatch', { ingestDeps: { fetchText } });
  ({ client } = started);
  integrationKey = (await client.createSource({ integrationType: 'CLOUDWATCH' })).integrationKey;
});

afterAll(async () => {
  await started?.stop();
});

/** POSTs a message as SNS does: its JSON as text/plain, with SNS's message type header. */
const deliver = (message: Record<string, unknown>) =>
  client.request('POST', `/api/events/cloudwatch/${integrationKey}`, {
    raw: JSON.stringify(message),
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': String(message.Type) },
    token: null,
  });

const alertsWithKey = async (alertKey: string) => (await client.alerts(`alertKey=${encodeURIComponent(alertKey)}`)).body.items;

/** The newest alert with this key once `holds` is true of it (events apply asynchronously after the 202). */
const alertWhen = (alertKey: string, holds: (alert: any) => boolean) =>
  waitFor(
    async () => {
      const alert = (await alertsWithKey(alertKey))[0];
      return alert && holds(alert) ? alert : undefined;
    },
    { timeoutMs: 20_000, what: `the alert ${alertKey} to reach the expected state` },
  );

describe('an SNS topic subscribed to Alertline', () => {
  it('confirms the subscription: the signature verifies, then the SubscribeURL is fetched', async () => {
    const confirmation = signer.sign(fixture('subscription-confirmation'));
    const res = await deliver(confirmation);
    expect([res.status, res.body]).toEqual([200, { status: 'CONFIRMED' }]);
    expect(fetched).toEqual([confirmation.SigningCertURL, confirmation.SubscribeURL]);
  });

  it('opens an alert keyed by the alarm ARN when the alarm goes to ALARM (certificate from the cache)', async () => {
    const res = await deliver(signer.sign(fixture('notification-alarm')));
    expect([res.status, res.body]).toEqual([202, expect.objectContaining({ eventIds: [expect.any(String)], alertKeys: [ALARM_ARN], status: 'QUEUED' })]);
    const alert = await alertWhen(ALARM_ARN, () => true);
    expect(alert).toMatchObject({
      status: 'PENDING',
      summary: 'api-5xx-rate',
      eventCount: 1,
      links: [{ href: 'https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/api-5xx-rate', text: 'CloudWatch alarm' }],
      customDetails: expect.objectContaining({ AlarmArn: ALARM_ARN, NewStateValue: 'ALARM', AWSAccountId: '123456789012' }),
    });
    expect(fetched).toHaveLength(2);
  });

  it('answers a redelivered ALARM (SNS delivers at least once) with the first eventIds, adding no event', async () => {
    const message = signer.sign(fixture('notification-alarm'));
    const [first, again] = [await deliver(message), await deliver(message)];
    expect([first.status, again.status]).toEqual([202, 202]);
    // The opening test delivered this very message (the same MessageId): all three are one delivery.
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const [applied] = await client.applied(first.body.eventIds);
    expect(applied.outcome).toBe('CREATED');
    expect((await alertWhen(ALARM_ARN, () => true)).eventCount).toBe(1);
  });

  it("keys a delivery by the caller's Idempotency-Key when it has one, instead of SNS's MessageId", async () => {
    const alarm = { ...JSON.parse(String(fixture('notification-alarm').Message)), AlarmArn: `${ALARM_ARN}-p99`, AlarmName: 'api-5xx-rate-p99' };
    const message = signer.sign({ ...fixture('notification-alarm'), MessageId: 'e1d2c3b4-0000-4000-8000-000000000001', Message: JSON.stringify(alarm) });
    const keyed = await client.request('POST', `/api/events/cloudwatch/${integrationKey}`, {
      raw: JSON.stringify(message),
      headers: { 'content-type': 'text/plain; charset=UTF-8', 'idempotency-key': 'p99-once' },
      token: null,
    });
    const [plain, plainAgain] = [await deliver(message), await deliver(message)];
    expect([keyed.status, plain.status, plainAgain.status]).toEqual([202, 202, 202]);
    expect(plain.body.eventIds).not.toEqual(keyed.body.eventIds);
    expect([plainAgain.body, plainAgain.headers.get('idempotent-replayed')]).toEqual([plain.body, 'true']);
  });

  it('changes nothing for INSUFFICIENT_DATA', async () => {
    const res = await deliver(signer.sign(fixture('notification-insufficient-data')));
    expect([res.status, res.body]).toEqual([200, { eventIds: [], alertKeys: [], status: 'IGNORED' }]);
  });

  it('refuses a tampered notification with 403 and opens nothing', async () => {
    const signed = signer.sign(fixture('notification-alarm'));
    const tampered = { ...signed, Message: String(signed.Message).replaceAll('api-5xx-rate', 'payments-down') };
    const res = await deliver(tampered);
    expect([res.status, res.body.code]).toEqual([403, 'INVALID_SIGNATURE']);
  });

  it('refuses a certificate on another host with 403 and never fetches it', async () => {
    const certUrl = 'https://sns.eu-west-1.amazonaws.com.evil.example/SimpleNotificationService-1.pem';
    const res = await deliver(signer.sign(fixture('notification-alarm'), { certUrl }));
    expect([res.status, res.body.code]).toEqual([403, 'INVALID_SIGNING_CERTIFICATE']);
    expect(fetched).not.toContain(certUrl);
  });

  it('resolves the alert when the alarm returns to OK (SignatureVersion 2); the ignored and refused deliveries left no trace', async () => {
    const res = await deliver(signer.sign(fixture('notification-ok'), { version: '2' }));
    expect([res.status, res.body.alertKeys]).toEqual([202, [ALARM_ARN]]);
    const resolved = await alertWhen(ALARM_ARN, (a) => a.status === 'RESOLVED');
    // The events of a source apply in order: had INSUFFICIENT_DATA, the tampered message or the redelivered ALARM queued
    // anything, it shows now.
    expect(resolved.eventCount).toBe(1);
    expect(await alertsWithKey(ALARM_ARN.replace('api-5xx-rate', 'payments-down'))).toEqual([]);
    expect(await alertsWithKey(ALARM_ARN)).toHaveLength(1);
  });
});
