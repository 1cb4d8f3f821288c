// Crash recovery of the local runtime: its queue lives in memory, so after a crash the events accepted and not applied
// have no message behind them any more. They are sent again, in order: those of its journal (see EventJournal), and the
// QUEUED records a data folder of an older version holds.
import type { AcceptedEvent } from '../domain/event';
import { EventQueue } from '../queue/event-queue';
import { AlertSourceStore } from '../store/alert-sources';
import { EventStore, TOMBSTONE_SECONDS } from '../store/events';
import { createQueueClient, storeContextOf } from './clients';
import type { IngestConfig } from './config';

export type RecoveryConfig = Pick<IngestConfig, 'tableName' | 'dynamoDbEndpoint' | 'queueUrl' | 'sqsEndpoint'>;

/** The journal as recovery meets it: what the last run left, and the start of this run's (lambdas/handlers/event-journal.ts). */
export interface JournalToRecover {
  readonly left: readonly AcceptedEvent[];
  begin(stillQueued: readonly AcceptedEvent[]): Promise<void>;
}

/**
 * Re-queues every event accepted and not applied, and says how many: first the QUEUED records of an older data folder
 * (source by source, in acceptance order), then the journal's events without a record (not applied, withdrawn or
 * parked), in acceptance order, which start the new journal. Run before the gateway opens, so that recovered events
 * keep their place ahead of new ones of the same source.
 */
export function createRecovery(config: RecoveryConfig, journal?: JournalToRecover, log: (line: string) => void = () => undefined): () => Promise<number> {
  return async () => {
    const ctx = storeContextOf(config);
    const sqs = createQueueClient({ endpoint: config.sqsEndpoint });
    const events = new EventStore(ctx);
    const queue = new EventQueue(sqs, config.queueUrl);
    let count = 0;
    try {
      for (const source of await new AlertSourceStore(ctx).list()) {
        for await (const event of events.queuedPayloads(source.id)) {
          await queue.resend(event);
          count++;
        }
      }
      if (journal) {
        // Past a tombstone's lifetime, no record could also mean one expired (TTL): such an old event is not sent again
        // (in AWS the queue would have dropped it after its retention, 4 days, already).
        const since = Date.now() - TOMBSTONE_SECONDS * 1000;
        const young = journal.left.filter((e) => Date.parse(e.receivedAt) >= since);
        const old = journal.left.length - young.length;
        if (old > 0) log(`journal: ${old} event(s) received over ${Math.round(TOMBSTONE_SECONDS / 86_400)} days ago are not queued again, applied or not`);
        const recorded = await events.recordedAmong(young.map((e) => e.eventId));
        const stillQueued = young.filter((e) => !recorded.has(e.eventId));
        await journal.begin(stillQueued);
        for (const event of stillQueued) {
          await queue.resend(event);
          count++;
        }
      }
      return count;
    } finally {
      ctx.db.destroy();
      sqs.destroy();
    }
  };
}
