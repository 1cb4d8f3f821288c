// DynamoDB adapter for escalation policies: by id, by routing key (unique, claimed by its own item), and the list for the management API.
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { EscalationPolicy } from '../domain/escalation-policy';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { listKind } from './items';
import { escalationPolicyKeys, routingKeyKeys } from './keys';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Another escalation policy already has this routing key. */
export class RoutingKeyTakenError extends Error {
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

/** Why a transaction was cancelled: one code per item, in the order given ('None' for the items that passed). */
function cancellationCodes(error: unknown): string[] | undefined {
  const name = (error as Error).name;
  if (name === 'TransactionConflictException') return ['TransactionConflict'];
  if (name !== 'TransactionCanceledException') return undefined;
  return ((error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? []).map((r) => r.Code ?? 'None');
}

export class EscalationPolicyStore {
  constructor(private readonly ctx: StoreContext) {}

  /** Stores a new policy and claims its routing key in the same transaction; throws RoutingKeyTakenError when the key is taken. */
  async create(policy: EscalationPolicy): Promise<void> {
    const put = { TableName: this.ctx.tableName, Item: toItem(policy), ...conditions.isNew };
    if (policy.routingKey === undefined) {
      await this.ctx.db.send(new PutCommand(put));
      return;
    }
    const items: TransactItem[] = [{ Put: put }, this.claim(policy.routingKey, policy.id)];
    for (let attempt = 0; ; attempt++) {
      try {
        await this.ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        const codes = cancellationCodes(error);
        if (codes?.[1] === 'ConditionalCheckFailed') throw new RoutingKeyTakenError(policy.routingKey);
        // Another writer touched the routing key's claim at the same moment: try again, the outcome then is definite.
        if (!codes?.includes('TransactionConflict') || attempt >= 4) throw error;
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
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
   * Returns false when the policy was deleted or changed its routing key since it was read (read again and retry);
   * throws RoutingKeyTakenError when the new routing key belongs to another policy.
   */
  async replace(policy: EscalationPolicy, previous: EscalationPolicy): Promise<boolean> {
    const put = { TableName: this.ctx.tableName, Item: toItem(policy), ...conditions.policyRoutingKeyIs(previous.routingKey) };
    if (policy.routingKey === previous.routingKey) {
      // The claim stays as it is: one conditional write.
      try {
        await this.ctx.db.send(new PutCommand(put));
        return true;
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    }
    const items: TransactItem[] = [{ Put: put }];
    if (previous.routingKey !== undefined) items.push(this.release(previous.routingKey, policy.id));
    if (policy.routingKey !== undefined) items.push(this.claim(policy.routingKey, policy.id));
    try {
      await this.ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      const claimFailed = policy.routingKey !== undefined && codes[items.length - 1] === 'ConditionalCheckFailed';
      if (claimFailed && codes[0] !== 'ConditionalCheckFailed') throw new RoutingKeyTakenError(policy.routingKey!);
      return false;
    }
  }

  /** Deletes the policy as the caller read it, with its routing key's claim. False when it was deleted or changed since. */
  async delete(policy: EscalationPolicy): Promise<boolean> {
    const del = { TableName: this.ctx.tableName, Key: escalationPolicyKeys.item(policy.id), ...conditions.policyRoutingKeyIs(policy.routingKey) };
    try {
      if (policy.routingKey === undefined) await this.ctx.db.send(new DeleteCommand(del));
      else await this.ctx.db.send(new TransactWriteCommand({ TransactItems: [{ Delete: del }, this.release(policy.routingKey, policy.id)] }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException' || cancellationCodes(error)) return false;
      throw error;
    }
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
