// The user store's reads that decide a write: a policy saved right after its user was created must find that user.
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UserStore } from '../../lambdas/store/users';

it('reads a user by id with a consistent read', async () => {
  const sent: unknown[] = [];
  const db = { send: async (command: unknown) => (sent.push(command), { Item: undefined }) } as unknown as DynamoDBDocumentClient;
  expect(await new UserStore({ db, tableName: 'alertline' }).get('user-1')).toBeUndefined();
  expect(sent).toHaveLength(1);
  expect(sent[0]).toBeInstanceOf(GetCommand);
  expect((sent[0] as GetCommand).input).toMatchObject({ TableName: 'alertline', ConsistentRead: true });
});
