// The README's management examples work as printed (against a runtime on a test port, with the token they assume).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';

jest.setTimeout(60_000);

let rt: RuntimeProcess;
beforeAll(async () => {
  rt = await startRuntimeProcess({ adminToken: 'change-me' });
});
afterAll(() => rt?.stop());

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const curlBlocks = [...readme.matchAll(/```sh\n(curl [\s\S]*?)```/g)].map((m) => m[1]);

it('has curl examples for alert sources and escalation policies', () => {
  expect(curlBlocks.some((b) => b.includes('/api/alert-sources'))).toBe(true);
  expect(curlBlocks.some((b) => b.includes('/api/escalation-policies'))).toBe(true);
});

it.each(curlBlocks.map((b) => [b.split('\n')[0].slice(0, 80), b]))('runs %s', async (_title, block) => {
  const script = block.replaceAll('http://127.0.0.1:8787', rt.url);
  const { stdout } = await promisify(execFile)('sh', ['-c', script], { env: { ...process.env, ADMIN_TOKEN: 'change-me' } });
  const body = JSON.parse(stdout);
  expect(body).toMatchObject({ id: expect.any(String), createdAt: expect.any(String) });
});
