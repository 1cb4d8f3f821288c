// `npm run screenshots`: the README's pictures of the web UI, taken in Debian's chromium from a fresh local runtime
// with a few seeded alerts; writes docs/screenshots/alerts.png and docs/screenshots/alert.png.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { signIn, startUi, visible } from '../test/browser/support';

const OUT = resolve(__dirname, '..', 'docs/screenshots');

const DETAILS = [
  'Free space on `/var/lib/postgresql` fell below **5%**.',
  '',
  '1. Check the largest tables: `SELECT relname, pg_total_relation_size(oid) FROM pg_class ORDER BY 2 DESC LIMIT 10;`',
  '2. Run a `VACUUM` on them, or grow the volume.',
  '',
  'See the [runbook](https://example.com/runbooks/disk-full).',
].join('\n');

/** Alerts in every status, over two alert sources, the last one the richest (the alert page shows it). */
async function seed(ui: Awaited<ReturnType<typeof startUi>>): Promise<string> {
  const policy = await ui.client.request('POST', '/api/escalation-policies', {
    body: { name: 'Database on-call', escalationRules: [{ escalationTimeout: 0 }] },
  });
  const prod = await ui.client.createSource({ name: 'Production database', escalationPolicy: { id: policy.body.id } });
  const web = await ui.client.createSource({ name: 'Web frontend', alertPriorityRule: 'LOW' });
  const sent = await ui.client.send(
    { apiKey: web.integrationKey, eventType: 'ALERT', summary: 'Checkout latency above 2 s (p95)', alertKey: 'checkout-latency' },
    { apiKey: web.integrationKey, eventType: 'ALERT', summary: 'TLS certificate expires in 7 days', alertKey: 'tls-expiry' },
    { apiKey: prod.integrationKey, eventType: 'ALERT', summary: 'Replication lag on db-2 above 30 s', alertKey: 'replication-lag' },
    { apiKey: prod.integrationKey, eventType: 'ALERT', summary: 'Backup job failed: nightly-full', alertKey: 'backup-nightly' },
    {
      apiKey: prod.integrationKey,
      eventType: 'ALERT',
      summary: 'Disk almost full on db-1',
      alertKey: 'db-1-disk',
      details: DETAILS,
      links: [{ href: 'https://example.com/grafana/d/db-1', text: 'Grafana: db-1 disks' }],
      customDetails: { host: 'db-1', region: 'eu-central-1', disk: { mount: '/var/lib/postgresql', used: '96%', free: '8.1 GiB' } },
    },
  );
  await ui.client.request('PUT', `/api/alerts/${sent[1].alertId}/accept`);
  await ui.client.request('PUT', `/api/alerts/${sent[3].alertId}/resolve`);
  await ui.client.send({ apiKey: prod.integrationKey, eventType: 'ALERT', summary: 'Disk almost full on db-1', alertKey: 'db-1-disk' });
  return sent[4].alertId;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const ui = await startUi();
  try {
    const alertId = await seed(ui);
    const page = await ui.newPage();
    await page.setViewportSize({ width: 1280, height: 720 });
    await signIn(page, ui.rt.adminToken);
    await page.getByRole('tab', { name: 'All' }).click();
    await visible(page.getByRole('link', { name: 'Backup job failed: nightly-full' }));
    await page.screenshot({ path: join(OUT, 'alerts.png') });

    await page.goto(`/alerts/${alertId}`);
    await visible(page.getByRole('button', { name: 'Accept', exact: true }));
    await visible(page.getByText('ALERT_RECEIVED').first());
    await page.screenshot({ path: join(OUT, 'alert.png'), fullPage: true });
    console.log(`wrote ${join('docs/screenshots', 'alerts.png')} and ${join('docs/screenshots', 'alert.png')}`);
  } finally {
    await ui.close();
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
