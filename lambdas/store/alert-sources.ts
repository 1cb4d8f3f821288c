// DynamoDB adapter for alert sources: by id, by integration key, and the list for the management API.
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AlertSource } from '../domain/alert-source';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { putNew } from './put-new';
import { NotFound } from './errors';
import { indexQueries, alertSourceKeys } from './keys';
import { listKind, queryKeys } from './items';
import { ifConditionFailed } from './sdk-errors';

const toItem = (source: AlertSource) => ({
  ...alertSourceKeys.item(source.id),
  ...alertSourceKeys.list(source.createdAt, source.id),
  ...alertSourceKeys.byIntegrationKey(source.integrationKey),
  entity: 'AlertSource',
  ...source,
});

const fromItem = (item: Record<string, unknown>): AlertSource => {
  const { pk: _p, sk: _s, gsi1pk: _1, gsi1sk: _2, gsi2pk: _3, gsi2sk: _4, entity: _e, ...source } = item;
  return source as unknown as AlertSource;
};

const notFound = (id: string) => new NotFound(`Alert source ${id} not found`);

export class AlertSourceStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(source: AlertSource): Promise<void> {
    await putNew(this.ctx, toItem(source));
  }

  /** Replaces the stored settings; throws NotFound when the source was deleted meanwhile. */
  async replace(source: AlertSource): Promise<void> {
    await ifConditionFailed(this.ctx.db.send(new PutCommand({ TableName: this.ctx.tableName, Item: toItem(source), ...conditions.exists })), () => {
      throw notFound(source.id);
    });
  }

  async get(id: string): Promise<AlertSource | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: alertSourceKeys.item(id) }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async getByIntegrationKey(integrationKey: string): Promise<AlertSource | undefined> {
    const { keys } = await queryKeys(this.ctx, { ...indexQueries.sourceByIntegrationKey(integrationKey), Limit: 1 });
    if (keys.length === 0) return undefined;
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: keys[0] }));
    // The index is eventually consistent: the item may have been deleted or re-keyed since.
    const source = out.Item ? fromItem(out.Item) : undefined;
    return source?.integrationKey === integrationKey ? source : undefined;
  }

  /** All alert sources, newest first. A team has tens or hundreds; the list is read whole, page by page. */
  async list(): Promise<AlertSource[]> {
    return (await listKind(this.ctx, alertSourceKeys.listPartition)).map(fromItem);
  }

  /** Throws NotFound when there is no such source. */
  async delete(id: string): Promise<void> {
    await ifConditionFailed(this.ctx.db.send(new DeleteCommand({ TableName: this.ctx.tableName, Key: alertSourceKeys.item(id), ...conditions.exists })), () => {
      throw notFound(id);
    });
  }
}
