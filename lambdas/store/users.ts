// DynamoDB adapter for users: by id, and the paged list (gsi1 `USERS`, newest first) for the management API.
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Contact, User } from '../domain/user';
import type { StoreContext } from './client';
import { putNew } from './put-new';
import { decodeCursor, encodeCursor } from './cursor';
import { getMany, queryKeys } from './items';
import { creationPosition, indexQuery, userKeys } from './keys';

/**
 * The user must exist and still carry the updatedAt the caller read, so that a write decided on a stale read
 * (another PUT, a delete) fails instead of undoing it.
 */
const userUnchanged = (updatedAt: string) => ({
  ConditionExpression: 'attribute_exists(pk) AND updatedAt = :readUpdatedAt',
  ExpressionAttributeValues: { ':readUpdatedAt': updatedAt },
});

// Contacts are stored as JSON text: one attribute, read whole, and no nested document paths to keep in step.
const toItem = (user: User) => ({
  ...userKeys.item(user.id),
  ...userKeys.list(user.createdAt, user.id),
  entity: 'User',
  ...user,
  contacts: JSON.stringify(user.contacts),
});

const fromItem = (item: Record<string, unknown>): User => {
  const { pk: _p, sk: _s, gsi1pk: _1, gsi1sk: _2, entity: _e, contacts, ...user } = item;
  return { ...(user as Omit<User, 'contacts'>), contacts: JSON.parse(contacts as string) as Contact[] };
};

export class UserStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(user: User): Promise<void> {
    await putNew(this.ctx, toItem(user));
  }

  /**
   * A consistent read: a policy saved right after its user was created checks that the user exists, and an eventually
   * consistent read could still miss it ("names no existing user").
   */
  async get(id: string): Promise<User | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: userKeys.item(id), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  /** One page of users, newest first; the cursor carries the gsi1 sort key where the page stopped. */
  async list(page: { limit: number; cursor?: string }): Promise<{ items: User[]; nextCursor?: string }> {
    const query = { listing: 'users' };
    const before = decodeCursor(query, page.cursor, creationPosition.isValid);
    const keyCondition = indexQuery('gsi1', userKeys.listPartition, before === undefined ? undefined : { before });
    const found = await queryKeys(this.ctx, { ...keyCondition, ScanIndexForward: false, Limit: page.limit });
    const items = (await getMany(this.ctx, found.keys)).map(fromItem);
    return { items, nextCursor: encodeCursor(query, found.lastKey?.gsi1sk as string | undefined) };
  }

  /** Replaces `previous` (as the caller read it) with `user`; Conflict when it changed or was deleted since. */
  async replace(user: User, previous: User): Promise<void> {
    await this.ctx.db.send(new PutCommand({ TableName: this.ctx.tableName, Item: toItem(user), ...userUnchanged(previous.updatedAt) }));
  }

  /** Deletes the user as the caller read it; Conflict when it changed or was deleted since. */
  async delete(user: User): Promise<void> {
    await this.ctx.db.send(new DeleteCommand({ TableName: this.ctx.tableName, Key: userKeys.item(user.id), ...userUnchanged(user.updatedAt) }));
  }
}
