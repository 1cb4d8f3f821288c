// `npm run soak`: sustained load on a fresh local runtime at a steady rate, reported minute by minute, then a full count
// of lost and twice-applied events and of memory growth. The last stdout line is one JSON object; exit 1 when an
// event was lost or applied twice, 2 when the run could not finish (start failure, time bound reached).
//
//   npm run soak -- [--minutes 10] [--rate 100] [--keys 200] [--sources 10] [--pollers N] [--concurrency 64]
//                   [--seed 1] [--drain-timeout 600] [--keep]
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { LoadApi, mulberry32, type EventType, numberOption, percentile, pool, randomEvent, round, rssMb, sleep } from '../bench/load';
import { startRuntimeProcess, type RuntimeProcess } from '../local/child';

interface Options {
  minutes: number;
  rate: number;
  keys: number;
  sources: number;
  pollers?: number;
  concurrency: number;
  seed: number;
  drainTimeoutS: number;
  keep: boolean;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      rate: { type: 'string' },
      keys: { type: 'string' },
      sources: { type: 'string' },
      pollers: { type: 'string' },
      concurrency: { type: 'string' },
      seed: { type: 'string' },
      'drain-timeout': { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.error(
      'usage: npm run soak -- [--minutes 10] [--rate 100] [--keys 200] [--sources 10] [--pollers N] [--concurrency 64] [--seed 1] [--drain-timeout 600] [--keep]',
    );
    process.exit(0);
  }
  const options: Options = {
    minutes: numberOption('minutes', values.minutes, 10, 1),
    rate: numberOption('rate', values.rate, 100, 0.1, false),
    keys: numberOption('keys', values.keys, 200, 1),
    sources: numberOption('sources', values.sources, 10, 1),
    pollers: values.pollers === undefined ? undefined : numberOption('pollers', values.pollers, 4, 1),
    concurrency: numberOption('concurrency', values.concurrency, 64, 1),
    seed: numberOption('seed', values.seed, 1, 0),
    drainTimeoutS: numberOption('drain-timeout', values['drain-timeout'], 600, 1),
    keep: values.keep ?? false,
  };
  if (options.keys < options.sources) throw new Error('--keys must be at least --sources (every source gets its share of keys)');
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

const progress = (line: string) => console.error(`[soak] ${line}`);

/** The least-squares line through the points (NaN when there are fewer than two). */
function fitLine(points: Array<{ x: number; y: number }>): { slope: number; at: (x: number) => number } {
  if (points.length < 2) return { slope: NaN, at: () => NaN };
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  const num = points.reduce((n, p) => n + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((n, p) => n + (p.x - mx) ** 2, 0);
  const slope = num / den;
  return { slope, at: (x) => my + slope * (x - mx) };
}

function pidFrom(file: string, read: (text: string) => unknown): number | undefined {
  try {
    const pid = Number(read(readFileSync(file, 'utf8')));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Outcomes that leave an entry in the alert's log. */
const LOGGED = new Set(['CREATED', 'APPENDED', 'ACCEPTED', 'RESOLVED', 'COMMENTED']);

// ---------------------------------------------------------------------------------------------------------------

interface Sent {
  eventId: string;
  eventType: EventType;
}

interface MinuteStats {
  posted: number;
  accepted: number;
  refused: number;
  latencies: number[];
  maxLagMs: number;
}

/** Stops the runtime and removes the data directory; set once the run has a runtime to stop. */
let onFatal: () => Promise<void> = async () => undefined;

async function main(): Promise<number> {
  const options = parseOptions();
  // The whole run is bounded: load, drain, verification and a margin for start and stop.
  const budgetMs = options.minutes * 60_000 + options.drainTimeoutS * 1000 * 2 + 300_000;
  const dataDir = mkdtempSync(join(tmpdir(), 'alertline-soak-'));
  let rt: RuntimeProcess | undefined;
  let result: Record<string, unknown> = { minutes: options.minutes, rate: options.rate };

  const cleanup = async () => {
    if (rt) {
      const running = rt;
      rt = undefined;
      await Promise.race([running.stop(), sleep(30_000).then(() => running.kill())]).catch(() => undefined);
    }
    // DynamoDB Local is a child of the runtime; if the runtime had to be killed, it is left over.
    const javaPid = pidFrom(join(dataDir, 'dynamodb.pid'), (t) => t);
    try {
      if (javaPid && readFileSync(`/proc/${javaPid}/cmdline`, 'utf8').includes('DynamoDBLocal')) process.kill(javaPid, 'SIGKILL');
    } catch {
      // already gone
    }
    if (!options.keep) rmSync(dataDir, { recursive: true, force: true });
  };
  onFatal = cleanup;
  const giveUp = (why: string) => {
    progress(`giving up: ${why}`);
    console.log(JSON.stringify({ ...result, error: why }));
    void cleanup().finally(() => process.exit(2));
  };
  const watchdog = setTimeout(() => giveUp(`the run took longer than its bound of ${Math.round(budgetMs / 1000)} s`), budgetMs);
  watchdog.unref();
  process.once('SIGINT', () => giveUp('interrupted'));

  progress(`starting the runtime in ${dataDir}`);
  rt = await startRuntimeProcess({ dataDir, timeoutMs: 180_000, env: options.pollers ? { POLLERS: String(options.pollers) } : {} });
  const runtimePid = pidFrom(join(dataDir, 'runtime.json'), (t) => JSON.parse(t).pid);
  const javaPid = pidFrom(join(dataDir, 'dynamodb.pid'), (t) => t);
  const api = new LoadApi(rt.url, rt.adminToken);
  const sqs = new SQSClient({ endpoint: rt.info.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const queueDepth = async () => {
    try {
      const out = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: rt!.info.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      const n = (name: 'ApproximateNumberOfMessages' | 'ApproximateNumberOfMessagesNotVisible' | 'ApproximateNumberOfMessagesDelayed') =>
        Number(out.Attributes?.[name] ?? 0);
      return { visible: n('ApproximateNumberOfMessages'), inFlight: n('ApproximateNumberOfMessagesNotVisible') + n('ApproximateNumberOfMessagesDelayed') };
    } catch {
      return undefined;
    }
  };

  const sources: Array<{ id: string; integrationKey: string }> = [];
  for (let s = 0; s < options.sources; s++) sources.push(await api.createSource(`soak source ${s}`, { rateLimitPerMinute: 1_000_000 }));
  progress(
    `runtime pid ${runtimePid ?? '?'}, DynamoDB Local pid ${javaPid ?? '?'}; ${options.sources} alert sources, ${options.keys} keys, ${options.rate} events/s for ${options.minutes} min`,
  );

  // ---- Load: event i is due at t0 + i / rate (open loop); at most `concurrency` requests in flight.
  const random = mulberry32(options.seed);
  const sent: Sent[] = [];
  const refusals = new Map<string, number>();
  const minutes: MinuteStats[] = [];
  const minuteOf = (t: number) => Math.min(options.minutes - 1, Math.floor((t - t0) / 60_000));
  const t0 = performance.now();
  const end = t0 + options.minutes * 60_000;
  for (let m = 0; m < options.minutes; m++) minutes.push({ posted: 0, accepted: 0, refused: 0, latencies: [], maxLagMs: 0 });
  let inFlight = 0;
  let scheduled = 0;

  const postOne = async (i: number, dueAt: number) => {
    const { key, eventType } = randomEvent(random, options.keys);
    const body = {
      apiKey: sources[key % options.sources].integrationKey,
      eventType,
      alertKey: `soak-key-${key}`,
      summary: eventType === 'ALERT' || eventType === 'COMMENT' ? `soak ${eventType.toLowerCase()} #${i}: disk usage above 90% on host-${key}` : undefined,
      details: eventType === 'ALERT' ? `Filesystem /var on host-${key} is at 91%. Runbook: clean up the logs or grow the volume.` : undefined,
    };
    const start = performance.now();
    const sentIn = minutes[minuteOf(start)];
    sentIn.maxLagMs = Math.max(sentIn.maxLagMs, start - dueAt);
    sentIn.posted++;
    const out = await api.postEvent(body);
    // Answers count in the minute they arrive in.
    const done = performance.now();
    const answeredIn = minutes[minuteOf(done)];
    if (out.status === 202 && out.eventId) {
      answeredIn.accepted++;
      answeredIn.latencies.push(done - start);
      sent.push({ eventId: out.eventId, eventType });
    } else {
      answeredIn.refused++;
      const label = out.status === 0 ? 'network error' : `HTTP ${out.status}`;
      if (!refusals.has(label)) progress(`refused: ${label} ${out.error}`);
      refusals.set(label, (refusals.get(label) ?? 0) + 1);
    }
  };

  let nextReport = 1;
  const rss: Array<{ runtime?: number; java?: number }> = [];
  // The runtime's RSS every 5 s: it swings by tens of MB with the garbage collector, so growth is read from the
  // trend of many samples, not from two of them.
  const rssSamples: Array<{ minute: number; mb: number }> = [];
  const sampler = setInterval(() => {
    const mb = rssMb(runtimePid);
    if (mb !== undefined) rssSamples.push({ minute: (performance.now() - t0) / 60_000, mb });
  }, 5000);
  sampler.unref();
  let appliedBefore = 0;
  const report = async (m: number) => {
    const stats = minutes[m];
    const depth = await queueDepth();
    const acceptedSoFar = sent.length;
    // Live estimate: what was accepted and is no longer in the queue (the exact count comes from processedAt at the end).
    const applied = depth ? acceptedSoFar - depth.visible - depth.inFlight : NaN;
    const memory = { runtime: rssMb(runtimePid), java: rssMb(javaPid) };
    rss.push(memory);
    const line = {
      minute: m + 1,
      postedPerSec: round(stats.posted / 60),
      acceptedPerSec: round(stats.accepted / 60),
      appliedPerSec: round((applied - appliedBefore) / 60),
      ingestP50Ms: round(percentile(stats.latencies, 50)),
      ingestP99Ms: round(percentile(stats.latencies, 99)),
      maxLagMs: round(stats.maxLagMs, 0),
      refused: stats.refused,
      queueVisible: depth?.visible,
      queueInFlight: depth?.inFlight,
      runtimeRssMb: round(memory.runtime ?? NaN),
      dynamoDbRssMb: round(memory.java ?? NaN),
    };
    if (Number.isFinite(applied)) appliedBefore = applied;
    console.log(
      `minute ${line.minute}/${options.minutes}: posted ${line.postedPerSec}/s, accepted ${line.acceptedPerSec}/s, applied ${line.appliedPerSec}/s; ` +
        `ingest p50 ${line.ingestP50Ms} ms, p99 ${line.ingestP99Ms} ms (max schedule lag ${line.maxLagMs} ms, ${line.refused} refused); ` +
        `queue ${line.queueVisible} waiting + ${line.queueInFlight} in flight; RSS runtime ${line.runtimeRssMb} MB, DynamoDB Local ${line.dynamoDbRssMb} MB`,
    );
  };

  while (true) {
    const now = performance.now();
    if (now >= t0 + nextReport * 60_000) await report(nextReport++ - 1);
    if (now >= end) break;
    // Event i is due at t0 + i / rate: by now, events 0 to floor(elapsed * rate) are.
    const due = Math.min(Math.floor(((now - t0) / 1000) * options.rate) + 1, Math.floor(options.minutes * 60 * options.rate));
    while (scheduled < due && inFlight < options.concurrency) {
      const i = scheduled++;
      inFlight++;
      void postOne(i, t0 + (i / options.rate) * 1000).finally(() => inFlight--);
    }
    await sleep(Math.max(1, Math.min(20, 1000 / options.rate)));
  }
  while (inFlight > 0) await sleep(20);
  if (nextReport <= options.minutes) await report(options.minutes - 1);
  const latencies = minutes.flatMap((m) => m.latencies);
  const due = Math.floor(options.minutes * 60 * options.rate);
  progress(`load done: ${scheduled} of ${due} due events posted, ${sent.length} accepted in ${((performance.now() - t0) / 1000).toFixed(0)} s; draining`);
  if (scheduled < due * 0.99)
    console.log(
      `WARNING: the runtime did not keep up with ${options.rate} events/s: only ${scheduled} of ${due} events could be posted (at most ${options.concurrency} requests in flight)`,
    );
  result = { ...result, accepted: sent.length, p99Ms: round(percentile(latencies, 99)) };

  // ---- Drain: wait for the queue to empty (cheap), then read every accepted event until none is QUEUED (bounded).
  const records = new Map<string, { outcome: string; processedAt?: string }>();
  const drainDeadline = Date.now() + options.drainTimeoutS * 1000;
  const drainStart = Date.now();
  for (let lastNote = 0; Date.now() < drainDeadline; await sleep(2000)) {
    const depth = await queueDepth();
    if (depth && depth.visible + depth.inFlight === 0) break;
    if (Date.now() - lastNote >= 15_000) {
      lastNote = Date.now();
      progress(`queue: ${depth?.visible} waiting + ${depth?.inFlight} in flight`);
    }
  }
  let todo = sent.map((s) => s.eventId);
  while (todo.length) {
    await pool(todo.length, 16, async (i) => {
      const id = todo[i];
      const res = await api.get(`/api/events/${id}`).catch(() => undefined);
      if (res?.status === 200) records.set(id, res.body);
      else if (res?.status === 404) records.delete(id);
    });
    todo = todo.filter((id) => (records.get(id)?.outcome ?? 'QUEUED') === 'QUEUED');
    if (!todo.length || Date.now() > drainDeadline) break;
    progress(`${todo.length} events not applied yet`);
    await sleep(1000);
  }
  const drainSeconds = (Date.now() - drainStart) / 1000;

  // ---- Count: lost (not applied), applied twice (eventCount surplus, a second log entry for one event).
  const outcomeCounts: Record<string, number> = {};
  let lost = 0;
  for (const s of sent) {
    const outcome = records.get(s.eventId)?.outcome ?? 'MISSING';
    outcomeCounts[outcome] = (outcomeCounts[outcome] ?? 0) + 1;
    if (outcome === 'QUEUED' || outcome === 'FAILED' || outcome === 'MISSING') lost++;
  }
  const applied = sent.length - lost;
  progress(`drained in ${drainSeconds.toFixed(0)} s; outcomes ${JSON.stringify(outcomeCounts)}; reading every alert and its log`);

  const alerts: Array<{ id: string; eventCount: number }> = [];
  await pool(sources.length, 4, async (s) => {
    const source = sources[s];
    let cursor: string | undefined;
    do {
      const res = await api.get(`/api/alerts?alertSourceId=${source.id}&limit=100${cursor ? `&nextCursor=${encodeURIComponent(cursor)}` : ''}`);
      if (res.status !== 200) throw new Error(`GET /api/alerts answered ${res.status}: ${JSON.stringify(res.body)}`);
      alerts.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
  });
  const logCount = new Map<string, number>();
  await pool(alerts.length, 16, async (a) => {
    const alert = alerts[a];
    let cursor: string | undefined;
    do {
      const res = await api.get(`/api/alerts/${alert.id}/log-entries?limit=100${cursor ? `&nextCursor=${encodeURIComponent(cursor)}` : ''}`);
      if (res.status !== 200) throw new Error(`GET /api/alerts/${alert.id}/log-entries answered ${res.status}`);
      for (const entry of res.body.items) {
        // An operator's entry (accept or resolve through the API) carries no eventId: only events' entries are counted.
        if (entry.eventId) logCount.set(entry.eventId, (logCount.get(entry.eventId) ?? 0) + 1);
      }
      cursor = res.body.nextCursor;
    } while (cursor);
  });
  const alertEventsApplied = sent.filter((s) => s.eventType === 'ALERT' && ['CREATED', 'APPENDED'].includes(records.get(s.eventId)?.outcome ?? '')).length;
  const eventCountSum = alerts.reduce((n, a) => n + a.eventCount, 0);
  let twiceLogged = 0;
  let missingLogEntries = 0;
  for (const s of sent) {
    const n = logCount.get(s.eventId) ?? 0;
    const shouldLog = LOGGED.has(records.get(s.eventId)?.outcome ?? '');
    if (n > 1 || (n === 1 && !shouldLog)) twiceLogged++;
    if (shouldLog && n === 0) missingLogEntries++;
  }
  const sentIds = new Set(sent.map((s) => s.eventId));
  const unknownLogged = [...logCount.keys()].filter((id) => !sentIds.has(id)).length;
  const duplicated = Math.max(twiceLogged, eventCountSum - alertEventsApplied, 0) + unknownLogged;
  // An event whose outcome says applied but whose effect is missing is lost as well.
  const lostEffects = Math.max(missingLogEntries, alertEventsApplied - eventCountSum, 0);

  // ---- Applied per minute, exactly, from the records' processedAt.
  const processedAt = [...records.values()]
    .map((r) => Date.parse(r.processedAt ?? ''))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const firstAt = processedAt[0];
  const perMinute = new Map<number, number>();
  for (const at of processedAt) perMinute.set(Math.floor((at - firstAt) / 60_000), (perMinute.get(Math.floor((at - firstAt) / 60_000)) ?? 0) + 1);
  console.log(`applied per minute (by processedAt, from the first): ${[...perMinute.entries()].map(([m, n]) => `${m + 1}: ${round(n / 60)}/s`).join(', ')}`);

  clearInterval(sampler);
  const start = rss[0]?.runtime;
  const last = rss.at(-1)?.runtime;
  // Growth along the least-squares line through the samples of the load after its first (warm-up) minute.
  const steady = rssSamples.filter((r) => r.minute >= 1 && r.minute <= options.minutes);
  const trend = fitLine(steady.map((r) => ({ x: r.minute, y: r.mb })));
  const fittedStart = trend.at(1);
  const fittedEnd = trend.at(options.minutes);
  result = {
    minutes: options.minutes,
    rate: options.rate,
    due,
    posted: scheduled,
    accepted: sent.length,
    applied,
    lost: lost + lostEffects,
    // Of `lost`: events still QUEUED when the drain timed out (a backlog, not yet a loss: raise --drain-timeout to tell).
    stillQueued: outcomeCounts.QUEUED ?? 0,
    duplicated,
    p99Ms: round(percentile(latencies, 99)),
    rssStartMb: round(start ?? NaN),
    rssEndMb: round(last ?? NaN),
    // From minute 1 to the end along the trend of the 5-second samples: a leak is a steady climb; the garbage
    // collector's swings are not.
    memoryGrowthPct: round(((fittedEnd - fittedStart) / fittedStart) * 100),
    rssTrendMbPerMin: round(trend.slope),
    rssSamples: steady.length,
    rssMinMb: round(Math.min(...steady.map((r) => r.mb))),
    rssMaxMb: round(Math.max(...steady.map((r) => r.mb))),
    // The first and the last once-a-minute samples, for comparison.
    rssFirstToLastPct: start && last ? round(((last - start) / start) * 100) : null,
    refused: Object.fromEntries(refusals),
    outcomes: outcomeCounts,
    alerts: alerts.length,
    eventCountSum,
    alertEventsApplied,
    missingLogEntries,
    twiceLogged,
    drainSeconds: round(drainSeconds),
    dynamoDbRssStartMb: round(rss[0]?.java ?? NaN),
    dynamoDbRssEndMb: round(rss.at(-1)?.java ?? NaN),
  };
  clearTimeout(watchdog);
  sqs.destroy();
  await cleanup();
  console.log(JSON.stringify(result));
  return (result.lost as number) > 0 || duplicated > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error);
    console.log(JSON.stringify({ error: (error as Error).message }));
    await onFatal().catch(() => undefined);
    process.exit(2);
  },
);
