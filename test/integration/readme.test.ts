// The README's management and PagerDuty examples work as printed (against a runtime on a test port, with the token they assume).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

jest.setTimeout(60_000);

let rt: RuntimeProcess;
let integrationKey: string;
let alertSourceId: string;
beforeAll(async () => {
  rt = await startRuntimeProcess({ adminToken: 'change-me' });
  // The events examples assume the integration key of an alert source in $INTEGRATION_KEY; heartbeat monitors and
  // maintenance windows name it by $ALERT_SOURCE_ID.
  ({ integrationKey, id: alertSourceId } = await clientFor(rt).createSource());
});
afterAll(() => rt?.stop());

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const curlBlocks = [...readme.matchAll(/```sh\n(curl [\s\S]*?)```/g)].map((m) => m[1]);

it('has curl examples for alert sources, escalation policies and PagerDuty events', () => {
  expect(curlBlocks.some((b) => b.includes('/api/alert-sources'))).toBe(true);
  expect(curlBlocks.some((b) => b.includes('/api/escalation-policies'))).toBe(true);
  expect(curlBlocks.some((b) => b.includes('/v2/enqueue'))).toBe(true);
});

it.each(curlBlocks.map((b) => [b.split('\n')[0].slice(0, 80), b]))('runs %s', async (_title, block) => {
  const script = block.replaceAll('http://127.0.0.1:8787', rt.url);
  const { stdout } = await promisify(execFile)('sh', ['-c', script], {
    env: { ...process.env, ADMIN_TOKEN: 'change-me', INTEGRATION_KEY: integrationKey, ALERT_SOURCE_ID: alertSourceId },
  });
  const body = JSON.parse(stdout);
  const pagerDuty = /\/v2\/enqueue|\/api\/events\/pagerduty\//.test(block);
  if (pagerDuty) expect(body).toEqual({ status: 'success', message: 'Event processed', dedup_key: expect.any(String) });
  else if (block.includes('/api/events/')) expect(body).toEqual({ eventIds: [expect.any(String)], alertKeys: [expect.any(String)], status: 'QUEUED' });
  else expect(body).toMatchObject({ id: expect.any(String), createdAt: expect.any(String) });
});
