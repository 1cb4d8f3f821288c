// `npm run bundle-report`: the minified size of each Lambda bundle, built as the stack builds it, and its module-load time.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALIASES, BUNDLE_TARGET, HANDLERS, MAIN_FIELDS, handlerEntry } from '../lambdas/bundling/options';

const LOADS = 10;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'alertline-bundles-'));
  const rows = [];
  try {
    for (const name of HANDLERS) {
      const outfile = join(dir, `${name}.js`);
      await build({
        entryPoints: [handlerEntry(name)],
        bundle: true,
        minify: true,
        platform: 'node',
        target: BUNDLE_TARGET,
        format: 'cjs',
        mainFields: MAIN_FIELDS,
        alias: ALIASES,
        outfile,
        logLevel: 'error',
      });
      // Each load in a fresh node process, as a cold start would: require() of the bundle, module scope included.
      const env = {
        ...process.env,
        TABLE_NAME: 't',
        QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/000000000000/q.fifo',
        ADMIN_TOKEN_SECRET_ARN: 'arn:x',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        POWERTOOLS_METRICS_DISABLED: 'true',
      };
      const times = Array.from({ length: LOADS }, () =>
        Number(
          execFileSync(
            process.execPath,
            ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});console.log(Number(process.hrtime.bigint()-t)/1e6)`],
            { env },
          ).toString(),
        ),
      ).sort((a, b) => a - b);
      rows.push({
        function: name,
        'bundle KB': Math.round(statSync(outfile).size / 1024),
        'load ms (median)': times[LOADS >> 1].toFixed(1),
        'load ms (max)': times[LOADS - 1].toFixed(1),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.table(rows);
  console.log(JSON.stringify(rows));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
