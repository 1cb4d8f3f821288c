// The real Prometheus Alertmanager (Debian's prometheus-alertmanager) with a webhook receiver pointing at the local
// runtime: alerts posted to its API become Alertline alerts, one per fingerprint, and ending them resolves them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortPair, startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { MAX_INBOUND_EVENTS } from '../../lambdas/integrations/index';
import { clientFor } from '../support/client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let source: { id: string; integrationKey: string };
let alertmanager: ChildProcess | undefined;
let amUrl: string;
let dir: string;
const amLog: string[] = [];

/** Short waits and intervals so that a notification follows a change within about a second. */
const config = (webhookUrl: string) => `
global:
  resolve_timeout: 1m
route:
  receiver: alertline
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: alertline
    webhook_configs:
      - url: ${JSON.stringify(webhookUrl)}
        send_resolved: true
        max_alerts: ${MAX_INBOUND_EVENTS}
`;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  client = clientFor(rt);
  source = await client.createSource({ integrationType: 'PROMETHEUS' });
  dir = mkdtempSync(join(tmpdir(), 'alertmanager-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config(`${rt.url}/api/events/alertmanager/${source.integrationKey}`));
  const port = await freePortPair();
  amUrl = `http://127.0.0.1:${port}`;
  alertmanager = spawn(
    ALERTMANAGER,
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [alertmanager.stdout, alertmanager.stderr]) stream?.on('data', (chunk: Buffer) => amLog.push(chunk.toString()));
  await waitFor(
    async () => {
      if (alertmanager?.exitCode !== null) throw new Error(`alertmanager exited: ${amLog.join('')}`);
      return fetch(`${amUrl}/-/ready`).then(
        (res) => res.ok,
        () => false,
      );
    },
    { timeoutMs: 20_000, what: () => `Alertmanager to be ready (log: ${amLog.join('')})`, intervalMs: 100 },
  );
});

afterAll(async () => {
  if (alertmanager && alertmanager.exitCode === null) {
    const exited = new Promise((resolve) => alertmanager!.once('exit', resolve));
    alertmanager.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (alertmanager.exitCode === null) alertmanager.kill('SIGKILL');
  }
  await rt?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Posts alerts to Alertmanager's own API, as Prometheus does. */
async function postAlerts(endsAt: Date) {
  const alert = (instance: string, severity: string) => ({
    labels: { alertname: 'AlertlineE2E', instance, severity, job: 'node' },
    annotations: { description: `${instance} is down` },
    startsAt: new Date(Date.now() - 60_000).toISOString(),
    endsAt: endsAt.toISOString(),
  });
  const res = await fetch(`${amUrl}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([alert('node-1:9100', 'critical'), alert('node-2:9100', 'warning')]),
  });
  expect(res.status).toBe(200);
}

const sourceAlerts = async () => (await client.alerts(`alertSourceId=${source.id}`)).body.items;

describe('a real Alertmanager with a webhook receiver pointing at Alertline', () => {
  it('opens one alert per fingerprint with its labels and mapped severity, and resolves them when the alerts end', async () => {
    await postAlerts(new Date(Date.now() + 10 * 60_000));
    const opened = await waitFor(
      async () => {
        const alerts = await sourceAlerts();
        return alerts.length === 2 ? alerts : undefined;
      },
      { timeoutMs: 30_000, what: () => `two Alertline alerts (Alertmanager log: ${amLog.join('') || 'empty'})` },
    );
    const byInstance = Object.fromEntries(opened.map((a: any) => [a.customDetails.instance, a]));
    expect(byInstance['node-1:9100']).toMatchObject({
      summary: 'AlertlineE2E on node-1:9100',
      details: 'node-1:9100 is down',
      priority: 'HIGH',
      customDetails: { alertname: 'AlertlineE2E', instance: 'node-1:9100', severity: 'critical', job: 'node' },
    });
    expect(byInstance['node-2:9100']).toMatchObject({ priority: 'LOW', customDetails: { severity: 'warning' } });
    // The alert key is Alertmanager's fingerprint: 16 hex digits.
    for (const alert of opened) expect(alert.alertKey).toMatch(/^[0-9a-f]{16}$/);

    await postAlerts(new Date(Date.now() - 1000));
    const resolved = await waitFor(
      async () => {
        const alerts = await sourceAlerts();
        return alerts.every((a: any) => a.status === 'RESOLVED') ? alerts : undefined;
      },
      { timeoutMs: 30_000, what: () => `the alerts to be RESOLVED (Alertmanager log: ${amLog.join('') || 'empty'})` },
    );
    // Still one alert per fingerprint: repeated notifications appended, never duplicated.
    expect(resolved.map((a: any) => a.id).sort()).toEqual(opened.map((a: any) => a.id).sort());
  });
});
