// `npm run bench`: end-to-end load test of the local runtime (ingest -> FIFO queue -> processor -> DynamoDB Local),
// plus the raw conditional PutItem rate of the same DynamoDB Local as a yardstick. The last stdout line is one JSON object.
//
//   npm run bench -- --events 5000 --concurrency 16 [--sources 20] [--keys 200] [--pollers N] [--raw-puts 3000]
//                    [--timeout 300] [--seed 1] [--keep] [--profile] [--cost-events 200] [--warmup 1000]
// First it measures what an event costs in AWS (bench/cost.ts: --cost-events per kind of event, 0 skips it), then the
// throughput of the local runtime: --warmup events (to alert sources of their own, not timed) bring the engines to
// speed, as the raw PutItem rate is measured warm, then --events are posted and timed.
// --profile preloads bench/profile.cjs into the runtime and adds the time its AWS SDK calls took to the report.
// Environment overrides: BENCH_EVENTS, BENCH_CONCURRENCY, BENCH_SOURCES, BENCH_KEYS, BENCH_POLLERS (or POLLERS),
// BENCH_RAW_PUTS, BENCH_TIMEOUT_S, BENCH_SEED, BENCH_PROFILE=1, BENCH_WARMUP. Progress goes to stderr; the table and the JSON line to stdout.
// The runtime runs in a fresh directory under $TMPDIR, removed at the end (--keep keeps it). Exit code: 0, or 1 when
// an event was lost, a post was refused or a run gave up (--timeout seconds after posting), 2 for bad arguments.
// Other load on the machine skews every figure: the table shows the CPU other processes used, and warns.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startRuntimeProcess, type RuntimeProcess } from '../local/child';
import { costKeys, costTable, measureCosts, type KindCost } from './cost';
import { LoadApi, MIX_LABEL, mulberry32, numberOption, percentile, pool, randomEvent, round, sleep, type EventType } from './load';

// The SDK's notice about future Node versions would only clutter the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// ---------------------------------------------------------------------------------------------------------------
// Options

interface Options {
  events: number;
  concurrency: number;
  sources: number;
  keys: number;
  pollers?: number;
  rawPuts: number;
  timeoutS: number;
  seed: number;
  keep: boolean;
  profile: boolean;
  costEvents: number;
  warmup: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      events: { type: 'string' },
      concurrency: { type: 'string' },
      sources: { type: 'string' },
      keys: { type: 'string' },
      pollers: { type: 'string' },
      'raw-puts': { type: 'string' },
      timeout: { type: 'string' },
      seed: { type: 'string' },
      keep: { type: 'boolean' },
      profile: { type: 'boolean' },
      'cost-events': { type: 'string' },
      warmup: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.error(
      'usage: npm run bench -- [--events 5000] [--concurrency 16] [--sources 20] [--keys 200] [--pollers N] [--raw-puts 3000] [--timeout 300] [--seed 1] [--keep] [--profile] [--cost-events 200] [--warmup 1000]',
    );
    process.exit(0);
  }
  const env = process.env;
  const pollers = values.pollers ?? env.BENCH_POLLERS ?? env.POLLERS;
  const options: Options = {
    events: numberOption('events', values.events ?? env.BENCH_EVENTS, 5000, 1),
    concurrency: numberOption('concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 16, 1),
    sources: numberOption('sources', values.sources ?? env.BENCH_SOURCES, 20, 1),
    keys: numberOption('keys', values.keys ?? env.BENCH_KEYS, 200, 1),
    pollers: pollers === undefined ? undefined : numberOption('pollers', pollers, 2, 1),
    rawPuts: numberOption('raw-puts', values['raw-puts'] ?? env.BENCH_RAW_PUTS, 3000, 0),
    timeoutS: numberOption('timeout', values.timeout ?? env.BENCH_TIMEOUT_S, 300, 1),
    seed: numberOption('seed', values.seed ?? env.BENCH_SEED, 1, 0),
    keep: values.keep ?? false,
    profile: values.profile ?? process.env.BENCH_PROFILE === '1',
    costEvents: numberOption('cost-events', values['cost-events'] ?? env.BENCH_COST_EVENTS, 200, 0),
    warmup: numberOption('warmup', values.warmup ?? env.BENCH_WARMUP, 1000, 0),
  };
  if (options.keys < options.sources) throw new Error('--keys must be at least --sources (every source gets its share of keys)');
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

const log = (line: string) => console.error(`[bench] ${line}`);
/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere or once it is gone. */
let clockTicks: number | undefined;
function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks; // utime, stime (fields 14 and 15 of stat)
  } catch {
    return undefined;
  }
}

