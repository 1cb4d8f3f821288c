// DynamoDB adapter for escalation policies: by id, by routing key (unique, claimed by its own item), and the list for the management API.
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { EscalationPolicy } from '../domain/escalation-policy';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { Conflict } from './errors';
import { listKind } from './items';
import { escalationPolicyKeys, routingKeyKeys } from './keys';
import { putNew } from './put-new';
import { ConditionFailed, toStoreError } from './sdk-errors';
import type { TransactItem } from './transactions';

/** Another escalation policy already has this routing key. */
export class RoutingKeyTakenError extends Conflict {
  override readonly name = 'RoutingKeyTakenError';
  constructor(readonly routingKey: string) {
    super(`The routing key "${routingKey}" is already used by another escalation policy`);
  }
}

const toItem = (policy: EscalationPolicy) => ({
  ...escalationPolicyKeys.item(policy.id),
  ...escalationPolicyKeys.list(policy.createdAt, policy.id),
  entity: 'EscalationPolicy',
  ...policy,
});

const fromItem = (item: Record<string, unknown>): EscalationPolicy => {
  const { pk: _p, sk: _s, gsi1pk: _1, gsi1sk: _2, entity: _e, ...policy } = item;
  return policy as unknown as EscalationPolicy;
};

/** How many times a create meets another transaction on the routing key's claim before it gives up (Conflict). */
const CREATE_ATTEMPTS = 5;

/**
 * A transaction's failure where the claim (at `claimAt`) failed its condition but the policy's own write (at 0) did not:
 * the routing key belongs to another policy. Anything else is thrown as it is: a Conflict when the policy itself
 * changed or another transaction met it.
 */
function claimRefused(error: unknown, claimAt: number, routingKey: string): never {
  const translated = toStoreError(error);
  if (translated instanceof ConditionFailed && translated.items.includes(claimAt) && !translated.items.includes(0)) {
    throw new RoutingKeyTakenError(routingKey);
  }
  throw translated;
}

export class EscalationPolicyStore {
  constructor(private readonly ctx: StoreContext) {}

  /** Stores a new policy and claims its routing key in the same transaction; throws RoutingKeyTakenError when the key is taken. */
  async create(policy: EscalationPolicy): Promise<void> {
    const put = { TableName: this.ctx.tableName, Item: toItem(policy), ...conditions.isNew };
    if (policy.routingKey === undefined) {
      await putNew(this.ctx, put.Item);
      return;
    }
    const items: TransactItem[] = [{ Put: put }, this.claim(policy.routingKey, policy.id)];
    for (let attempt = 1; ; attempt++) {
      try {
        await this.ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        const translated = toStoreError(error);
        // Another writer touched the routing key's claim at the same moment: try again, the outcome then is definite.
        const raced = translated instanceof Conflict && !(translated instanceof ConditionFailed);
        if (!raced || attempt >= CREATE_ATTEMPTS) claimRefused(translated, 1, policy.routingKey);
        await new Promise((r) => setTimeout(r, 20 * 2 ** (attempt - 1)));
      }
    }
  }

  async get(id: string): Promise<EscalationPolicy | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: escalationPolicyKeys.item(id) }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  /** The policy whose routing key this is (compared exactly, as the events API trims it), if any: two GetItems. */
  async getByRoutingKey(routingKey: string): Promise<EscalationPolicy | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: routingKeyKeys.item(routingKey) }));
    const policyId = out.Item?.policyId as string | undefined;
    if (policyId === undefined) return undefined;
    // The two reads are not atomic: the policy may have given up the key in between.
    const policy = await this.get(policyId);
    return policy?.routingKey === routingKey ? policy : undefined;
  }

  /** All escalation policies, newest first, read whole page by page (a team has tens of them). */
  async list(): Promise<EscalationPolicy[]> {
    return (await listKind(this.ctx, escalationPolicyKeys.listPartition)).map(fromItem);
  }

  /**
   * Replaces `previous` (as the caller read it) with `policy`, moving the routing key's claim when it changed.
   * Throws Conflict when the policy was deleted or changed its routing key since it was read (read again and retry),
   * RoutingKeyTakenError when the new routing key belongs to another policy.
   */
  async replace(policy: EscalationPolicy, previous: EscalationPolicy): Promise<void> {
    const put = { TableName: this.ctx.tableName, Item: toItem(policy), ...conditions.policyRoutingKeyIs(previous.routingKey) };
    if (policy.routingKey === previous.routingKey) {
      // The claim stays as it is: one conditional write (its failed condition is a Conflict).
      await this.ctx.db.send(new PutCommand(put));
      return;
    }
    const items: TransactItem[] = [{ Put: put }];
    if (previous.routingKey !== undefined) items.push(this.release(previous.routingKey, policy.id));
    if (policy.routingKey !== undefined) items.push(this.claim(policy.routingKey, policy.id));
    try {
      await this.ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (policy.routingKey === undefined) throw toStoreError(error);
      claimRefused(error, items.length - 1, policy.routingKey);
    }
  }

  /** Deletes the policy as the caller read it, with its routing key's claim. Conflict when it was deleted or changed since. */
  async delete(policy: EscalationPolicy): Promise<void> {
    const del = { TableName: this.ctx.tableName, Key: escalationPolicyKeys.item(policy.id), ...conditions.policyRoutingKeyIs(policy.routingKey) };
    if (policy.routingKey === undefined) await this.ctx.db.send(new DeleteCommand(del));
    else await this.ctx.db.send(new TransactWriteCommand({ TransactItems: [{ Delete: del }, this.release(policy.routingKey, policy.id)] }));
  }

  private claim(routingKey: string, policyId: string): TransactItem {
    return {
      Put: {
        TableName: this.ctx.tableName,
        Item: { ...routingKeyKeys.item(routingKey), entity: 'RoutingKey', routingKey, policyId },
        ...conditions.isNew,
      },
    };
  }

  private release(routingKey: string, policyId: string): TransactItem {
    return { Delete: { TableName: this.ctx.tableName, Key: routingKeyKeys.item(routingKey), ...conditions.routingKeyHeldBy(policyId) } };
  }
}
