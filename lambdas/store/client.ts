// Builds the DynamoDB document client once per process; tests and the local runtime point it elsewhere through the endpoint.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CALL_BUDGETS, capCalls, sdkTimeouts, type CallBudget } from '../shared/call-budget';

/** `budget`: how long one call may take (see CALL_BUDGETS); a stalled connection must never hang a request. */
export function createDocumentClient(options: { endpoint?: string; region?: string; budget?: CallBudget } = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(options.endpoint
      ? { endpoint: options.endpoint, region: options.region ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    ...sdkTimeouts(options.budget ?? CALL_BUDGETS.default),
  });
  capCalls(client, options.budget ?? CALL_BUDGETS.default);
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export interface StoreContext {
  db: DynamoDBDocumentClient;
  tableName: string;
}
