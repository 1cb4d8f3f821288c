// The log bytes `npm run bench` adds for what the stack deploys besides the handlers' lines: the API's access log line,
// priced from the stack's own format, and no Lambda platform lines at the deployed system log level.
import { costOf, LOG_OVERHEAD } from '../../bench/prices';
import { ACCESS_LOG_FORMAT, accessLogLine, TYPICAL_ACCESS_LOG_VALUES } from '../../lib/log-settings';

it('prices the access log line API Gateway writes with the deployed format: every variable filled in, valid JSON', () => {
  const line = accessLogLine(TYPICAL_ACCESS_LOG_VALUES);
  expect(line).not.toContain('$context');
  expect(JSON.parse(line)).toEqual(TYPICAL_ACCESS_LOG_VALUES);
  expect(Object.keys(JSON.parse(line))).toEqual(Object.keys(JSON.parse(ACCESS_LOG_FORMAT)));
  expect(LOG_OVERHEAD.perApiRequestBytes).toBe(Buffer.byteLength(line) + 26);
});

it('keeps the access log line of an accepted event under 150 bytes, its per-line metering included', () => {
  expect(LOG_OVERHEAD.perApiRequestBytes).toBeLessThanOrEqual(150);
});

it("counts no Lambda platform lines: an event's log bytes are the handlers' and the access log line", () => {
  const cost = costOf({ events: 10, apiRequests: 10, invocations: 11, gbSeconds: 0.1, sqsRequests: 12, wru: 80, rru: 18, handlerLogBytes: 500 });
  expect(cost.logBytes).toBe(50 + LOG_OVERHEAD.perApiRequestBytes);
});
