// Outbound safety at save time: forbidden addresses in every spelling, and the target rules per contact type.
import { isForbiddenAddress, targetProblem } from '../../lambdas/domain/outbound-address';

describe('isForbiddenAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '0.1.2.3',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '[::1]',
    'not-an-address',
    '::127.0.0.1',
    '::8.8.8.8',
    '::a00:1',
    '64:ff9b::7f00:1',
    '64:ff9b::8.8.8.8',
    '64:ff9b:1::a00:1',
    '2002:7f00:1::1',
    '2002:808:808::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '198.18.0.1',
    '198.19.255.255',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    'ff02::1',
    'ff0e::1',
  ])('refuses %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '198.17.255.255',
    '198.20.0.1',
    '223.255.255.255',
    '2001:db8::1',
    '2001:4860:4860::8888',
    '2003::1',
    '64:ff9c::1',
    'fe00::1',
  ])('allows %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

describe('targetProblem', () => {
  const refused = [
    'https://127.0.0.1',
    'https://127.0.0.1:8443/hook',
    'https://10.0.0.1',
    'https://[::1]',
    'https://[::1]:9000/x',
    'https://169.254.169.254/latest/meta-data',
    'https://[::ffff:127.0.0.1]',
    'https://2130706433',
    'https://0x7f.1',
    'https://localhost/hook',
    'https://api.localhost/hook',
    'https://[fe80::1]',
    'https://[fd00::1]',
    'https://[::127.0.0.1]',
    'https://[64:ff9b::7f00:1]',
    'https://[2002:7f00:1::1]',
    'https://198.18.0.1',
    'https://255.255.255.255',
    'https://[ff02::1]',
  ];

  it.each(refused)('refuses the WEBHOOK target %s', (target) => {
    expect(targetProblem('WEBHOOK', target, false)).toMatch(/loopback, private or link-local/);
  });

  it.each(refused)('allows %s when private targets are allowed', (target) => {
    expect(targetProblem('WEBHOOK', target, true)).toBeUndefined();
  });

  it('refuses http: unless private targets are allowed', () => {
    expect(targetProblem('WEBHOOK', 'http://example.com/hook', false)).toBe('must be an https: URL');
    expect(targetProblem('SLACK', 'http://hooks.slack.com/services/x', false)).toBe('must be an https: URL');
    expect(targetProblem('WEBHOOK', 'http://127.0.0.1:9/x', true)).toBeUndefined();
  });

  it('refuses other schemes and text that is not a URL, even with private targets allowed', () => {
    for (const allow of [false, true]) {
      expect(targetProblem('WEBHOOK', 'ftp://example.com/x', allow)).toMatch(/^must be an https:/);
      expect(targetProblem('WEBHOOK', 'file:///etc/passwd', allow)).toMatch(/^must be an https:/);
      expect(targetProblem('SLACK', 'hooks.slack.com/services/x', allow)).toMatch(/^must be an https:/);
    }
  });

  it('refuses credentials in the URL', () => {
    expect(targetProblem('WEBHOOK', 'https://user:pass@example.com/hook', false)).toBe('must not contain credentials');
    expect(targetProblem('WEBHOOK', 'https://user@example.com/hook', true)).toBe('must not contain credentials');
  });

  it('accepts public https URLs', () => {
    expect(targetProblem('WEBHOOK', 'https://example.com/hook?x=1', false)).toBeUndefined();
    expect(targetProblem('WEBHOOK', 'https://93.184.216.34/hook', false)).toBeUndefined();
    expect(targetProblem('SLACK', 'https://hooks.slack.com/services/T0/B0/XYZ', false)).toBeUndefined();
  });

  it('checks EMAIL targets as addresses, not URLs', () => {
    expect(targetProblem('EMAIL', 'uma@example.com', false)).toBeUndefined();
    expect(targetProblem('EMAIL', 'uma@localhost', false)).toBe('must be an email address');
    expect(targetProblem('EMAIL', 'uma example.com', false)).toBe('must be an email address');
    expect(targetProblem('EMAIL', 'https://example.com', false)).toBe('must be an email address');
  });
});
