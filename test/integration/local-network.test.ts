// The local runtime is closed to the network: only the gateway listens beyond loopback, its data folder is private, and it prints no chosen token.
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

jest.setTimeout(120_000);

interface Listener {
  port: number;
  loopback: boolean;
  address: string;
}

/** /proc/net/tcp{,6} print each 32-bit word of an address in host (little-endian) byte order. */
function addressBytes(hex: string): number[] {
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    for (let i = 6; i >= 0; i -= 2) bytes.push(parseInt(hex.slice(word + i, word + i + 2), 16));
  }
  return bytes;
}

function isLoopback(bytes: number[]): boolean {
  if (bytes.length === 4) return bytes[0] === 127;
  const v4Mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (v4Mapped) return bytes[12] === 127;
  return bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
}

/** The pid given and every process below it (the runtime's Java child, whatever else it starts). */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in parentheses may hold spaces: the parent pid is the second field after its closing one.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while the list was read
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]) ?? []));
  return tree;
}

/** The TCP sockets in LISTEN state held by these processes, read from /proc (what `ss -ltnp` shows, without needing ss). */
function listeners(pids: number[]): Listener[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith('socket:[')) inodes.add(target.slice(8, -1));
      } catch {
        // the descriptor closed while the list was read
      }
    }
  }
  const found: Listener[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      if (state !== '0A' || !inodes.has(inode)) continue; // 0A: TCP_LISTEN
      const [hex, port] = local.split(':');
      const bytes = addressBytes(hex);
      found.push({ port: parseInt(port, 16), loopback: isLoopback(bytes), address: bytes.join(bytes.length === 4 ? '.' : ':') });
    }
  }
  return found;
}

// A queue URL (http://sqs.us-east-1.127.0.0.1:<port>/...) is no valid WHATWG URL: its port is read by hand.
const portOf = (url: string) => Number(/^http:\/\/[^/]*:(\d+)(\/|$)/.exec(url)![1]);

describe('a runtime started with HOST=0.0.0.0 and an ADMIN_TOKEN of the operator', () => {
  let rt: RuntimeProcess;
  let dataDir: string;

  beforeAll(async () => {
    // A data folder an earlier version left readable by everyone: the start must tighten it.
    dataDir = mkdtempSync(join(tmpdir(), 'alertline-network-'));
    chmodSync(dataDir, 0o755);
    rt = await startRuntimeProcess({ dataDir, env: { HOST: '0.0.0.0' } });
  });
  afterAll(() => rt?.stop());

  it('listens beyond loopback with the gateway only; DynamoDB Local and the queue server listen on loopback', () => {
    const javaPid = Number(readFileSync(join(dataDir, 'dynamodb.pid'), 'utf8'));
    const pids = processTree(rt.pid);
    expect(pids).toContain(javaPid);
    const all = listeners(pids);

    expect(all.filter((l) => !l.loopback).map((l) => l.port)).toEqual([portOf(rt.url)]);
    // The engines were found (on loopback), so the check above looked at the right processes.
    const loopbackPorts = all.filter((l) => l.loopback).map((l) => l.port);
    expect(loopbackPorts).toEqual(expect.arrayContaining([portOf(rt.info.dynamoDbEndpoint), portOf(rt.info.queueUrl)]));
  });

  it('keeps its data folder and the database folder private to its user (mode 0700)', () => {
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'dynamodb')).mode & 0o777).toBe(0o700);
  });

  it('prints $ADMIN_TOKEN in its curl, not the token, and that curl works in a shell holding the token', async () => {
    const banner = rt.output();
    expect(banner).not.toContain(rt.adminToken);
    const curl = /^\s*(curl -sS \S+\/api\/alerts .*)$/m.exec(banner)![1];
    expect(curl).toContain('$ADMIN_TOKEN');
    const { stdout } = await promisify(execFile)('sh', ['-c', curl], { env: { ...process.env, ADMIN_TOKEN: rt.adminToken } });
    expect(JSON.parse(stdout)).toEqual(expect.objectContaining({ items: expect.any(Array) }));
  });

  it('answers /api/openapiXjson without a token as any unknown management path (401), not with the public document', async () => {
    const client = clientFor(rt);
    const lookalike = await client.request('GET', '/api/openapiXjson', { token: null });
    expect(lookalike.status).toBe(401);
    expect((await client.request('GET', '/api/openapi.json', { token: null })).status).toBe(200);
  });
});

describe('a runtime started with the default HOST and no ADMIN_TOKEN', () => {
  let rt: RuntimeProcess;

  // An empty ADMIN_TOKEN is "not set": the runtime generates one and prints it.
  beforeAll(async () => (rt = await startRuntimeProcess({ env: { ADMIN_TOKEN: '' } })));
  afterAll(() => rt?.stop());

  it('listens on loopback only', () => {
    const all = listeners(processTree(rt.pid));
    expect(all.map((l) => l.port)).toEqual(expect.arrayContaining([portOf(rt.url), portOf(rt.info.dynamoDbEndpoint), portOf(rt.info.queueUrl)]));
    expect(all.filter((l) => !l.loopback)).toEqual([]);
  });

  it('prints the generated token, and its curl works as printed', async () => {
    const token = /generated for this run.*: (\S+)$/m.exec(rt.output())![1];
    const curl = /^\s*(curl -sS \S+\/api\/alerts .*)$/m.exec(rt.output())![1];
    expect(curl).toContain(`Bearer ${token}`);
    const { stdout } = await promisify(execFile)('sh', ['-c', curl], { env: { ...process.env, ADMIN_TOKEN: '' } });
    expect(JSON.parse(stdout)).toEqual(expect.objectContaining({ items: expect.any(Array) }));
  });
});
