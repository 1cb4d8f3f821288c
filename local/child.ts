// Starts `npm start`'s runtime as a child process (for the integration tests and the benchmark) and waits until it serves.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Runtime } from './runtime';

export interface RuntimeProcess {
  url: string;
  adminToken: string;
  dataDir: string;
  /** What the runtime printed on stdout so far (the banner with the demo curl, among others). */
  output: () => string;
  /** Its plain-text notices on stderr (poller errors, fault notices), then the last 20,000 characters of it. */
  errors: () => string;
  pid: number;
  /** Sends a signal to the runtime (SIGUSR2 cuts or restores its queue). */
  signal: (signal: NodeJS.Signals) => void;
  /** What the runtime wrote to runtime.json: its endpoints, queues and table. */
  info: Omit<Runtime, 'url' | 'tick' | 'stop'>;
  /** Ctrl-C: lets in-flight batches finish. */
  stop: () => Promise<number | null>;
  /** kill -9 of the runtime (DynamoDB Local survives it and is cleaned up by the next start). */
  kill: () => Promise<void>;
}

const ROOT = resolve(__dirname, '..');

const canBind = (port: number) =>
  new Promise<boolean>((ok) => {
    const server = createServer();
    server.once('error', () => ok(false)).listen(port, '0.0.0.0', () => server.close(() => ok(true)));
  });

/**
 * A port P with P+1 free too (the runtime and its DynamoDB Local), below Linux's ephemeral range (32768+), where
 * the outgoing connections of other tests would otherwise take it between this check and the bind.
 */
export async function freePortPair(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if ((await canBind(port)) && (await canBind(port + 1))) return port;
    if (attempt > 50) throw new Error('no free port pair found between 20000 and 32000');
  }
}

export async function startRuntimeProcess(
  options: { dataDir?: string; port?: number; env?: Record<string, string>; adminToken?: string; timeoutMs?: number } = {},
): Promise<RuntimeProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'alertline-'));
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');
  const port = options.port ?? (await freePortPair());
  // `node --import tsx` keeps the runtime in one process (tsx's CLI would add a parent), so kill -9 hits the runtime itself.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bin/local.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      PORT: String(port),
      DATA_DIR: dataDir,
      ADMIN_TOKEN: adminToken,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  // Handler logs are JSON lines and can be many; the runtime's own notices (plain lines) are kept whole.
  let notices = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d).slice(-20_000);
    for (const line of String(d).split('\n')) if (line && !line.startsWith('{')) notices = (notices + line + '\n').slice(-100_000);
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (!/Alertline is running on (\S+)/.test(stdout)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the local runtime did not start:\n${stdout}\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /Alertline is running on (\S+)/.exec(stdout)![1];
  const info = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8'));
  return {
    url,
    adminToken,
    dataDir,
    info,
    output: () => stdout,
    errors: () => `${notices}\n${stderr}`,
    pid: child.pid!,
    signal: (signal) => void child.kill(signal),
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
