// Creating an item that must be new, on the real DynamoDB engine: a retry whose first attempt landed (its answer was
// lost to a timeout) is the same write, not a conflict; another item under the key still is one.
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { createDocumentClient } from '../../lambdas/store/client';
import { ConditionFailed } from '../../lambdas/store/sdk-errors';
import { putNew } from '../../lambdas/store/put-new';

jest.setTimeout(120_000);

let rt: RuntimeProcess;
let db: ReturnType<typeof createDocumentClient>;
beforeAll(async () => {
  rt = await startRuntimeProcess();
  db = createDocumentClient({ endpoint: rt.info.dynamoDbEndpoint });
});
afterAll(async () => {
  db?.destroy();
  await rt?.stop();
});

const item = (name: string) => ({
  pk: 'SOURCE#put-new-test',
  sk: 'SOURCE',
  name,
  createdAt: '2025-01-15T09:00:00.000Z',
  settings: { a: [1, 2] },
  note: undefined,
});

it('a put repeated after its first attempt landed succeeds; another item under the key is a ConditionFailed', async () => {
  const ctx = { db, tableName: rt.info.tableName };
  await putNew(ctx, item('first'));
  await expect(putNew(ctx, item('first'))).resolves.toBeUndefined();
  await expect(putNew(ctx, item('second'))).rejects.toBeInstanceOf(ConditionFailed);
});
