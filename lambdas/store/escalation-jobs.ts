// DynamoDB adapter for the escalation engine: job items by due minute, the escalator's cursor, and the conditional claim of a level.
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertStatus, LogEntry } from '../domain/alert';
import { isFirstOfRouting, jobMinute, jobStep, jobSubject, type EscalationJob } from '../domain/escalation';
import { alertStatusOf, operatorLogItem } from './alert-rows';
import type { StoreContext } from './client';
import { alertStatusNames, conditions } from './conditions';
import { alertKeys, escalationJobKeys, type Key } from './keys';
import { ifConditionFailed } from './sdk-errors';
import type { TransactItem } from './transactions';

/** A job as stored: its key, what it says, and when a claimer took it (a LEVEL job between claim and delete). */
export interface StoredJob {
  key: Key;
  job: EscalationJob;
  claimedAt?: string;
  /** Ticks in a row this job failed in (see the tick's setAside). */
  failures?: number;
}

/** The engine's state on an alert item (see the claim condition in escalationClaim). */
export interface EscalationState {
  status: AlertStatus;
  epoch?: number;
  step?: string;
}

/** Where a job is stored: the partition of the minute it may first run in, sorted by due time. */
export const jobKey = (job: EscalationJob, nowMs: number): Key => escalationJobKeys.item(jobMinute(job.dueAt, nowMs), job.dueAt, jobSubject(job), jobStep(job));

/** The Put of a job, for the transaction of the state change that makes it. Unconditional: writing it twice is harmless. */
export function jobPut(tableName: string, job: EscalationJob, nowMs: number): { key: Key; item: TransactItem } {
  const key = jobKey(job, nowMs);
  return { key, item: { Put: { TableName: tableName, Item: { ...key, entity: 'EscalationJob', step: jobStep(job), ...job } } } };
}

const storedJobFrom = (item: Record<string, unknown>): StoredJob => {
  const { pk, sk, entity: _e, step: _s, claimedAt, failures, ...job } = item;
  return {
    key: { pk: pk as string, sk: sk as string },
    job: job as unknown as EscalationJob,
    claimedAt: claimedAt as string | undefined,
    failures: failures as number | undefined,
  };
};

/** What a claim writes besides marking the job: the next level's job (if any) and the ESCALATED log entry. */
export interface Claim {
  stored: StoredJob & { job: Extract<EscalationJob, { kind: 'LEVEL' }> };
  next?: EscalationJob;
  log: LogEntry;
  nowMs: number;
}

/**
 * The alert's half of a claim. It holds only while the alert is in the routing the job belongs to (epoch) and shows
 * the step before the job's (`after`; none for the first level of a routing), and its status allows the level: the
 * first level of a routing any open status (a rerouted ACCEPTED alert notifies level 1 once), a later one PENDING only,
 * as does a first level that plans a next one (so that an accepted alert never gets a next level due).
 */
function alertClaim(tableName: string, claim: Claim): TransactItem {
  const job = claim.stored.job;
  const pendingOnly = !isFirstOfRouting(job) || claim.next !== undefined;
  const sets = ['escalationStep = :step', 'escalationLevel = :level', 'escalationRound = :round'];
  const values: Record<string, unknown> = { ':step': jobStep(job), ':level': job.level, ':round': job.round, ':epoch': job.epoch };
  if (claim.next) {
    sets.push('nextEscalationAt = :next');
    values[':next'] = claim.next.dueAt;
  }
  if (job.after !== undefined) values[':after'] = job.after;
  const status = pendingOnly ? conditions.alertStatusIs('PENDING') : conditions.alertOpen;
  const condition = [
    'escalationEpoch = :epoch',
    job.after === undefined ? 'attribute_not_exists(escalationStep)' : 'escalationStep = :after',
    status.ConditionExpression,
  ];
  return {
    Update: {
      TableName: tableName,
      Key: alertKeys.item(job.alertId),
      UpdateExpression: `SET ${sets.join(', ')}${claim.next ? '' : ' REMOVE nextEscalationAt'}`,
      ConditionExpression: condition.join(' AND '),
      ExpressionAttributeNames: status.ExpressionAttributeNames,
      ExpressionAttributeValues: { ...values, ...status.ExpressionAttributeValues },
    },
  };
}

export class EscalationJobStore {
  constructor(private readonly ctx: StoreContext) {}