/** Busy CPU seconds of the whole machine, summed over cores, from /proc/stat (Linux); undefined elsewhere. */
function machineBusySeconds(): number | undefined {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [user, nice, system, , , irq, softirq, steal] = fields.map(Number);
    return (user + nice + system + irq + softirq + (steal || 0)) / clockTicks;
  } catch {
    return undefined;
  }
}

interface CpuSnapshot {
  at: number;
  runtime?: number;
  /** DynamoDB Local's pid at the time: the runtime restarts it if it dies, and CPU across two processes means nothing. */
  dynamoPid?: number;
  dynamo?: number;
  bench: number;
  machine?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP against the runtime (Node's global fetch: undici, connections kept alive and reused)

interface EventSpec {
  source: number;
  body: { apiKey: string; eventType: EventType; summary: string; alertKey: string };
}

interface EventRecord {
  eventId: string;
  outcome: string;
  receivedAt?: string;
  processedAt?: string;
}

/** An event record, or undefined for 404; 'ERROR' when it could not be read (after the client's retries). */
async function getEventRetrying(api: LoadApi, eventId: string): Promise<EventRecord | undefined | 'ERROR'> {
  try {
    const res = await api.get(`/api/events/${encodeURIComponent(eventId)}`);
    if (res.status === 404) return undefined;
    return res.status === 200 ? (res.body as EventRecord) : 'ERROR';
  } catch {
    return 'ERROR';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The phases

/** `count` events of the mix over the sources' keys (`<prefix>-key-<n>`), the same for the same seed. */
/**
 * Posts the warm-up events to alert sources of their own and waits until they are applied: DynamoDB Local's JIT and
 * the runtime's connections and caches are then warm, as they are for the raw PutItem rate (which warms up too), so
 * that the ratio of the two compares steady states. Without it, the first seconds of posting run at half speed.
 */
async function warmUp(api: LoadApi, options: Options, deadline: number): Promise<{ events: number; seconds: number }> {
  const t0 = Date.now();
  const sources: Array<{ id: string; integrationKey: string }> = [];
  for (let i = 0; i < options.sources; i++) sources.push(await api.createSource(`bench warm-up source ${i + 1}`));
  const specs = generateEvents(options, sources, { count: options.warmup, seed: options.seed + 1, prefix: 'warm-up' });
  log(`warming up: ${specs.length} events to ${sources.length} alert sources of their own (not timed)`);
  const posted = await postAll(api, specs, options.concurrency);
  if (posted.accepted.length < specs.length)
    throw new Error(`warm-up: ${specs.length - posted.accepted.length} event(s) refused: ${posted.errorSamples.join('; ')}`);
  const drained = await waitForLastPerSource(api, posted.accepted, deadline);
  const verified = await verifyAll(api, posted.accepted, options.concurrency, drained ? deadline : Date.now());
  if (!drained || verified.timedOut) throw new Error(`warm-up: not every event was applied within ${options.timeoutS} s (--timeout)`);
  return { events: specs.length, seconds: (Date.now() - t0) / 1000 };
}

function generateEvents(
  options: Options,
  sources: Array<{ integrationKey: string }>,
  { count, seed, prefix }: { count: number; seed: number; prefix: string },
): EventSpec[] {
  const random = mulberry32(seed);
  const specs: EventSpec[] = [];
  for (let i = 0; i < count; i++) {
    const { key, eventType } = randomEvent(random, options.keys);
    const source = key % options.sources; // every key belongs to one source; 200 keys over 20 sources = 10 each
    specs.push({
      source,
      body: {
        apiKey: sources[source].integrationKey,
        eventType,
        summary: `${prefix} ${eventType.toLowerCase()} #${i}: disk usage above threshold on host-${key}`,
        alertKey: `${prefix}-key-${key}`,
      },
    });
  }
  return specs;
}

interface PostResult {
  latenciesMs: number[];
  accepted: Array<{ eventId: string; source: number; index: number }>;
  errors: Map<string, number>;
  errorSamples: string[];
  startedAt: number;
  endedAt: number;
}

async function postAll(api: LoadApi, specs: EventSpec[], concurrency: number): Promise<PostResult> {
  const latenciesMs: number[] = [];
  const accepted: PostResult['accepted'] = [];
  const errors = new Map<string, number>();
  const errorSamples: string[] = [];
  const startedAt = Date.now();
  let lastReport = startedAt;
  await pool(specs.length, concurrency, async (i) => {
    const t0 = performance.now();
    const out = await api.postEvent(specs[i].body);
    const ms = performance.now() - t0;
    if (out.status === 202 && out.eventId) {
      latenciesMs.push(ms);
      accepted.push({ eventId: out.eventId, source: specs[i].source, index: i });
    } else {
      const label = out.status === 0 ? 'network error' : `HTTP ${out.status}`;
      errors.set(label, (errors.get(label) ?? 0) + 1);
      if (errorSamples.length < 5) errorSamples.push(`${label}: ${out.error}`);
    }
    const now = Date.now();
    if (now - lastReport >= 2000) {
      lastReport = now;
      log(`posted ${accepted.length + [...errors.values()].reduce((a, b) => a + b, 0)}/${specs.length}`);
    }
  });
  return { latenciesMs, accepted, errors, errorSamples, startedAt, endedAt: Date.now() };
}

const isApplied = (record: EventRecord | undefined) => record !== undefined && record.outcome !== 'QUEUED' && record.outcome !== 'FAILED';

/**
 * Cheap completion detection while the pipeline drains: per alert source, poll the event whose 202 came last.
 * Events of a source are applied in queue order, so once it is applied (almost) all of that source's are; the full
 * verification afterwards catches the few that were enqueued after it by a concurrent request.
 */
async function waitForLastPerSource(api: LoadApi, accepted: PostResult['accepted'], deadline: number): Promise<boolean> {
  const lastBySource = new Map<number, string>();
  for (const a of accepted) lastBySource.set(a.source, a.eventId); // `accepted` is in 202-arrival order
  const pending = new Set(lastBySource.values());
  let lastReport = Date.now();
  while (pending.size > 0) {
    if (Date.now() > deadline) return false;
    // Few reads, spread out: they hit the same DynamoDB Local as the processor, and the end time comes from processedAt.
    const ids = [...pending];
    await pool(ids.length, 4, async (i) => {
      const record = await getEventRetrying(api, ids[i]);
      if (record !== 'ERROR' && (isApplied(record) || record?.outcome === 'FAILED')) pending.delete(ids[i]);
    });
    if (pending.size === 0) break;
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now();
      log(`waiting for ${pending.size}/${lastBySource.size} alert source(s) to drain`);
    }
    await sleep(500);
  }
  return true;
}

interface Verification {
  records: Map<string, EventRecord | undefined | 'ERROR'>;
  timedOut: boolean;
}

/** Reads every accepted event; re-reads those still QUEUED until they are applied or the deadline passes. */
async function verifyAll(api: LoadApi, accepted: PostResult['accepted'], concurrency: number, deadline: number): Promise<Verification> {
  const records = new Map<string, EventRecord | undefined | 'ERROR'>();
  let todo = accepted.map((a) => a.eventId);
  let timedOut = false;
  for (let round = 0; todo.length > 0; round++) {
    if (round > 0) {
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
      log(`${todo.length} event(s) not applied yet, reading them again`);
      await sleep(250);
    }
    await pool(todo.length, concurrency, async (i) => {
      records.set(todo[i], await getEventRetrying(api, todo[i]));
    });
    todo = todo.filter((id) => {
      const r = records.get(id);
      return r !== 'ERROR' && r?.outcome === 'QUEUED';
    });
  }
  return { records, timedOut };
}

async function rawPutRate(endpoint: string, tableName: string, count: number, concurrency: number) {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }));
  const put = (i: number) =>
    db.send(
      new PutCommand({
        TableName: tableName,
        Item: { pk: `BENCH#${randomUUID()}`, sk: 'BENCH', entity: 'Bench', n: i, note: 'raw conditional PutItem of the benchmark' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  try {
    // Warm-up (connections, SDK initialisation, the engine's JIT for this call), not timed: the pipeline's warm-up makes
    // no single PutItem calls.
    await pool(Math.min(1000, count), concurrency, async (i) => void (await put(-1 - i)));
    let errors = 0;
    const t0 = performance.now();
    await pool(count, concurrency, async (i) => {
      try {
        await put(i);
      } catch {
        errors++;
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    return { perSec: (count - errors) / seconds, seconds, errors };
  } finally {
    db.destroy();
  }
}

type Profile = Record<string, { calls: number; totalS: number; p50Ms: number; p99Ms: number; messages: number; empty: number }>;

/** What bench/profile.cjs recorded in the runtime (the latest dump of the runtime process), if anything. */
function readProfile(dir: string): Profile | undefined {
  try {
    const file = readdirSync(dir).find((f) => f.startsWith('profile-'));
    return file ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const options = parseOptions();
  // A fresh directory for every run (so the numbers are reproducible), removed at the end.
  const dataRoot = mkdtempSync(join(tmpdir(), 'alertline-bench-'));
  let dataDir = dataRoot;
  let runtime: RuntimeProcess | undefined;
  let cleanedUp = false;
  let profile: Profile | undefined;

  /** The Java process of DynamoDB Local, which survives a kill -9 of the runtime and must then be ended by its pid. */
  const dynamoPid = (): number | undefined => {
    try {
      return Number(readFileSync(join(dataDir, 'dynamodb.pid'), 'utf8')) || undefined;
    } catch {
      return undefined;
    }
  };
  const killLeftoverDynamo = (pid: number | undefined) => {
    if (!pid) return;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('DynamoDBLocal')) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const cleanup = async () => {
    if (cleanedUp) return;
    cleanedUp = true;
    if (runtime) {
      const javaPid = dynamoPid();
      const stopped = await Promise.race([runtime.stop().then(() => true), sleep(30_000).then(() => false)]);
      if (!stopped) {
        log('the runtime did not stop within 30 s after Ctrl-C; killing it');
        await runtime.kill();
      }
      // A clean stop removes the pid file; if it is still there, DynamoDB Local may have outlived the runtime.
      if (existsSync(join(dataDir, 'dynamodb.pid'))) killLeftoverDynamo(javaPid);
    }
    if (options.profile) profile = readProfile(join(dataRoot, 'profile'));
    if (options.keep) log(`data kept in ${dataRoot}`);
    else rmSync(dataRoot, { recursive: true, force: true, maxRetries: 3 });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the runtime and removing ${dataRoot}`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    let costs: KindCost[] = [];
    if (options.costEvents > 0) {
      log(`measuring what an event costs: ${options.costEvents} events per kind, then the mix`);
      costs = await measureCosts({ perKind: options.costEvents, mixKeys: Math.max(1, Math.round(options.costEvents / 5)), sources: 10, log });
    }
    log(
      `events=${options.events} concurrency=${options.concurrency} sources=${options.sources} keys=${options.keys} ` +
        `pollers=${options.pollers ?? 'runtime default'} seed=${options.seed}`,
    );
    const startT0 = Date.now();
    // The runtime picks a random port (and the next one for DynamoDB Local): on a busy machine one may be taken, so
    // a failed start is retried, each time in a fresh directory.
    for (let attempt = 1; !runtime; attempt++) {
      dataDir = join(dataRoot, `run-${attempt}`);
      try {
        runtime = await startRuntimeProcess({
          dataDir,
          env: {
            ...(options.pollers !== undefined ? { POLLERS: String(options.pollers) } : {}),
            LOG_LEVEL: process.env.LOG_LEVEL ?? 'WARN',
            ...(options.profile
              ? {
                  BENCH_PROFILE_DIR: (mkdirSync(join(dataRoot, 'profile'), { recursive: true }), join(dataRoot, 'profile')),
                  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(join(__dirname, 'profile.cjs'))}`.trim(),
                }
              : {}),
          },
          timeoutMs: 120_000,
        });
      } catch (error) {
        if (attempt >= 3) throw error;
        log(`the runtime did not start (attempt ${attempt}), retrying: ${(error as Error).message.split('\n').slice(0, 3).join(' | ')}`);
        killLeftoverDynamo(dynamoPid());
      }
    }
    log(`runtime up on ${runtime.url} in ${((Date.now() - startT0) / 1000).toFixed(1)} s (DynamoDB Local ${runtime.info.dynamoDbEndpoint})`);
    const runtimePid = runtime.pid;
    const snapshot = (): CpuSnapshot => {
      const own = process.cpuUsage();
      const javaPid = dynamoPid();
      return {
        at: Date.now(),
        runtime: cpuSeconds(runtimePid),
        dynamoPid: javaPid,
        dynamo: cpuSeconds(javaPid),
        bench: (own.user + own.system) / 1e6,
        machine: machineBusySeconds(),
      };
    };

    const api = new LoadApi(runtime.url, runtime.adminToken);
    const sources: Array<{ id: string; integrationKey: string }> = [];
    for (let i = 0; i < options.sources; i++) sources.push(await api.createSource(`bench source ${i + 1}`));
    const specs = generateEvents(options, sources, { count: options.events, seed: options.seed, prefix: 'bench' });
    const warmup = options.warmup > 0 ? await warmUp(api, options, Date.now() + options.timeoutS * 1000) : undefined;

    // Yardstick: raw single conditional PutItem calls against the same DynamoDB Local while the pipeline is idle, just
    // before the run and just after it: the engine's speed drifts (the disk, the neighbours), and the mean of the two
    // spans the run.
    const measureRaw = async (when: string) => {
      log(`measuring ${options.rawPuts} raw conditional PutItem calls ${when} (concurrency ${options.concurrency})`);
      const before = snapshot();
      const rate = await rawPutRate(runtime!.info.dynamoDbEndpoint, runtime!.info.tableName, options.rawPuts, options.concurrency);
      const after = snapshot();
      const sameDynamo = after.dynamoPid === before.dynamoPid && after.dynamo !== undefined && before.dynamo !== undefined;
      return { ...rate, when, dynamoCpu: sameDynamo ? (after.dynamo! - before.dynamo!) / ((after.at - before.at) / 1000) : undefined };
    };
    const rawBefore = options.rawPuts > 0 ? await measureRaw('before the run') : undefined;
    log(`created ${sources.length} alert sources; posting ${specs.length} events`);

    // Pipeline: post everything, then wait until every accepted event is applied.
    const cpuStart = snapshot();
    const posted = await postAll(api, specs, options.concurrency);
    const cpuPosted = snapshot();
    const postSeconds = (posted.endedAt - posted.startedAt) / 1000;
    const errorCount = [...posted.errors.values()].reduce((a, b) => a + b, 0);
    log(`posted in ${postSeconds.toFixed(1)} s: ${posted.accepted.length} accepted, ${errorCount} error(s); waiting until all are applied`);
    for (const sample of posted.errorSamples) log(`  ${sample}`);

    const deadline = posted.endedAt + options.timeoutS * 1000;
    const drained = await waitForLastPerSource(api, posted.accepted, deadline);
    const cpuDrained = snapshot();
    const verification = await verifyAll(api, posted.accepted, options.concurrency, drained ? deadline : Date.now());
    const gaveUp = !drained || verification.timedOut;
    const gaveUpMessage = `GAVE UP: not every accepted event was applied within ${options.timeoutS} s after posting ended (--timeout)`;
    if (gaveUp) log(gaveUpMessage);

    // Tally the outcomes; the end of the run is the latest processedAt (the processor's own clock, same machine).
    const outcomes = new Map<string, number>();
    const lagsMs: number[] = [];
    let applied = 0;
    let lastProcessedAt = 0;
    let appliedWhilePosting = 0;
    for (const a of posted.accepted) {
      const r = verification.records.get(a.eventId);
      const label = r === 'ERROR' ? 'UNREADABLE' : r === undefined ? 'MISSING' : r.outcome;
      outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
      if (r !== 'ERROR' && isApplied(r)) {
        applied++;
        const processed = Date.parse(r!.processedAt ?? '');
        if (Number.isFinite(processed)) {
          lastProcessedAt = Math.max(lastProcessedAt, processed);
          if (processed <= posted.endedAt) appliedWhilePosting++;
          const received = Date.parse(r!.receivedAt ?? '');
          if (Number.isFinite(received)) lagsMs.push(processed - received);
        }
      }
    }
    const lost = posted.accepted.length - applied;
    const endAt = lastProcessedAt > 0 ? lastProcessedAt : cpuDrained.at;
    const e2eSeconds = (endAt - posted.startedAt) / 1000;
    const appliedPerSec = applied / e2eSeconds;
    const acceptedPerSec = posted.accepted.length / postSeconds;
    const latencies = [...posted.latenciesMs].sort((a, b) => a - b);
    lagsMs.sort((a, b) => a - b);

    // Yardstick: the raw rate after the run, beside the one before it; their mean is the ratio's denominator.
    const rawAfter = options.rawPuts > 0 ? await measureRaw('after the run') : undefined;
    const rawRuns = [rawBefore, rawAfter].filter((r) => r !== undefined);
    const raw = {
      perSec: rawRuns.reduce((sum, r) => sum + r.perSec, 0) / rawRuns.length,
      errors: rawRuns.reduce((sum, r) => sum + r.errors, 0),
    };

    // The runtime's own notices (poller errors, DynamoDB Local restarts, ...) explain errors and slow phases.
    const notices = [
      ...new Set(
        runtime
          .errors()
          .split('\n')
          .filter((l) => l.trim() !== '' && !l.startsWith('{')),
      ),
    ];
    if (notices.length > 0) {
      log(`the runtime reported ${notices.length} distinct notice line(s) on stderr; the last ones:`);
      for (const line of notices.slice(-15)) log(`  | ${line.slice(0, 300)}`);
    }

    await cleanup();

    // Report: the table, then the JSON line, last.
    const pct = (cpu: number | undefined, from: number | undefined, seconds: number) =>
      cpu !== undefined && from !== undefined && seconds > 0 ? `${Math.round(((cpu - from) / seconds) * 100)}%` : 'n/a';
    /** CPU of the other processes on this machine during a phase (their load makes the figures unrepresentative). */
    const otherCpu = (a: CpuSnapshot, b: CpuSnapshot): number | undefined => {
      if (a.machine === undefined || b.machine === undefined || a.runtime === undefined || b.runtime === undefined) return undefined;
      if (a.dynamo === undefined || b.dynamo === undefined || a.dynamoPid !== b.dynamoPid) return undefined;
      const ours = b.runtime - a.runtime + (b.dynamo - a.dynamo) + (b.bench - a.bench);
      return Math.max(0, (b.machine - a.machine - ours) / ((b.at - a.at) / 1000));
    };
    const cpuRow = (label: string, a: CpuSnapshot, b: CpuSnapshot) => {
      const s = (b.at - a.at) / 1000;
      const other = otherCpu(a, b);
      return [
        label,
        `runtime node ${pct(b.runtime, a.runtime, s)}, DynamoDB Local ${a.dynamoPid === b.dynamoPid ? pct(b.dynamo, a.dynamo, s) : 'n/a (restarted)'}, bench ${pct(b.bench, a.bench, s)}, ` +
          `other processes ${other === undefined ? 'n/a' : `${Math.round(other * 100)}%`} (100% = one core; ${cpus().length} cores)`,
      ] as const;
    };
    const otherDuringRun = otherCpu(cpuStart, cpuDrained);
    const ms = (n: number) => `${n.toFixed(1)} ms`;
    const rows: Array<readonly [string, string]> = [
      ['events posted', `${specs.length} over ${options.sources} alert sources and ${options.keys} alert keys (${MIX_LABEL})`],
      ['concurrency', String(options.concurrency)],
      [
        'warm-up (not timed)',
        warmup ? `${warmup.events} events to alert sources of their own, applied in ${warmup.seconds.toFixed(1)} s` : 'none (--warmup 0)',
      ],
      ['pollers', options.pollers !== undefined ? String(options.pollers) : 'runtime default (POLLERS unset)'],
      ['accepted (202)', String(posted.accepted.length)],
      ['posting errors', errorCount === 0 ? '0' : `${errorCount} (${[...posted.errors].map(([k, v]) => `${k}: ${v}`).join(', ')})`],
      ['ingest latency p50', ms(percentile(latencies, 50))],
      ['ingest latency p90', ms(percentile(latencies, 90))],
      ['ingest latency p99', ms(percentile(latencies, 99))],
      ['ingest latency max', ms(latencies[latencies.length - 1] ?? NaN)],
      ['posting wall time', `${postSeconds.toFixed(2)} s`],
      ['accepted events/s', acceptedPerSec.toFixed(1)],
      [
        'first post -> all applied',
        `${e2eSeconds.toFixed(2)} s (to the last processedAt; polling saw the last event of each source applied ${((cpuDrained.at - endAt) / 1000).toFixed(1)} s after it)`,
      ],
      ['applied events/s (end to end)', appliedPerSec.toFixed(1)],
      [
        'applied/s while posting / after',
        `${(appliedWhilePosting / postSeconds).toFixed(1)} / ${endAt > posted.endedAt ? ((applied - appliedWhilePosting) / ((endAt - posted.endedAt) / 1000)).toFixed(1) : 'n/a'} ` +
          `(${appliedWhilePosting} applied before posting ended, ${applied - appliedWhilePosting} after)`,
      ],
      [
        'processing lag p50 / p99 / max',
        `${ms(percentile(lagsMs, 50))} / ${ms(percentile(lagsMs, 99))} / ${ms(lagsMs[lagsMs.length - 1] ?? NaN)} (receivedAt -> processedAt)`,
      ],
      [
        'outcomes',
        [...outcomes]
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      ],
      ['events lost', String(lost)],
      cpuRow('CPU while posting', cpuStart, cpuPosted),
      cpuRow('CPU while draining', cpuPosted, cpuDrained),
      [
        'raw conditional PutItem/s',
        rawRuns.length > 0
          ? `${raw.perSec.toFixed(1)} (mean of ${rawRuns
              .map(
                (r) =>
                  `${r.perSec.toFixed(1)} ${r.when}: ${options.rawPuts} items in ${r.seconds.toFixed(2)} s, ${r.errors} error(s), DynamoDB Local CPU ${pct(r.dynamoCpu, 0, 1)}`,
              )
              .join('; ')})`
          : 'skipped',
      ],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log('');
    console.log('Alertline benchmark (local runtime)');
    console.log('-'.repeat(width + 2 + 60));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
    console.log('-'.repeat(width + 2 + 60));
    const targets: Array<readonly [string, boolean]> = [
      [`applied >= 150 events/s`, appliedPerSec >= 150],
      [`zero lost`, lost === 0],
      [`ingest p99 <= 50 ms`, percentile(latencies, 99) <= 50],
      [`no posting errors`, errorCount === 0],
    ];
    if (options.profile) {
      if (!profile) console.log('runtime profile: nothing recorded (was bench/profile.cjs preloaded?)');
      else {
        console.log('runtime profile: AWS SDK calls made by the runtime during the whole run (incl. the reads of this bench)');
        for (const [name, p] of Object.entries(profile).sort((a, b) => b[1].totalS - a[1].totalS)) {
          const extra = name === 'ReceiveMessage' ? `, ${p.messages} messages, ${p.empty} empty receives` : '';
          console.log(
            `  ${name.padEnd(width - 2)}  ${String(p.calls).padStart(6)} calls  p50 ${p.p50Ms.toFixed(1).padStart(6)} ms  ` +
              `p99 ${p.p99Ms.toFixed(1).padStart(7)} ms  total ${p.totalS.toFixed(1).padStart(7)} s${extra}`,
          );
        }
      }
      console.log('-'.repeat(width + 2 + 60));
    }
    if (otherDuringRun !== undefined && otherDuringRun > 0.25) {
      console.log(
        `WARNING: other processes used ${Math.round(otherDuringRun * 100)}% CPU (100% = one core) during the pipeline measurement; ` +
          `load average ${loadavg()
            .map((l) => l.toFixed(1))
            .join(' ')}: these figures are not representative of an idle machine.`,
      );
    }
    if (costs.length > 0) {
      console.log('What an event costs in AWS, us-east-1 on demand (bench/prices.ts), counted on the local pipeline (bench/cost.ts):');
      for (const line of costTable(costs)) console.log(line);
      console.log('-'.repeat(width + 2 + 60));
      const mix = costKeys(costs);
      targets.push(
        [`wruPerEvent <= 4.0`, mix.wruPerEvent <= 4],
        [`rruPerEvent <= 1.0`, mix.rruPerEvent <= 1],
        [`costPerMillionUsd <= 4.50`, mix.costPerMillionUsd <= 4.5],
      );
    }
    if (options.rawPuts > 0) targets.push([`applied/raw PutItem >= 0.45`, appliedPerSec / raw.perSec >= 0.45]);
    if (gaveUp) console.log(gaveUpMessage);
    console.log(`targets: ${targets.map(([t, ok]) => `${t} ${ok ? 'OK' : 'MISSED'}`).join('; ')}`);
    console.log(
      JSON.stringify({
        events: specs.length,
        concurrency: options.concurrency,
        ingestP50Ms: round(percentile(latencies, 50)),
        ingestP99Ms: round(percentile(latencies, 99)),
        acceptedPerSec: round(acceptedPerSec),
        appliedPerSec: round(appliedPerSec),
        rawPutPerSec: round(raw.perSec),
        appliedToRawRatio: round(appliedPerSec / raw.perSec, 2),
        lost,
        ...(costs.length > 0 ? costKeys(costs) : {}),
      }),
    );
    return lost > 0 || errorCount > 0 || raw.errors > 0 ? 1 : 0;
  } catch (error) {
    await cleanup().catch((e) => log(`cleanup failed: ${(e as Error).message}`));
    console.error(`bench failed: ${(error as Error).stack ?? error}`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench: ${(error as Error).message}`);
    process.exit(2);
  },
);
