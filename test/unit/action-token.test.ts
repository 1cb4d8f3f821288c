// Action-link tokens (signed, one alert/action/user, 24 h) and the confirm page a GET shows.
import * as fc from 'fast-check';
import { actionLogText, signActionToken, verifyActionToken, type ActionClaims } from '../../lambdas/domain/action-token';
import { actionConfirmPage, actionErrorPage, ACTION_PAGE_HEADERS } from '../../lambdas/notify/action-page';

const SECRET = 'action-secret-for-tests';
const NOW = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;
const CLAIMS: ActionClaims = { alertId: '01JALERT0000000000000000AA', action: 'accept', userId: '01JUSER00000000000000000UU', channel: 'WEBHOOK' };

describe('action tokens', () => {
  it('round-trips the claims and expires 24 h after signing', () => {
    const token = signActionToken(SECRET, CLAIMS, NOW);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyActionToken(SECRET, token, NOW + 24 * HOUR - 1000)).toEqual({ ok: true, claims: { ...CLAIMS, expiresAt: (NOW + 24 * HOUR) / 1000 } });
    expect(verifyActionToken(SECRET, token, NOW + 24 * HOUR)).toEqual({ ok: false, reason: 'expired' });
  });

  it('honours a shorter lifetime', () => {
    const token = signActionToken(SECRET, { ...CLAIMS, action: 'resolve', channel: 'EMAIL' }, NOW, 60_000);
    expect(verifyActionToken(SECRET, token, NOW + 59_000)).toMatchObject({ ok: true, claims: { action: 'resolve', channel: 'EMAIL' } });
    expect(verifyActionToken(SECRET, token, NOW + 60_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('is invalid under another secret', () => {
    expect(verifyActionToken('other-secret', signActionToken(SECRET, CLAIMS, NOW), NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('is invalid when the claims are altered, even to extend the expiry or change the action', () => {
    const [, signature] = signActionToken(SECRET, CLAIMS, NOW).split('.');
    const forged = (payload: object) => `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`;
    const e = (NOW + 24 * HOUR) / 1000;
    expect(verifyActionToken(SECRET, forged({ a: CLAIMS.alertId, x: 'resolve', u: CLAIMS.userId, c: 'WEBHOOK', e }), NOW).ok).toBe(false);
    expect(verifyActionToken(SECRET, forged({ a: CLAIMS.alertId, x: 'accept', u: CLAIMS.userId, c: 'WEBHOOK', e: e + 3600 }), NOW)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('is invalid after changing any one character', () => {
    const token = signActionToken(SECRET, CLAIMS, NOW);
    fc.assert(
      fc.property(fc.nat({ max: token.length - 1 }), fc.constantFrom(...'AQgw_-.xyz09'), (index, char) => {
        fc.pre(token[index] !== char);
        const altered = token.slice(0, index) + char + token.slice(index + 1);
        expect(verifyActionToken(SECRET, altered, NOW)).toEqual({ ok: false, reason: 'invalid' });
      }),
    );
  });

  it.each(['', '.', 'abc', 'a.b.c', 'a b.c', `${'x'.repeat(10)}.`, '%2e%2e.abc'])('rejects the malformed token %p as invalid', (token) => {
    expect(verifyActionToken(SECRET, token, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('rejects a correctly signed payload that does not carry valid claims', () => {
    const { createHmac } = require('node:crypto');
    const sign = (payload: string) => {
      const part = Buffer.from(payload).toString('base64url');
      return `${part}.${createHmac('sha256', SECRET).update(part).digest('base64url')}`;
    };
    for (const payload of [
      'not json',
      'null',
      '{"a":"x","x":"delete","u":"u","c":"WEBHOOK","e":9999999999}',
      '{"a":"x","x":"accept","u":"u","c":"SMS","e":9999999999}',
    ]) {
      expect(verifyActionToken(SECRET, sign(payload), NOW)).toEqual({ ok: false, reason: 'invalid' });
    }
  });

  it('names the user and the channel for the log', () => {
    expect(actionLogText('accept', 'Uma Oncall', 'WEBHOOK')).toBe('accepted by Uma Oncall via webhook link');
    expect(actionLogText('resolve', 'Uma Oncall', 'EMAIL')).toBe('resolved by Uma Oncall via email link');
  });
});

describe('action confirm page', () => {
  const html = actionConfirmPage({
    action: 'accept',
    alert: { summary: '<img src=x onerror=alert(1)> & "disk"', priority: 'HIGH', status: 'PENDING' },
    userName: 'Uma <b>Oncall</b>',
  });

  it('posts a plain form back to the same URL, with no script', () => {
    expect(html).toContain('<form method="post"><button type="submit">Accept alert</button></form>');
    expect(html).not.toMatch(/<script|<img|\saction=/i);
    expect(html).toContain('<meta name="referrer" content="no-referrer">');
  });

  it('escapes the alert summary and the user name', () => {
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;disk&quot;');
    expect(html).toContain('Uma &lt;b&gt;Oncall&lt;/b&gt;');
  });

  it('says resolve for a resolve link, and escapes error pages', () => {
    expect(actionConfirmPage({ action: 'resolve', alert: { summary: 's', priority: 'LOW', status: 'ACCEPTED' }, userName: 'U' })).toContain(
      'Resolve alert</button>',
    );
    expect(actionErrorPage('Link expired', 'a <b>')).toContain('<p>a &lt;b&gt;</p>');
  });

  it('comes with headers that forbid script, framing, caching and the referrer', () => {
    expect(ACTION_PAGE_HEADERS['content-security-policy']).toContain("default-src 'none'");
    expect(ACTION_PAGE_HEADERS['cache-control']).toBe('no-store');
    expect(ACTION_PAGE_HEADERS['referrer-policy']).toBe('no-referrer');
  });
});
