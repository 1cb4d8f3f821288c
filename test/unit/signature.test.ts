// The webhook signature as a receiver checks it: the exact bytes, the secret and a recent timestamp, or it fails.
import { signatureHeader, verifySignature } from '../../lambdas/notify/signature';

const SECRET = 'whsec-test-1';
const BODY = JSON.stringify({ type: 'alert.notification', id: 'n1', alert: { summary: 'Disk full' } });
const T = 1_767_000_000;

describe('webhook signature', () => {
  it('is t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const { createHmac } = require('node:crypto');
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signatureHeader(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('verifies with the same secret, body and a timestamp within tolerance', () => {
    expect(verifySignature(SECRET, signatureHeader(SECRET, BODY, T), BODY, 300, T + 299)).toBe(true);
  });

  it('fails for a tampered body', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifySignature(SECRET, header, BODY.replace('Disk full', 'Disk fine'), 300, T)).toBe(false);
    expect(verifySignature(SECRET, header, `${BODY} `, 300, T)).toBe(false);
  });

  it('fails for another secret', () => {
    expect(verifySignature('another', signatureHeader(SECRET, BODY, T), BODY, 300, T)).toBe(false);
  });

  it('fails for a replay outside the tolerance, and for an altered timestamp', () => {
    const header = signatureHeader(SECRET, BODY, T);
    expect(verifySignature(SECRET, header, BODY, 300, T + 301)).toBe(false);
    expect(verifySignature(SECRET, header.replace(`t=${T}`, `t=${T + 10}`), BODY, 300, T)).toBe(false);
  });

  it.each(['', 'v1=abc', `t=${T}`, `t=${T},v1=zz`, `t=soon,v1=${'0'.repeat(64)}`, `t=${T},v1=${'0'.repeat(63)}`])(
    'fails for the malformed header %p',
    (header) => {
      expect(verifySignature(SECRET, header, BODY, 300, T)).toBe(false);
    },
  );

  it('accepts a header with an old and a new signature during a secret rotation', () => {
    const old = signatureHeader('old-secret', BODY, T).split(',')[1];
    expect(verifySignature(SECRET, `${signatureHeader(SECRET, BODY, T)},${old}`, BODY, 300, T)).toBe(true);
    expect(verifySignature('old-secret', `${signatureHeader(SECRET, BODY, T)},${old}`, BODY, 300, T)).toBe(true);
  });
});
