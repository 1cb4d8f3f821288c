// `npm start`: the whole Alertline pipeline on this machine (see local/runtime.ts), until Ctrl-C.
import { randomBytes } from 'node:crypto';
import { DEFAULTS, ESCALATION_TICK, QUEUE } from '../lambdas/contract';

// Read by Powertools itself when the handlers' logger and metrics are built (their names come from the contract).
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.LOG_LEVEL ?? 'WARN';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// The SDK warns on every start under Node 20 that its 2027 releases need Node 22; the pinned versions here run on 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} must be a non-negative integer, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const port = intEnv('PORT', 8787);
  const generatedToken = !process.env.ADMIN_TOKEN;
  const adminToken = process.env.ADMIN_TOKEN || randomBytes(24).toString('base64url');
  const dataDir = process.env.DATA_DIR || '.data';
  // Loaded only now: the handlers' logger and metrics are built on load, after the POWERTOOLS_* settings above.
  const { startRuntime } = await import('../local/runtime.js');
  const { parseFaultSeed } = await import('../local/poller.js');
  const { ensureDemoSource, demoCurl } = await import('../local/demo.js');
  const { ensureWebUiBuilt } = await import('../local/web-build.js');
  // A fresh clone or edited sources: build the UI now, so that `npm ci && npm start` is all it takes. The API does not
  // need it: a failed build is reported and the runtime starts all the same.
  await ensureWebUiBuilt({ log: (line) => console.log(line) }).catch((error: Error) =>
    console.error(`The web UI could not be built (the API runs without it): ${error.message}`),
  );
  const started = Date.now();
  const runtime = await startRuntime({
    port,
    host: process.env.HOST || '127.0.0.1',
    dataDir,
    dynamoDbPort: intEnv('DYNAMODB_PORT', port === 0 ? 0 : port + 1),
    sqsPort: intEnv('SQS_PORT', 0),
    dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT || undefined,
    sqsEndpoint: process.env.SQS_ENDPOINT || undefined,
    adminToken,
    pollers: intEnv('POLLERS', 2),
    visibilityTimeoutSeconds: intEnv('QUEUE_VISIBILITY_TIMEOUT', QUEUE.localVisibilityTimeoutSeconds),
    sourceCacheTtlMs: intEnv('SOURCE_CACHE_TTL_MS', DEFAULTS.sourceCacheTtlMs),
    allowPrivateWebhookTargets: process.env.ALLOW_PRIVATE_WEBHOOK_TARGETS === 'true',
    escalationTickSeconds: intEnv('ESCALATION_TICK_SECONDS', ESCALATION_TICK.localSecondsDefault),
    publicUrl: process.env.PUBLIC_URL || undefined,
    actionSecret: process.env.ACTION_SECRET || undefined,
    smtpUrl: process.env.SMTP_URL || undefined,
    emailSender: process.env.EMAIL_SENDER || undefined,
    singleWrites: process.env.SINGLE_WRITES ? process.env.SINGLE_WRITES === 'true' : undefined,
    loseAcks: Number(process.env.LOCAL_FAULT_LOSE_ACKS ?? 0),
    faultSeed: parseFaultSeed(process.env.LOCAL_FAULT_SEED),
    log: (line) => console.error(line),
  });
  const demo = await ensureDemoSource(dataDir, { url: runtime.url, adminToken }, { webhookUrl: process.env.DEMO_WEBHOOK_URL || undefined });

  const lines = [
    `Alertline is running on ${runtime.url} (started in ${((Date.now() - started) / 1000).toFixed(1)} s, data in ${dataDir})`,
    runtime.recovered ? `Re-queued ${runtime.recovered} accepted event(s) that were not applied before the last stop.` : '',
    generatedToken ? `Admin token (generated for this run; set ADMIN_TOKEN to choose one): ${adminToken}` : 'Admin token: from ADMIN_TOKEN',
    `Web UI: ${runtime.url}/ (sign in with the admin token)`,
  ];
  if (demo) {
    lines.push(
      `Demo alert source "${demo.name}", integration key: ${demo.integrationKey}`,
      '',
      'Send an alert:',
      `  ${demoCurl(runtime.url, demo.integrationKey)}`,
      '',
      'See it:',
      // A token the operator chose stays out of the terminal (and its scroll-back and logs): the shell fills it in.
      `  curl -sS ${runtime.url}/api/alerts -H ${generatedToken ? `'Authorization: Bearer ${adminToken}'` : '"Authorization: Bearer $ADMIN_TOKEN"'}`,
    );
  }
  lines.push('', 'Press Ctrl-C to stop.');
  console.log(lines.filter((l, i) => l !== '' || i > 0).join('\n'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: finishing in-flight batches and stopping...`);
    await runtime.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error(`Alertline could not start: ${(error as Error).message}`);
  process.exit(1);
});
