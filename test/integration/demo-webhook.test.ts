// The first start's demo with DEMO_WEBHOOK_URL: a demo user whose webhook the printed curl's alert pages, made once; without it, no user.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

/** A webhook receiver that keeps every request's path and JSON body and answers 200. */
async function startReceiver() {
  const received: Array<{ path: string; body: any }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const running: RuntimeProcess[] = [];
const dataDirs: string[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>>;

const start = async (dataDir: string, env: Record<string, string>) => {
  const rt = await startRuntimeProcess({ dataDir, env });
  running.push(rt);
  return rt;
};
const newDataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'alertline-demo-'));
  dataDirs.push(dir);
  return dir;
};

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const rt of running) await rt.stop();
  await new Promise((ok) => receiver?.server.close(ok));
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

const demoUsers = async (client: ReturnType<typeof clientFor>) =>
  (await client.request('GET', '/api/users')).body.items.filter((u: any) => u.firstName === 'Demo' && u.lastName === 'Oncall');
const demoPolicy = async (client: ReturnType<typeof clientFor>) =>
  (await client.request('GET', '/api/escalation-policies')).body.find((p: any) => p.routingKey === 'demo-team');

it('with DEMO_WEBHOOK_URL, the printed demo curl pages the demo user at that URL, and a later start makes no second user', async () => {
  const dataDir = newDataDir();
  const env = { DEMO_WEBHOOK_URL: `${receiver.url}/demo-hook`, ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' };
  const first = await start(dataDir, env);
  let client = clientFor(first);

  const [user] = await demoUsers(client);
  expect(user).toMatchObject({ contacts: [{ type: 'WEBHOOK', target: `${receiver.url}/demo-hook`, hasSecret: false }] });
  expect((await demoPolicy(client)).escalationRules).toEqual([expect.objectContaining({ escalationTimeout: 0, users: [{ id: user.id }] })]);

  // The curl exactly as the banner printed it.
  const curl = /^\s*(curl -sS -X POST .*)$/m.exec(first.output())![1];
  const { stdout } = await promisify(execFile)('sh', ['-c', curl]);
  expect(JSON.parse(stdout)).toMatchObject({ eventId: expect.any(String) });
  const [delivery] = await waitFor(
    () => {
      const found = receiver.received.filter((r) => r.path === '/demo-hook');
      return found.length > 0 ? found : undefined;
    },
    { timeoutMs: 30_000, what: 'the demo alert at the demo webhook' },
  );
  expect(delivery.body).toMatchObject({
    type: 'alert.notification',
    reason: 'ESCALATION',
    level: 1,
    alert: { summary: 'Hey, this is a test alert from the shell!', priority: 'HIGH' },
    user: { id: user.id, firstName: 'Demo', lastName: 'Oncall' },
  });

  expect(await first.stop()).toBe(0);
  const second = await start(dataDir, env);
  client = clientFor(second);
  expect(await demoUsers(client)).toHaveLength(1);
  expect((await client.request('GET', '/api/users')).body.items).toHaveLength(1);
});

it('without DEMO_WEBHOOK_URL, the first start makes no user and the demo policy names nobody', async () => {
  const rt = await start(newDataDir(), { DEMO_WEBHOOK_URL: '' });
  const client = clientFor(rt);
  expect((await client.request('GET', '/api/users')).body.items).toEqual([]);
  const rules = (await demoPolicy(client)).escalationRules;
  expect(rules).toHaveLength(1);
  expect(rules[0].users ?? []).toEqual([]);
});
