// Two local runtimes side by side in this one process: each built from its own configuration, each applying only its own events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortPair } from '../../local/child';
import type { Runtime } from '../../local/runtime';
import { clientFor } from '../support/client';

jest.setTimeout(180_000);

type Client = ReturnType<typeof clientFor>;
const runtimes: Runtime[] = [];
const dataDirs: string[] = [];
const clients: Client[] = [];
const tokens: string[] = [];

beforeAll(async () => {
  // Powertools reads its log level and metrics switch when the handlers' logger and metrics are built (first import).
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  // A require, not an import: loaded only after the settings above (Jest's sandbox refuses dynamic imports).

  const { startRuntime } = require('../../local/runtime') as typeof import('../../local/runtime');
  for (const name of ['a', 'b']) {
    const dataDir = mkdtempSync(join(tmpdir(), `alertline-two-${name}-`));
    dataDirs.push(dataDir);
    const adminToken = `token-of-runtime-${name}-${Math.random().toString(36).slice(2)}`;
    const port = await freePortPair();
    const runtime = await startRuntime({
      port,
      host: '127.0.0.1',
      dataDir,
      dynamoDbPort: port + 1,
      sqsPort: 0,
      adminToken,
      pollers: 1,
      visibilityTimeoutSeconds: 5,
      log: () => undefined,
    });
    runtimes.push(runtime);
    tokens.push(adminToken);
    clients.push(clientFor({ url: runtime.url, adminToken }));
  }
});

afterAll(async () => {
  for (const runtime of runtimes) await runtime.stop();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

it('runs on separate tables, queues and ports, each behind its own admin token', () => {
  const [a, b] = runtimes;
  expect(new Set([a.url, b.url]).size).toBe(2);
  expect(new Set([a.dynamoDbEndpoint, b.dynamoDbEndpoint]).size).toBe(2);
  expect(new Set([a.queueUrl, b.queueUrl]).size).toBe(2);
});

it('applies an event posted to each runtime in that runtime only', async () => {
  const [a, b] = clients;
  const sources = [await a.createSource(), await b.createSource()];
  const alertKeys = ['only-in-a', 'only-in-b'];
  const posted = await Promise.all(
    clients.map((client, i) => client.postEvent({ apiKey: sources[i].integrationKey, eventType: 'ALERT', summary: 'side by side', alertKey: alertKeys[i] })),
  );
  expect(posted.map((r) => r.status)).toEqual([202, 202]);
  const applied = await Promise.all(clients.map((client, i) => client.applied([posted[i].body.eventId], 60_000)));
  expect(applied.map(([record]) => record.outcome)).toEqual(['CREATED', 'CREATED']);

  for (const [i, client] of clients.entries()) {
    const mine = (await client.alerts(`alertKey=${alertKeys[i]}`)).body.items;
    const other = (await client.alerts(`alertKey=${alertKeys[1 - i]}`)).body.items;
    expect({ mine: mine.map((alert) => alert.alertSourceId), other }).toEqual({ mine: [sources[i].id], other: [] });
    // The other runtime's event, its source and its integration key are unknown here.
    expect((await client.event(posted[1 - i].body.eventId)).status).toBe(404);
    const foreign = await client.postEvent({ apiKey: sources[1 - i].integrationKey, eventType: 'ALERT', summary: 'wrong runtime' });
    expect(foreign.body.code).toBe('ALERT_SOURCE_NOT_FOUND');
  }
});

it('answers each management API with its own admin token only', async () => {
  for (const [i, runtime] of runtimes.entries()) {
    const withToken = (token: string) => clientFor({ url: runtime.url, adminToken: token }).request('GET', '/api/alert-sources');
    expect((await withToken(tokens[i])).status).toBe(200);
    expect((await withToken(tokens[1 - i])).status).toBe(401);
  }
});
