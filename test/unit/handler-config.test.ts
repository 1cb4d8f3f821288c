// The handlers' configuration from the environment: read as the Lambda entry files do, a missing or malformed variable failing at once.
import { DEFAULTS, QUEUE } from '../../lambdas/contract';
import { apiConfigFromEnv, ingestConfigFromEnv, processorConfigFromEnv } from '../../lambdas/handlers/config';

const AWS = { TABLE_NAME: 'table', QUEUE_URL: 'https://sqs.example/q.fifo', ADMIN_TOKEN_SECRET_ARN: 'arn:secret', MAX_RECEIVE_COUNT: '7' };

describe('configuration from the environment', () => {
  it("reads what the stack sets, with the contract's defaults for the rest", () => {
    expect(ingestConfigFromEnv(AWS)).toEqual({ tableName: 'table', queueUrl: AWS.QUEUE_URL, sourceCacheTtlMs: DEFAULTS.sourceCacheTtlMs });
    expect(processorConfigFromEnv(AWS)).toEqual({ tableName: 'table', sourceCacheTtlMs: DEFAULTS.sourceCacheTtlMs, maxReceiveCount: 7, singleWrites: true });
    expect(processorConfigFromEnv({ TABLE_NAME: 't' }).maxReceiveCount).toBe(QUEUE.maxReceiveCount);
    // Appends and accepts are single writes in AWS unless switched off.
    expect(processorConfigFromEnv({ TABLE_NAME: 't', SINGLE_WRITES: 'false' }).singleWrites).toBe(false);
    expect(apiConfigFromEnv(AWS)).toEqual({ tableName: 'table', adminToken: { secretArn: 'arn:secret' }, allowPrivateWebhookTargets: false });
  });

  it("allows private webhook targets only for the exact value 'true'", () => {
    expect(apiConfigFromEnv({ ...AWS, ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' }).allowPrivateWebhookTargets).toBe(true);
    for (const value of ['TRUE', '1', 'yes', ''])
      expect(apiConfigFromEnv({ ...AWS, ALLOW_PRIVATE_WEBHOOK_TARGETS: value }).allowPrivateWebhookTargets).toBe(false);
  });

  it('takes the local endpoints and a token given directly, the token before the secret', () => {
    const local = { ...AWS, DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', SQS_ENDPOINT: 'http://127.0.0.1:9324', ADMIN_TOKEN: 'tok', SOURCE_CACHE_TTL_MS: '0' };
    expect(ingestConfigFromEnv(local)).toEqual(
      expect.objectContaining({ dynamoDbEndpoint: local.DYNAMODB_ENDPOINT, sqsEndpoint: local.SQS_ENDPOINT, sourceCacheTtlMs: 0 }),
    );
    expect(apiConfigFromEnv(local).adminToken).toEqual({ token: 'tok' });
  });

  it.each([
    ['TABLE_NAME', () => ingestConfigFromEnv({ QUEUE_URL: 'q' }), /Missing environment variable TABLE_NAME/],
    ['QUEUE_URL', () => ingestConfigFromEnv({ TABLE_NAME: 't', QUEUE_URL: '' }), /Missing environment variable QUEUE_URL/],
    ['the admin token', () => apiConfigFromEnv({ TABLE_NAME: 't' }), /Missing environment variable ADMIN_TOKEN or ADMIN_TOKEN_SECRET_ARN/],
    [
      'MAX_RECEIVE_COUNT',
      () => processorConfigFromEnv({ TABLE_NAME: 't', MAX_RECEIVE_COUNT: 'five' }),
      /MAX_RECEIVE_COUNT must be a non-negative number, got "five"/,
    ],
    ['SOURCE_CACHE_TTL_MS', () => processorConfigFromEnv({ TABLE_NAME: 't', SOURCE_CACHE_TTL_MS: '-1' }), /SOURCE_CACHE_TTL_MS must be a non-negative number/],
  ])('fails naming %s when it is missing or malformed', (_name, read, message) => {
    expect(read).toThrow(message);
  });
});
