// Builds the web UI for `npm start` when dist/web is missing or older than its sources, one build at a time per checkout.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { WEB_UI_DIR } from './web-ui';

/** The UI's sources and its Vite configuration. */
export const WEB_SOURCE_DIR = resolve(__dirname, '..', 'web');

/** A build older than any of its sources (or absent) must be redone. */
export const isBuildStale = (builtAtMs: number | undefined, sourceTimesMs: number[]): boolean =>
  builtAtMs === undefined || sourceTimesMs.some((time) => time > builtAtMs);

/** Modification times of every file under a folder. */
function fileTimes(dir: string): number[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return fileTimes(path);
    return entry.isFile() ? [statSync(path).mtimeMs] : [];
  });
}

const builtAt = (outDir: string): number | undefined => {
  const index = join(outDir, 'index.html');
  return existsSync(index) ? statSync(index).mtimeMs : undefined;
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The pid in a lock file; 0 when it is gone or not yet written. */
const lockHolder = (lock: string): number => {
  try {
    return Number(readFileSync(lock, 'utf8')) || 0;
  } catch {
    return 0;
  }
};

/**
 * Takes the build lock, or answers false while another live process holds it. Integration tests start several
 * runtimes at once from one checkout: one builds, the others wait and then find the build fresh.
 */
function tryLock(lock: string): boolean {
  try {
    const fd = openSync(lock, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // A holder that died mid-build (kill -9) leaves its lock behind: take it over. An empty file is one being written,
    // a missing one a build that just ended.
    const holder = lockHolder(lock);
    if (holder > 0 && !isAlive(holder)) rmSync(lock, { force: true });
    return false;
  }
}

/** Vite's command line, run in a process of its own: the bundler's memory is not kept by the runtime. */
function viteBuild(configFile: string, outDir: string): Promise<void> {
  const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const args = [vite, 'build', '--config', configFile, '--configLoader', 'runner', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'];
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`vite build exited with ${code}:\n${output.trim()}`))));
  });
}

/**
 * Builds into a folder of its own, then swaps it in: a runtime already serving dist/web never sees it half written.
 * The index keeps the build's start time, so a source saved during the build makes the next start build again.
 */
async function build(sourceDir: string, outDir: string): Promise<void> {
  const started = new Date();
  const next = `${outDir}.${process.pid}.next`;
  const old = `${outDir}.${process.pid}.old`;
  await viteBuild(join(sourceDir, 'vite.config.ts'), next).catch((error: Error) => {
    rmSync(next, { recursive: true, force: true });
    throw error;
  });
  utimesSync(join(next, 'index.html'), started, started);
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(next, outDir);
  rmSync(old, { recursive: true, force: true });
}

export interface WebBuildOptions {
  sourceDir?: string;
  outDir?: string;
  log: (line: string) => void;
  /** How long to wait for another process's build. @default 180 s */
  timeoutMs?: number;
}

/** Builds the UI unless its build is fresh; answers whether it built. No sources (a trimmed checkout): nothing to do. */
export async function ensureWebUiBuilt(options: WebBuildOptions): Promise<boolean> {
  const sourceDir = options.sourceDir ?? WEB_SOURCE_DIR;
  const outDir = options.outDir ?? WEB_UI_DIR;
  if (!existsSync(sourceDir)) return false;
  const lock = join(dirname(outDir), '.web-build.lock');
  mkdirSync(dirname(outDir), { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  while (isBuildStale(builtAt(outDir), fileTimes(sourceDir))) {
    if (tryLock(lock)) {
      try {
        // Another process may have finished a build between the check above and the lock.
        if (!isBuildStale(builtAt(outDir), fileTimes(sourceDir))) return false;
        options.log('building the web UI...');
        await build(sourceDir, outDir);
        return true;
      } finally {
        unlinkSync(lock);
      }
    }
    if (Date.now() > deadline) throw new Error(`another process has been building the web UI for too long (lock ${lock})`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}
