// The local runtime's journal of accepted events, on a real folder: what it keeps on disk, what a restart finds in it,
// which segment files go once their events are settled, and the processor wrapper that settles them.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { FileEventJournal, settlingHandled } from '../../lambdas/handlers/event-journal';
import { lambdaContext } from '../../local/lambda-context';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { queueMessageBody } from '../../lambdas/queue/event-queue';

let dir: string;
beforeEach(() => (dir = join(mkdtempSync(join(tmpdir(), 'alertline-journal-')), 'journal')));
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const event = (n: number, source = 'src-1'): AcceptedEvent => ({
  eventId: `01JOURNAL${String(n).padStart(17, '0')}`,
  alertSourceId: source,
  receivedAt: new Date(Date.UTC(2026, 11, 1, 12, 0, n)).toISOString(),
  eventType: 'ALERT',
  alertKey: `key-${n}`,
  summary: `event ${n}`,
  priority: 'HIGH',
});
const segments = () => readdirSync(dir).sort();
const started = async (options: { segmentEvents?: number } = {}) => {
  const journal = FileEventJournal.open(dir, options);
  await journal.begin([]);
  return journal;
};

it('keeps every appended event on disk until it is settled, and answers QUEUED for it meanwhile', async () => {
  const journal = await started();
  await Promise.all([1, 2, 3].map((n) => journal.append([event(n)])));
  const [file] = segments();
  expect(
    readFileSync(join(dir, file), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).eventId)
      .sort(),
  ).toEqual([1, 2, 3].map((n) => event(n).eventId));
  expect(journal.queued(event(2).eventId)).toEqual({
    eventId: event(2).eventId,
    alertSourceId: 'src-1',
    eventType: 'ALERT',
    alertKey: 'key-2',
    receivedAt: event(2).receivedAt,
    outcome: 'QUEUED',
  });
  journal.settle([event(2).eventId]);
  expect(journal.queued(event(2).eventId)).toBeUndefined();
  expect(journal.stats()).toEqual({ pending: 2, segments: 1 });
  await journal.close();
  await expect(journal.append([event(4)])).rejects.toThrow('not open');
});

it('takes no append before begin() has journaled the events still queued, which come first', async () => {
  const journal = FileEventJournal.open(dir);
  await expect(journal.append([event(1)])).rejects.toThrow('not open');
  await journal.begin([event(2)]);
  await journal.append([event(3)]);
  await journal.close();
  expect(FileEventJournal.open(dir).left.map((e) => e.eventId)).toEqual([event(2).eventId, event(3).eventId]);
});

it('a restart finds the events the last run left, in order, once each, without a line cut short by a crash', async () => {
  const first = await started();
  for (const n of [1, 2, 3]) await first.append([event(n)]);
  await first.append([event(2)]); // sent again (a system event): one event all the same
  await first.close();
  appendFileSync(join(dir, segments()[0]), '{"eventId":"01CUT'); // the crash came mid-line: never acknowledged

  const second = FileEventJournal.open(dir);
  expect(second.left.map((e) => e.eventId)).toEqual([1, 2, 3].map((n) => event(n).eventId));
  expect(second.left[0]).toEqual(event(1));
  // Event 2 was applied before the crash: only 1 and 3 start the new journal; the old segment goes.
  const oldFiles = segments();
  await second.begin([event(1), event(3)]);
  expect(segments()).toHaveLength(1);
  expect(segments()[0] > oldFiles[0]).toBe(true);
  expect(second.queued(event(1).eventId)?.outcome).toBe('QUEUED');
  expect(second.queued(event(2).eventId)).toBeUndefined();
  await second.close();
  expect(FileEventJournal.open(dir).left.map((e) => e.eventId)).toEqual([event(1).eventId, event(3).eventId]);
});

it('begins a new segment file every segmentEvents events and removes each one whose events are all settled', async () => {
  const journal = await started({ segmentEvents: 2 });
  for (const n of [1, 2, 3, 4, 5]) await journal.append([event(n)]);
  expect(segments()).toHaveLength(3);
  journal.settle([event(1).eventId]);
  expect(segments()).toHaveLength(3); // event 2 still pending there
  journal.settle([event(2).eventId, event(4).eventId]);
  expect(segments()).toHaveLength(2);
  // The segment being written stays, even when nothing in it is pending.
  journal.settle([event(3).eventId, event(5).eventId]);
  expect(segments()).toHaveLength(1);
  expect(journal.stats()).toEqual({ pending: 0, segments: 1 });
  // A settled event settled again, or one never journaled, changes nothing.
  journal.settle([event(3).eventId, 'unknown']);
  await journal.append([event(6)]);
  await journal.append([event(7)]);
  expect(segments()).toHaveLength(2); // 6 joined the segment being written, 7 began the next
  await journal.close();
  // Settled 5 shares its file with pending 6: a restart reads it too, and finds its record (see createRecovery).
  expect(FileEventJournal.open(dir).left.map((e) => e.eventId)).toEqual([5, 6, 7].map((n) => event(n).eventId));
});

