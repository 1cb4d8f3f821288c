// Builds the DynamoDB document client once per process; tests and the local runtime point it elsewhere through the endpoint.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CALL_BUDGETS, capCalls, sdkTimeouts, type CallBudget } from '../shared/call-budget';
import { countCapacity } from './capacity';
import { toStoreError } from './sdk-errors';

/** `budget`: how long one call may take (see CALL_BUDGETS); a stalled connection must never hang a request. */
export function createDocumentClient(options: { endpoint?: string; region?: string; budget?: CallBudget } = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(options.endpoint
      ? { endpoint: options.endpoint, region: options.region ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    ...sdkTimeouts(options.budget ?? CALL_BUDGETS.default),
  });
  capCalls(client, options.budget ?? CALL_BUDGETS.default);
  // An endpoint is DynamoDB Local (or another stand-in): its transactions are counted from their items' sizes.
  countCapacity(client, { bySize: options.endpoint !== undefined });
  translateErrors(client);
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Every call of the client fails with the store's vocabulary (see sdk-errors.ts), never a raw SDK error. Outermost
 * (high priority in the first step), so that it also sees the call budget's timeout and the errors left after the
 * SDK's own retries.
 */
function translateErrors(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw toStoreError(error);
      }
    },
    { step: 'initialize', priority: 'high', name: 'alertlineStoreErrors', override: true },
  );
}

export interface StoreContext {
  /** Made by createDocumentClient: the stores rely on its errors being translated into their vocabulary. */
  db: DynamoDBDocumentClient;
  tableName: string;
}
