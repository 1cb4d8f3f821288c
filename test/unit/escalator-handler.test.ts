// The escalator Lambda fails its invocation when a job of the tick failed (so that its errors alarm fires), after
// running the others and setting the failed one aside for the next minute.
import { createEscalatorHandler } from '../../lambdas/handlers/escalator';
import type { StoredJob } from '../../lambdas/store/escalation-jobs';
import { lambdaContext } from '../../local/lambda-context';

const now = Date.parse('2025-01-15T09:00:30.000Z');
const due: StoredJob = {
  key: { pk: 'ESCJOB#2025-01-15T09:00', sk: '2025-01-15T09:00:00.000Z#a1#NACCEPTED' },
  job: { kind: 'NOTICE', alertId: 'a1', reason: 'ACCEPTED', dueAt: '2025-01-15T09:00:00.000Z' },
};

function handlerWith(get: () => Promise<StoredJob | undefined>) {
  const postponed: string[] = [];
  const handler = createEscalatorHandler(
    { tableName: 'alertline', notificationQueueUrl: 'http://127.0.0.1:9/queue/notifications', clock: () => now },
    {
      jobs: {
        cursor: async () => '2025-01-15T09:00',
        inMinute: async (minute) => (minute === '2025-01-15T09:00' ? [due] : []),
        get,
        delete: async () => undefined,
        postpone: async (key) => void postponed.push(key.sk),
        moveCursor: async () => undefined,
        escalationState: async () => undefined,
        claimLevel: async () => false,
      },
      logger: { error: () => undefined },
    },
  );
  return { handler, postponed };
}

it('fails the invocation when a job failed, once the job is set aside for the next minute', async () => {
  const { handler, postponed } = handlerWith(() => Promise.reject(new Error('table unavailable')));
  await expect(handler({}, lambdaContext('escalator'))).rejects.toThrow('1 of 1 escalation jobs failed');
  expect(postponed).toEqual([due.key.sk]);
});

it('succeeds when every due job ran', async () => {
  const { handler, postponed } = handlerWith(async () => undefined);
  await expect(handler({}, lambdaContext('escalator'))).resolves.toEqual({ ran: 1, failed: 0 });
  expect(postponed).toEqual([]);
});
