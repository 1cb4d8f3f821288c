// The escalation engine on a real local runtime in this process, stepped by a manual clock: a real HTTP receiver stands
// for the users' webhooks, and runtime.tick() for the escalator's schedule.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Runtime } from '../../local/runtime';
import { startInProcessRuntime, type InProcessRuntime } from '../support/in-process-runtime';
import { allLogEntries } from '../support/log-entries';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

interface Delivery {
  path: string;
  id: string;
  reason: string;
  level: number;
  alertId: string;
}

const MINUTE = 60_000;
let nowMs = Date.now();
const clock = () => nowMs;
const advance = (minutes: number) => (nowMs += minutes * MINUTE);

let started: InProcessRuntime;
let runtime: Runtime;
let client: InProcessRuntime['client'];
let receiver: Server;
let receiverUrl: string;
const deliveries: Delivery[] = [];

beforeAll(async () => {
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const parsed = JSON.parse(body);
      deliveries.push({ path: req.url ?? '', id: parsed.id, reason: parsed.reason, level: parsed.level, alertId: parsed.alert.id });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  started = await startInProcessRuntime('escalation', { allowPrivateWebhookTargets: true, clock });
  ({ runtime, client } = started);
});

afterAll(async () => {
  await started?.stop();
  await new Promise((ok) => receiver?.close(ok));
});

let unique = 0;

