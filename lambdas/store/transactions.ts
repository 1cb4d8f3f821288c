// What the stores' transactions are made of, and how to tell which item of one an error points at.
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Key } from './keys';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on the items of one transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

/** A key as one string, to compare keys or use them in a Set or Map. */
export const keyString = (key: Key): string => `${key.pk}\u0000${key.sk}`;

/** The key of the item a transaction item writes or checks. */
export const keyOf = (item: TransactItem): Key => {
  const key = item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key;
  return { pk: key?.pk as string, sk: key?.sk as string };
};
