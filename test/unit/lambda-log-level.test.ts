// The deployed functions log at POWERTOOLS_LOG_LEVEL although Lambda's JSON log format hands the runtime an application
// level (AWS_LAMBDA_LOG_LEVEL, INFO by default), which Powertools' Logger would otherwise take: the bundle's banner.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FORGET_LAMBDA_LOG_LEVEL } from '../../lib/log-settings';

/** What a Powertools Logger writes in a fresh Node process started the way Lambda starts a JSON-format function. */
const linesLogged = (banner: string): string[] => {
  const script = `${banner}
    const { Logger } = require('@aws-lambda-powertools/logger');
    const logger = new Logger({ serviceName: 'alertline' });
    logger.info('event accepted');
    logger.warn('could not commit the idempotency key');`;
  const env = { PATH: process.env.PATH, AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO', POWERTOOLS_LOG_LEVEL: 'WARN' };
  const run = spawnSync(process.execPath, ['-e', script], { cwd: join(__dirname, '..', '..'), env, encoding: 'utf8' });
  expect(run.status).toBe(0);
  // Warnings go to stderr, the rest to stdout: both reach CloudWatch Logs.
  return `${run.stdout}\n${run.stderr}`
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { message: string }).message)
    .sort();
};

it("without the banner, Lambda's INFO would bring the handlers' INFO lines back", () => {
  expect(linesLogged('')).toEqual(['could not commit the idempotency key', 'event accepted']);
});

it('with the banner, the handlers write only what POWERTOOLS_LOG_LEVEL lets through', () => {
  expect(linesLogged(FORGET_LAMBDA_LOG_LEVEL)).toEqual(['could not commit the idempotency key']);
});
