// The AUTO_RESOLVE job racing an event: an event applied between the job's read of the idle alert and the resolve wins.
import { Alerts } from '../../lambdas/app/alerts';
import { runAutoResolveJob } from '../../lambdas/app/auto-resolution';
import type { AlertsPort } from '../../lambdas/app/ports';
import type { Alert } from '../../lambdas/domain/alert';
import type { AlertSource } from '../../lambdas/domain/alert-source';
import type { EscalationJob } from '../../lambdas/domain/escalation';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const alert = (updatedAt: string): Alert =>
  ({ id: 'a1', alertSourceId: 's1', alertKey: 'disk', summary: 'Disk full', status: 'PENDING', createdAt: iso(0), updatedAt }) as Alert;

it('an event applied after the idle read postpones the resolution to the timeout after it, resolving nothing', async () => {
  // The job reads the alert idle since its creation; the resolver's fresh read already sees the comment applied since.
  const reads = [alert(iso(0)), alert(iso(10))];
  const statusChanges: string[] = [];
  const replaced: EscalationJob[] = [];
  const port = {
    get: async () => reads.shift() ?? alert(iso(10)),
    changeStatus: async (_a: Alert, status: string) => void statusChanges.push(status),
  } as unknown as AlertsPort;
  const resolver = new Alerts({ alerts: port, events: {} as never, host: { now: () => iso(10), newId: () => 'l1' } });
  const job = { kind: 'AUTO_RESOLVE' as const, alertId: 'a1', dueAt: iso(10) };
  const finished = await runAutoResolveJob(
    { key: { pk: 'ESCJOB#x', sk: 'y' }, job },
    {
      alerts: port,
      sources: { get: async () => ({ id: 's1', autoResolutionTimeout: 'PT10M' }) as AlertSource },
      resolver,
      jobs: { delete: async () => undefined, replace: async (_k, next) => void replaced.push(next) },
      now: () => T0 + 10 * 60_000,
    },
  );
  expect(finished).toBe(true);
  expect(statusChanges).toEqual([]);
  expect(replaced).toEqual([{ ...job, dueAt: iso(20) }]);
});
