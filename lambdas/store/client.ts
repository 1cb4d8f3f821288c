// Builds the DynamoDB document client once per process; tests and the local runtime point it elsewhere through the endpoint.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function createDocumentClient(options: { endpoint?: string; region?: string } = {}): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    ...(options.endpoint
      ? { endpoint: options.endpoint, region: options.region ?? 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 3,
    // Without a timeout a stalled connection hangs the request (and the ingest's answer) for good.
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export interface StoreContext {
  db: DynamoDBDocumentClient;
  tableName: string;
}
