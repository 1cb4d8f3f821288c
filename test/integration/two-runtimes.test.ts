// Two local runtimes side by side in this one process: each built from its own configuration, each applying only its own events.
import type { Runtime } from '../../local/runtime';
import { clientFor } from '../support/client';
import { startInProcessRuntime, type InProcessRuntime } from '../support/in-process-runtime';

jest.setTimeout(180_000);

type Client = InProcessRuntime['client'];
const runtimes: Runtime[] = [];
const stops: Array<() => Promise<void>> = [];
const clients: Client[] = [];
const tokens: string[] = [];

beforeAll(async () => {
  // Powertools reads its log level and metrics switch when the handlers' logger and metrics are built (first import).
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  for (const name of ['a', 'b']) {
    // The runtime's own escalation tick, as `npm start` has it.
    const started = await startInProcessRuntime(`two-${name}`, { escalationTickSeconds: undefined });
    stops.push(started.stop);
    runtimes.push(started.runtime);
    tokens.push(started.adminToken);
    clients.push(started.client);
  }
});

afterAll(async () => {
  for (const stop of stops) await stop();
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