  async get(key: Key): Promise<StoredJob | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: key, ConsistentRead: true }));
    return out.Item ? storedJobFrom(out.Item) : undefined;
  }

  async delete(key: Key): Promise<void> {
    await this.ctx.db.send(new DeleteCommand({ TableName: this.ctx.tableName, Key: key }));
  }

  /**
   * Moves a job, as it is stored now (with the claim a failed run may have written), to the partition of `untilMs`'s
   * minute with its count of failures: one transaction, so that it is never in both partitions, nor in none. Nothing
   * to do when the job is gone.
   */
  async postpone(key: Key, untilMs: number, failures: number): Promise<void> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: key, ConsistentRead: true }));
    if (!out.Item) return;
    const stored = storedJobFrom(out.Item);
    const moved = jobKey(stored.job, untilMs);
    await this.ctx.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.ctx.tableName, Key: key, ConditionExpression: 'attribute_exists(pk)' } },
          { Put: { TableName: this.ctx.tableName, Item: { ...out.Item, ...moved, failures } } },
        ],
      }),
    );
  }

  /** Writes jobs planned together (at most 100 per transaction; writing one twice is harmless, as jobPut's). */
  async plan(jobs: readonly EscalationJob[], nowMs: number): Promise<void> {
    for (let i = 0; i < jobs.length; i += 100) {
      const items = jobs.slice(i, i + 100).map((job) => jobPut(this.ctx.tableName, job, nowMs).item);
      await this.ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
    }
  }

  /** Replaces a job by another (a later check of the same thing), in one transaction: never both, nor none. */
  async replace(key: Key, job: EscalationJob, nowMs: number): Promise<void> {
    const put = jobPut(this.ctx.tableName, job, nowMs);
    if (put.key.pk === key.pk && put.key.sk === key.sk) return;
    await this.ctx.db.send(new TransactWriteCommand({ TransactItems: [{ Delete: { TableName: this.ctx.tableName, Key: key } }, put.item] }));
  }

  /** Every job of a minute partition (a partition holds the jobs of one minute: few), oldest due first. */
  async inMinute(minute: string): Promise<StoredJob[]> {
    const jobs: StoredJob[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.ctx.db.send(
        new QueryCommand({
          TableName: this.ctx.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': escalationJobKeys.partition(minute) },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      jobs.push(...(out.Items ?? []).map(storedJobFrom));
      start = out.LastEvaluatedKey;
    } while (start);
    return jobs;
  }

  /** The oldest minute partition that may still hold a job; undefined before the first tick. */
  async cursor(): Promise<string | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: escalationJobKeys.cursor, ConsistentRead: true }));
    return out.Item?.minute as string | undefined;
  }

  /** Moves the cursor forward only: a slower tick that read an older cursor must not move it back over a job. */
  async moveCursor(minute: string): Promise<void> {
    await ifConditionFailed(
      this.ctx.db.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: escalationJobKeys.cursor,
          UpdateExpression: 'SET #minute = :minute',
          ConditionExpression: 'attribute_not_exists(pk) OR #minute < :minute',
          ExpressionAttributeNames: { '#minute': 'minute' },
          ExpressionAttributeValues: { ':minute': minute },
        }),
      ),
      () => undefined,
    );
  }

  /** The engine's fields of an alert, read consistently (undefined: no such alert). */
  async escalationState(alertId: string): Promise<EscalationState | undefined> {
    const out = await this.ctx.db.send(
      new GetCommand({
        TableName: this.ctx.tableName,
        Key: alertKeys.item(alertId),
        ConsistentRead: true,
        ProjectionExpression: '#alertStatus, #status, escalationEpoch, escalationStep',
        ExpressionAttributeNames: { ...alertStatusNames },
      }),
    );
    if (!out.Item) return undefined;
    return {
      status: alertStatusOf(out.Item),
      epoch: out.Item.escalationEpoch as number | undefined,
      step: out.Item.escalationStep as string | undefined,
    };
  }

  /**
   * Claims a LEVEL job, in one transaction: the alert moves to the job's step (see alertClaim), the job is marked
   * claimed (unless someone else did), the next level's job and the ESCALATED entry are written. false when a
   * condition failed: the caller reads the alert and the job to tell why.
   */
  claimLevel(claim: Claim): Promise<boolean> {
    const t = this.ctx.tableName;
    const items: TransactItem[] = [
      alertClaim(t, claim),
      {
        Update: {
          TableName: t,
          Key: claim.stored.key,
          UpdateExpression: 'SET claimedAt = :now',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(claimedAt)',
          ExpressionAttributeValues: { ':now': new Date(claim.nowMs).toISOString() },
        },
      },
      { Put: { TableName: t, Item: operatorLogItem(claim.log) } },
    ];
    if (claim.next) items.push(jobPut(t, claim.next, claim.nowMs).item);
    return ifConditionFailed(
      this.ctx.db.send(new TransactWriteCommand({ TransactItems: items })).then(() => true),
      () => false,
    );
  }
}
