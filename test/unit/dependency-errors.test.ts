// The shared error mapping of the HTTP handlers: a store or queue that timed out or is unreachable is a 503 to retry, not a 500.
import { HttpError, respond } from '../../lambdas/handlers/http';

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
    ['throttling', Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })],
    ['a server error of the service', Object.assign(new Error('Internal server error'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } })],
  ])('answers 503 STORE_UNAVAILABLE with Retry-After for %s', async (_, error) => {
    const { res, body, unexpected } = await answerTo(error);
    expect(res.statusCode).toBe(503);
    expect(body).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
    expect(res.headers).toMatchObject({ 'retry-after': '1', 'content-type': 'application/json' });
    expect(unexpected).toEqual([error]); // still logged: an operator wants to see the outage
  });

  it.each([
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a condition that failed where none should', Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } })],
    ['a request the service refused as invalid', Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } })],
  ])('answers 500 for %s', async (_, error) => {
    const { res, body } = await answerTo(error);
    expect(res.statusCode).toBe(500);
    expect(body).toMatchObject({ status: 500, code: 'INTERNAL_ERROR' });
  });

  it('answers an HttpError as it is', async () => {
    const { res, body } = await answerTo(new HttpError(409, 'IDEMPOTENCY_KEY_IN_USE', 'in use'));
    expect(res.statusCode).toBe(409);
    expect(body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
  });
});