/** A user with one WEBHOOK contact at its own path of the receiver, for the priorities given. */
async function user(name: string, priorities: string[] = ['HIGH', 'LOW']): Promise<{ id: string; path: string }> {
  const path = `/${name}-${++unique}`;
  const res = await client.request('POST', '/api/users', {
    body: { firstName: name, lastName: 'Oncall', contacts: [{ type: 'WEBHOOK', target: `${receiverUrl}${path}`, priorities }] },
  });
  if (res.status !== 201) throw new Error(`user: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, path };
}

async function policy(rules: Array<{ timeout: number; users: Array<{ id: string }> }>, extra: Record<string, unknown> = {}): Promise<string> {
  const escalationRules = rules.map((r) => ({ escalationTimeout: r.timeout, users: r.users.map((u) => ({ id: u.id })) }));
  const res = await client.request('POST', '/api/escalation-policies', { body: { name: `policy ${++unique}`, escalationRules, ...extra } });
  if (res.status !== 201) throw new Error(`policy: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** Sends an ALERT to a new source with the policy; answers the alert once the processor made it. */
async function alertWith(policyId: string, priority: 'HIGH' | 'LOW' = 'HIGH'): Promise<any> {
  const source = await client.createSource({ escalationPolicy: { id: policyId } });
  const [record] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', summary: 'Disk full', alertKey: `k${++unique}`, priority });
  return (await client.request('GET', `/api/alerts/${record.alertId}`)).body;
}

const deliveredTo = (path: string) => deliveries.filter((d) => d.path === path);

async function waitForDeliveries(path: string, count: number): Promise<Delivery[]> {
  return waitFor(() => (deliveredTo(path).length >= count ? deliveredTo(path) : undefined), {
    timeoutMs: 20_000,
    what: () => `${count} deliveries to ${path}, got ${JSON.stringify(deliveredTo(path))}`,
  });
}

async function notifications(alertId: string): Promise<any[]> {
  const res = await client.request('GET', `/api/alerts/${alertId}/notifications`);
  expect(res.status).toBe(200);
  for (const n of res.body.items) expect(Object.keys(n).sort()).toEqual(expect.not.arrayContaining(['contactIndex', 'sk']));
  return res.body.items;
}

/** The notifications of an alert for one user, as `<reason>:<level>`, oldest first. */
const stepsOf = async (alertId: string, userId: string) =>
  (await notifications(alertId)).filter((n) => n.userId === userId).map((n) => `${n.reason}:${n.level}`);

it('HIGH: level 1 at once, level 2 only once the first rule timeout has passed', async () => {
  const [uma, vic] = [await user('uma'), await user('vic')];
  const alert = await alertWith(
    await policy([
      { timeout: 1, users: [uma] },
      { timeout: 1, users: [vic] },
    ]),
  );
  expect(alert.escalationLevel).toBe(1);
  expect(alert.nextEscalationAt).toBe(new Date(Date.parse(alert.createdAt) + MINUTE).toISOString());

  const [first] = await waitForDeliveries(uma.path, 1);
  expect(first).toMatchObject({ reason: 'ESCALATION', level: 1, alertId: alert.id });

  await runtime.tick();
  expect(await stepsOf(alert.id, vic.id)).toEqual([]);

  advance(1);
  await runtime.tick();
  expect(await stepsOf(alert.id, vic.id)).toEqual(['ESCALATION:2']);
  await waitForDeliveries(vic.path, 1);
  const after = (await client.request('GET', `/api/alerts/${alert.id}`)).body;
  expect({ level: after.escalationLevel, next: after.nextEscalationAt }).toEqual({ level: 2, next: null });
  const log = await allLogEntries(client, alert.id);
  expect(log.filter((e) => e.type === 'ESCALATED').map((e) => e.text)).toEqual(['Escalated to level 1: uma Oncall', 'Escalated to level 2: vic Oncall']);
});

it('LOW: level 1 on the contacts that take LOW, and never escalates', async () => {
  const [uma, highOnly, vic] = [await user('uma'), await user('hana', ['HIGH']), await user('vic')];
  const alert = await alertWith(
    await policy([
      { timeout: 1, users: [uma, highOnly] },
      { timeout: 1, users: [vic] },
    ]),
    'LOW',
  );
  expect(alert.nextEscalationAt).toBeNull();
  await waitForDeliveries(uma.path, 1);

  advance(5);
  await runtime.tick();
  expect(await stepsOf(alert.id, vic.id)).toEqual([]);
  expect(await stepsOf(alert.id, highOnly.id)).toEqual([]);
  expect(await stepsOf(alert.id, uma.id)).toEqual(['ESCALATION:1']);
});

it('an accept before the timeout stops level 2', async () => {
  const [uma, vic] = [await user('uma'), await user('vic')];
  const alert = await alertWith(
    await policy([
      { timeout: 1, users: [uma] },
      { timeout: 1, users: [vic] },
    ]),
  );
  await waitForDeliveries(uma.path, 1);
  const accepted = await client.request('PUT', `/api/alerts/${alert.id}/accept`);
  expect(accepted.body).toMatchObject({ status: 'ACCEPTED', escalationLevel: 1, nextEscalationAt: null });

  advance(2);
  await runtime.tick();
  expect(await stepsOf(alert.id, vic.id)).toEqual([]);
  // Uma was notified: she hears of the accept on her webhook.
  await waitFor(async () => (await stepsOf(alert.id, uma.id)).includes('ACCEPTED:1'), { timeoutMs: 20_000, what: 'the ACCEPTED notice' });
});

it('an ACCEPT event tells those notified even when the alert was routed to a policy after it was created', async () => {
  // Created without a policy, its key's lock notes no escalation; the reroute starts one, and the ACCEPT event, decided
  // on the lock, must find that out (its write's condition) and send the notice all the same.
  const uma = await user('uma');
  const source = await client.createSource({});
  const alertKey = `k${++unique}`;
  const [record] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', summary: 'Disk full', alertKey });
  const rerouted = await client.request('PUT', `/api/alerts/${record.alertId}/assign`, {
    body: { escalationPolicy: { id: await policy([{ timeout: 1, users: [uma] }]) } },
  });
  expect(rerouted.status).toBe(200);
  await waitForDeliveries(uma.path, 1);
  const [accept] = await client.send({ apiKey: source.integrationKey, eventType: 'ACCEPT', alertKey });
  expect(accept).toMatchObject({ outcome: 'ACCEPTED', alertId: record.alertId });
  await waitFor(async () => (await stepsOf(record.alertId, uma.id)).includes('ACCEPTED:1'), { timeoutMs: 20_000, what: 'the ACCEPTED notice' });
});

it('repeating with frequency 2 goes through the rules three times in all, then stops', async () => {
  const [uma, vic] = [await user('uma'), await user('vic')];
  const alert = await alertWith(
    await policy(
      [
        { timeout: 1, users: [uma] },
        { timeout: 1, users: [vic] },
      ],
      { repeating: true, frequency: 2 },
    ),
  );
  await waitForDeliveries(uma.path, 1);
  for (let minute = 0; minute < 8; minute++) {
    advance(1);
    await runtime.tick();
  }
  expect(await stepsOf(alert.id, uma.id)).toEqual(['ESCALATION:1', 'ESCALATION:1', 'ESCALATION:1']);
  expect(await stepsOf(alert.id, vic.id)).toEqual(['ESCALATION:2', 'ESCALATION:2', 'ESCALATION:2']);
  const ids = (await notifications(alert.id)).map((n) => n.id);
  expect(new Set(ids).size).toBe(6);
  await waitForDeliveries(vic.path, 3);
});

it('two escalators ticking at once notify a level once', async () => {
  const [uma, vic] = [await user('uma'), await user('vic')];
  const alert = await alertWith(
    await policy([
      { timeout: 1, users: [uma] },
      { timeout: 1, users: [vic] },
    ]),
  );
  await waitForDeliveries(uma.path, 1);
  advance(1);
  await Promise.all([runtime.tick(), runtime.tick(), runtime.tick()]);
  expect(await stepsOf(alert.id, vic.id)).toEqual(['ESCALATION:2']);
  const [level2] = await waitForDeliveries(vic.path, 1);
  await runtime.tick();
  // Every delivery to Vic carries the one notification id of level 2.
  expect(new Set(deliveredTo(vic.path).map((d) => d.id))).toEqual(new Set([level2.id]));
  const log = await allLogEntries(client, alert.id);
  expect(log.filter((e) => e.type === 'ESCALATED')).toHaveLength(2);
});

it('an escalator killed between claim and enqueue: the level is redone once its lease has run out, and sent once', async () => {
  const { createTick } = require('../../lambdas/handlers/escalator') as typeof import('../../lambdas/handlers/escalator');
  const engine = { ...runtime, clock };
  const killedBeforeEnqueue = createTick(engine, {
    queue: {
      deliver: async () => {
        throw new Error('killed before the enqueue');
      },
    },
  });
  const [uma, vic] = [await user('uma'), await user('vic')];
  const alert = await alertWith(
    await policy([
      { timeout: 1, users: [uma] },
      { timeout: 1, users: [vic] },
    ]),
  );
  await waitForDeliveries(uma.path, 1);
  advance(1);
  expect((await killedBeforeEnqueue()).failed).toBeGreaterThan(0);
  expect(await stepsOf(alert.id, vic.id)).toEqual(['ESCALATION:2']);

  // While the claimer's lease runs, another escalator leaves the level alone: it may still finish.
  await runtime.tick();
  expect(deliveredTo(vic.path)).toEqual([]);

  advance(1);
  await runtime.tick();
  const [level2] = await waitForDeliveries(vic.path, 1);
  expect(level2).toMatchObject({ reason: 'ESCALATION', level: 2 });
  expect(new Set(deliveredTo(vic.path).map((d) => d.id))).toEqual(new Set([level2.id]));
  expect((await notifications(alert.id)).filter((n) => n.userId === vic.id)).toEqual([expect.objectContaining({ id: level2.id, status: 'SENT' })]);
  const log = await allLogEntries(client, alert.id);
  expect(log.filter((e) => e.type === 'ESCALATED')).toHaveLength(2);
});

it('reroute restarts at level 1 with the new policy users; unknown alert 404, unknown policy 400, resolved 409', async () => {
  const [uma, vic, wes] = [await user('uma'), await user('vic'), await user('wes')];
  const alert = await alertWith(
    await policy([
      { timeout: 1, users: [uma] },
      { timeout: 1, users: [vic] },
    ]),
  );
  await waitForDeliveries(uma.path, 1);
  advance(1);
  await runtime.tick();
  expect((await client.request('GET', `/api/alerts/${alert.id}`)).body.escalationLevel).toBe(2);

  const other = await policy([
    { timeout: 3, users: [wes] },
    { timeout: 1, users: [uma] },
  ]);
  const rerouted = await client.request('PUT', `/api/alerts/${alert.id}/assign`, { body: { escalationPolicy: { id: other } } });
  expect(rerouted.status).toBe(200);
  expect(rerouted.body).toMatchObject({ escalationPolicy: { id: other }, escalationLevel: 1, nextEscalationAt: new Date(nowMs + 3 * MINUTE).toISOString() });
  const [toWes] = await waitForDeliveries(wes.path, 1);
  expect(toWes).toMatchObject({ reason: 'ESCALATION', level: 1, alertId: alert.id });
  const log = await allLogEntries(client, alert.id);
  expect(log.map((e) => e.type)).toContain('REROUTED');

  // The old routing's pending levels are dead: only the new policy's level 2 follows, after its own timeout.
  advance(3);
  await runtime.tick();
  expect(await stepsOf(alert.id, uma.id)).toEqual(['ESCALATION:1', 'ESCALATION:2']);

  expect((await client.request('PUT', '/api/alerts/no-such-alert/assign', { body: { escalationPolicy: { id: other } } })).status).toBe(404);
  const unknownPolicy = await client.request('PUT', `/api/alerts/${alert.id}/assign`, { body: { escalationPolicy: { id: 'no-such-policy' } } });
  expect(unknownPolicy.status).toBe(400);
  expect(unknownPolicy.body.errors).toEqual([expect.objectContaining({ path: 'escalationPolicy.id' })]);
  expect((await client.request('PUT', `/api/alerts/${alert.id}/assign`, { body: {} })).status).toBe(400);
  await client.request('PUT', `/api/alerts/${alert.id}/resolve`);
  const resolved = await client.request('PUT', `/api/alerts/${alert.id}/assign`, { body: { escalationPolicy: { id: other } } });
  expect({ status: resolved.status, code: resolved.body.code }).toEqual({ status: 409, code: 'ALERT_NOT_OPEN' });
});

it('an alert without a policy shows no escalation and notifies nobody', async () => {
  const source = await client.createSource();
  const [record] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', summary: 'No policy', alertKey: `k${++unique}` });
  const alert = (await client.request('GET', `/api/alerts/${record.alertId}`)).body;
  expect({ level: alert.escalationLevel, next: alert.nextEscalationAt }).toEqual({ level: null, next: null });
  await runtime.tick();
  expect(await notifications(alert.id)).toEqual([]);
});

it('answers 404 for the notifications of an unknown alert', async () => {
  expect((await client.request('GET', '/api/alerts/no-such-alert/notifications')).status).toBe(404);
});
