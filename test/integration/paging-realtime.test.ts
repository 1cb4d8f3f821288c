// Paging in real time, as a user of `npm start` meets it: the default tick (15 s), a policy of two rules one minute
// apart, and a real HTTP receiver per rule. HIGH reaches rule 1 at once and rule 2 a minute later; LOW and an alert
// accepted in time reach rule 1 only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(240_000);

interface Arrival {
  rule: string;
  alertId: string;
  reason: string;
  level: number;
  at: number;
}

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let receiver: Server;
const arrivals: Arrival[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const parsed = JSON.parse(body);
      arrivals.push({ rule: req.url ?? '', alertId: parsed.alert.id, reason: parsed.reason, level: parsed.level, at: Date.now() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  // Only ALLOW_PRIVATE_WEBHOOK_TARGETS differs from a plain `npm start`: the receivers are on this machine.
  rt = await startRuntimeProcess({ env: { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' } });
  client = clientFor(rt);
});

afterAll(async () => {
  await rt?.stop();
  await new Promise((ok) => receiver?.close(ok));
});

async function created(path: string, body: unknown): Promise<{ id: string; integrationKey: string }> {
  const res = await client.request('POST', path, { body });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function alertIdOf(eventId: string): Promise<string> {
  const [record] = await client.applied([eventId], 30_000);
  return record.alertId;
}

const reached = (alertId: string, rule: string) => arrivals.filter((a) => a.alertId === alertId && a.rule === rule && a.reason === 'ESCALATION');

it('HIGH notifies rule 1 within 15 s and rule 2 60 to 120 s later; LOW and an alert accepted in time notify rule 1 only', async () => {
  const port = (receiver.address() as AddressInfo).port;
  const userFor = (rule: string) =>
    created('/api/users', { firstName: 'Uma', lastName: rule, contacts: [{ type: 'WEBHOOK', target: `http://127.0.0.1:${port}/${rule}` }] });
  const [first, second] = await Promise.all([userFor('rule-1'), userFor('rule-2')]);
  const policy = await created('/api/escalation-policies', {
    name: 'two rules a minute apart',
    escalationRules: [
      { escalationTimeout: 1, users: [{ id: first.id }] },
      { escalationTimeout: 1, users: [{ id: second.id }] },
    ],
  });
  const source = await created('/api/alert-sources', { name: 'paging in real time', escalationPolicy: { id: policy.id } });

  const post = async (alertKey: string, priority: 'HIGH' | 'LOW') => {
    const res = await client.postEvent({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey, summary: `${priority} ${alertKey}`, priority });
    expect(res.status).toBe(202);
    return { sentAt: Date.now(), alertId: await alertIdOf(res.body.eventId) };
  };
  const high = await post('disk-full', 'HIGH');
  const low = await post('disk-slow', 'LOW');
  const accepted = await post('disk-warm', 'HIGH');

  await waitFor(
    async () => reached(high.alertId, '/rule-1').length > 0 && reached(low.alertId, '/rule-1').length > 0 && reached(accepted.alertId, '/rule-1').length > 0,
    {
      timeoutMs: 20_000,
      what: () => `level 1 of the three alerts (arrived: ${JSON.stringify(arrivals)})`,
    },
  );
  const [highFirst] = reached(high.alertId, '/rule-1');
  expect(highFirst.at - high.sentAt).toBeLessThan(15_000);
  expect(reached(low.alertId, '/rule-1')[0].at - low.sentAt).toBeLessThan(15_000);
  expect((await client.request('PUT', `/api/alerts/${accepted.alertId}/accept`)).status).toBe(200);

  const shown = (await client.request('GET', `/api/alerts/${high.alertId}`)).body;
  expect(shown.escalationLevel).toBe(1);
  expect(Date.parse(shown.nextEscalationAt) - Date.parse(shown.createdAt)).toBe(60_000);

  await waitFor(async () => reached(high.alertId, '/rule-2').length > 0, { timeoutMs: 130_000, intervalMs: 500, what: () => 'level 2 of the HIGH alert' });
  const [highSecond] = reached(high.alertId, '/rule-2');
  expect(highSecond.level).toBe(2);
  expect(highSecond.at - highFirst.at).toBeGreaterThanOrEqual(59_000);
  expect(highSecond.at - highFirst.at).toBeLessThanOrEqual(120_000);
  // The LOW alert and the accepted one were due at rule 2 no later than the HIGH one: a tick has passed them by.
  await waitFor(async () => (await client.request('GET', `/api/alerts/${high.alertId}`)).body.escalationLevel === 2, {
    timeoutMs: 20_000,
    what: 'the HIGH alert to show level 2',
  });
  expect(reached(low.alertId, '/rule-2')).toEqual([]);
  expect(reached(accepted.alertId, '/rule-2')).toEqual([]);
  // Each level once per contact.
  for (const alertId of [high.alertId, low.alertId, accepted.alertId]) {
    const ids = arrivals.filter((a) => a.alertId === alertId && a.reason === 'ESCALATION').map((a) => `${a.rule} ${a.level}`);
    expect(new Set(ids).size).toBe(ids.length);
  }
  const notifications = (await client.request('GET', `/api/alerts/${high.alertId}/notifications`)).body;
  expect(notifications.items.map((n: any) => [n.level, n.status])).toEqual([
    [1, 'SENT'],
    [2, 'SENT'],
  ]);
});
