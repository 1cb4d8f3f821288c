// What an invocation consumed: every call's units go to the invocation under way (concurrent ones apart), and the handler
// publishes one ConsumedWriteUnits and one ConsumedReadUnits datapoint per invocation, whatever the number of calls.
import { billedRequests } from '../../lambdas/queue/queue-usage';
import { measured, recordUsage, usageTotals, type Usage } from '../../lambdas/shared/usage';

// Powertools reads its switches when the metrics are built: quiet and unpublished, then loaded.
Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
const { metrics } = require('../../lambdas/handlers/clients') as typeof import('../../lambdas/handlers/clients');
const { withUsage } = require('../../lambdas/handlers/usage') as typeof import('../../lambdas/handlers/usage');

const tick = () => new Promise((r) => setTimeout(r, 1));

afterEach(() => metrics.clearMetrics());

it('adds every call of an invocation into one datapoint of each metric', async () => {
  const handler = withUsage('processor', async () => {
    recordUsage({ wru: 2, dynamoCalls: 1 });
    await tick();
    recordUsage({ wru: 3.5, rru: 1, dynamoCalls: 1 });
  });
  await handler();
  const emf = metrics.serializeMetrics() as unknown as Record<string, number | number[] | undefined>;
  expect(emf.ConsumedWriteUnits).toBe(5.5);
  expect(emf.ConsumedReadUnits).toBe(1);
});

it('keeps concurrent invocations apart and adds them up per function', async () => {
  const seen: Usage[] = [];
  const before = usageTotals().concurrent?.wru ?? 0;
  const invocation = (wru: number) =>
    measured(
      'concurrent',
      async () => {
        for (let i = 0; i < 3; i++) {
          recordUsage({ wru });
          await tick();
        }
      },
      (usage) => seen.push(usage),
    );
  await Promise.all([invocation(1), invocation(10)]);
  expect(seen.map((u) => u.wru).sort((a, b) => a - b)).toEqual([3, 30]);
  expect(seen.every((u) => u.invocations === 1)).toBe(true);
  expect(usageTotals().concurrent.wru - before).toBe(33);
});

it('bills SQS by 64 KiB chunks, and an empty receive apart', () => {
  expect(billedRequests('SendMessageCommand', { MessageBody: 'x'.repeat(64 * 1024) }, {})).toBe(1);
  expect(billedRequests('SendMessageCommand', { MessageBody: 'x'.repeat(64 * 1024 + 1) }, {})).toBe(2);
  expect(billedRequests('SendMessageBatchCommand', { Entries: [{ MessageBody: 'a' }, { MessageBody: 'b' }] }, {})).toBe(1);
  expect(billedRequests('ReceiveMessageCommand', {}, { Messages: [{ Body: 'a' }, { Body: 'b' }] })).toBe(1);
  expect(billedRequests('ReceiveMessageCommand', {}, { Messages: [] })).toBeUndefined();
  expect(billedRequests('DeleteMessageBatchCommand', {}, {})).toBe(1);
});