it('an event journaled again moves to the newer segment: the older one goes once its other events are settled', async () => {
  const journal = await started({ segmentEvents: 2 });
  await journal.append([event(1)]);
  await journal.append([event(2)]);
  await journal.append([event(1)]); // in segment 2 now
  journal.settle([event(2).eventId]);
  expect(segments()).toHaveLength(1);
  expect(journal.queued(event(1).eventId)?.outcome).toBe('QUEUED');
  await journal.close();
});

it('close waits for the appends under way: each one acknowledged is on disk', async () => {
  const journal = await started();
  const appends = [1, 2, 3, 4].map((n) => journal.append([event(n)]));
  const closing = journal.close();
  const results = await Promise.allSettled(appends);
  await closing;
  const acknowledged = results.flatMap((r, i) => (r.status === 'fulfilled' ? [event(i + 1).eventId] : []));
  expect(acknowledged.length).toBeGreaterThan(0);
  expect(FileEventJournal.open(dir).left.map((e) => e.eventId)).toEqual(expect.arrayContaining(acknowledged));
});

it("journals one payload's events in one write, together, even while another write is under way", async () => {
  const journal = await started({ segmentEvents: 2 });
  const lone = journal.append([event(1)]);
  const payload = journal.append([event(2), event(3), event(4)]);
  await Promise.all([lone, payload]);
  // A payload is never split over segments: 1's segment takes all of it, past segmentEvents; the next append begins another.
  const lines = () =>
    segments().map((file) =>
      readFileSync(join(dir, file), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).eventId),
    );
  expect(lines()).toEqual([[1, 2, 3, 4].map((n) => event(n).eventId)]);
  await journal.append([event(5)]);
  expect(lines()).toEqual([[1, 2, 3, 4].map((n) => event(n).eventId), [event(5).eventId]]);
  await journal.close();
});

it('after a write that failed, the next one goes to a new segment: no acknowledged line follows a fragment', async () => {
  const journal = await started();
  await journal.append([event(1)]);
  // The file under the journal fails (as a full disk would): its handle is closed behind its back.
  await (journal as unknown as { current: { file: { close: () => Promise<void> } } }).current.file.close();
  await expect(journal.append([event(2)])).rejects.toThrow();
  expect(journal.queued(event(2).eventId)).toBeUndefined();
  await journal.append([event(3)]);
  expect(segments()).toHaveLength(2);
  expect(journal.queued(event(3).eventId)?.outcome).toBe('QUEUED');
  await journal.close();
  expect(FileEventJournal.open(dir).left.map((e) => e.eventId)).toEqual([event(1).eventId, event(3).eventId]);
});

describe('settlingHandled', () => {
  const record = (messageId: string, body: string): SQSRecord => ({ messageId, body }) as SQSRecord;

  it('settles the events of the messages the processor handled, not of those it reports failed', async () => {
    const journal = await started();
    for (const n of [1, 2, 3, 4]) await journal.append([event(n)]);
    const handler = settlingHandled(journal, async () => ({ batchItemFailures: [{ itemIdentifier: 'm-failed' }] }));
    const batch: SQSEvent = {
      Records: [
        record('m-one', queueMessageBody([event(1)])),
        record('m-two', queueMessageBody([event(2), event(3)])),
        record('m-failed', queueMessageBody([event(4)])),
        record('m-garbage', 'not json'),
      ],
    };
    expect(await handler(batch, lambdaContext('processor'))).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-failed' }] });
    expect([1, 2, 3, 4].map((n) => journal.queued(event(n).eventId)?.outcome)).toEqual([undefined, undefined, undefined, 'QUEUED']);
    await journal.close();
  });

  it('settles nothing when the handler throws', async () => {
    const journal = await started();
    await journal.append([event(1)]);
    const handler = settlingHandled(journal, async () => {
      throw new Error('store down');
    });
    await expect(handler({ Records: [record('m', queueMessageBody([event(1)]))] }, lambdaContext('processor'))).rejects.toThrow('store down');
    expect(journal.queued(event(1).eventId)?.outcome).toBe('QUEUED');
    await journal.close();
  });
});
