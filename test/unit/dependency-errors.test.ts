// The shared error mapping of the HTTP handlers: a store or queue that timed out or is unreachable is a 503 to retry, not a 500.
import { ConflictError, NotFoundError, ValidationError } from '../../lambdas/app/errors';
import { HttpError, respond } from '../../lambdas/handlers/http';
import { Conflict, Unavailable } from '../../lambdas/store/errors';
import { ConditionFailed } from '../../lambdas/store/sdk-errors';

const answerTo = async (error: unknown) => {
  const unexpected: unknown[] = [];
  const res = await respond(() => Promise.reject(error), { unexpected: (e) => unexpected.push(e) });
  return { res, body: JSON.parse(res.body as string), unexpected };
};

describe('respond', () => {
  it.each([
    ['an attempt over its request timeout', Object.assign(new Error('a request has exceeded the configured 700 ms requestTimeout'), { name: 'TimeoutError' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    [
      'throttling',
      Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }),
    ],
    ['a server error of the service', Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } })],
    ["the store's Unavailable", new Unavailable('the call budget ran out')],
    ['a transaction that met another one and was not retried', new Conflict('Transaction is ongoing for the item')],
  ])('answers 503 STORE_UNAVAILABLE with Retry-After for %s', async (_, error) => {
    const { res, body, unexpected } = await answerTo(error);
    expect(res.statusCode).toBe(503);
    expect(body).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
    expect(res.headers).toMatchObject({ 'retry-after': '1', 'content-type': 'application/json' });
    expect(unexpected).toEqual([error]); // still logged: an operator wants to see the outage
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    [
      'a condition that failed where none should',
      Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } }),
    ],
    ["the store's failed condition where none should fail", new ConditionFailed('The conditional request failed', [0])],
    [
      'a request the service refused as invalid',
      Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }),
    ],
  ])('answers 500 for %s', async (_, error) => {
    const { res, body } = await answerTo(error);
    expect(res.statusCode).toBe(500);
    expect(body).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
  });

  it.each([
    ['a thing that is not there', new NotFoundError('Alert source'), 404, { code: 'NOT_FOUND', message: 'Alert source not found' }],
    ['a state that refuses the change', new ConflictError('POLICY_IN_USE', 'in use'), 409, { code: 'POLICY_IN_USE', message: 'in use' }],
    [
      'invalid input',
      new ValidationError('Invalid alert source: name is required', [{ path: 'name', message: 'is required' }]),
      400,
      { code: 'VALIDATION_FAILED', errors: [{ path: 'name', message: 'is required' }] },
    ],
    ['a refused cursor', new ValidationError('bad cursor', [{ path: 'nextCursor', message: 'bad cursor' }], 'INVALID_CURSOR'), 400, { code: 'INVALID_CURSOR' }],
  ])("answers a use case's refusal of %s with its status and code, without logging it", async (_, error, status, expected) => {
    const { res, body, unexpected } = await answerTo(error);
    expect(res.statusCode).toBe(status);
    expect(body).toMatchObject({ status, ...expected });
    expect(unexpected).toEqual([]);
  });

  it('answers an HttpError as it is', async () => {
    const { res, body } = await answerTo(new HttpError(409, 'IDEMPOTENCY_KEY_IN_USE', 'in use'));
    expect(res.statusCode).toBe(409);
    expect(body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
  });
});
