// Preloaded into the runtime by `npm run bench -- --profile` (NODE_OPTIONS=--require): times every AWS SDK call the
// runtime makes (DynamoDB Local and the queue) and writes the totals to $BENCH_PROFILE_DIR/profile-<pid>.json.
// Only the runtime process (the one with PORT set) records.
if (process.env.PORT && process.env.BENCH_PROFILE_DIR) {
  const { performance } = require('node:perf_hooks');
  const { writeFileSync } = require('node:fs');
  const path = require('node:path');
  const { Client } = require(require.resolve('@smithy/core/client', { paths: [path.join(__dirname, '..')] }));
  const stats = new Map();
  const record = (name, ms, messages) => {
    let s = stats.get(name);
    if (!s) stats.set(name, (s = { calls: 0, totalMs: 0, latencies: [], messages: 0, empty: 0 }));
    s.calls++;
    s.totalMs += ms;
    if (s.latencies.length < 500000) s.latencies.push(ms);
    if (messages !== undefined) {
      s.messages += messages;
      if (messages === 0) s.empty++;
    }
  };
  // With BENCH_PROFILE_KEYS=1, DynamoDB calls are told apart by what they touch: the index and the partition prefix.
  const prefix = (value) => (typeof value === 'string' ? value.split('#')[0] : '?');
  const keyKind = (input) => {
    if (!input || typeof input !== 'object') return '';
    if (input.IndexName) return ` ${input.IndexName} ${prefix(Object.values(input.ExpressionAttributeValues || {})[0])}`;
    if (input.KeyConditionExpression) return ` table ${prefix(Object.values(input.ExpressionAttributeValues || {})[0])}`;
    const key = input.Key || input.Item;
    if (key) return ` ${prefix(key.pk)}`;
    if (input.RequestItems) {
      const [table] = Object.values(input.RequestItems);
      const first = table && (table.Keys || [])[0];
      return first ? ` ${prefix(first.pk)}` : '';
    }
    if (input.TransactItems)
      return ` ${input.TransactItems.map((t) => prefix((Object.values(t)[0].Key || Object.values(t)[0].Item || {}).pk))
        .sort()
        .join(',')}`.slice(0, 60);
    return '';
  };
  const send = Client.prototype.send;
  Client.prototype.send = function (command, ...rest) {
    const name = command.constructor.name.replace(/Command$/, '') + (process.env.BENCH_PROFILE_KEYS ? keyKind(command.input) : '');
    const t0 = performance.now();
    const result = send.call(this, command, ...rest);
    if (result && typeof result.then === 'function') {
      result.then(
        (out) => record(name, performance.now() - t0, name === 'ReceiveMessage' ? (out.Messages || []).length : undefined),
        () => record(`${name} (failed)`, performance.now() - t0),
      );
    }
    return result;
  };
  const dump = () => {
    const out = {};
    for (const [name, s] of stats) {
      const sorted = [...s.latencies].sort((a, b) => a - b);
      const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
      out[name] = { calls: s.calls, totalS: s.totalMs / 1000, p50Ms: at(50), p99Ms: at(99), messages: s.messages, empty: s.empty };
    }
    if (stats.size > 0) writeFileSync(path.join(process.env.BENCH_PROFILE_DIR, `profile-${process.pid}.json`), JSON.stringify(out));
  };
  setInterval(dump, 2000).unref();
  process.on('exit', dump);
}
