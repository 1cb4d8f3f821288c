// A stand-in for Amazon SNS in tests: a self-made key and certificate (made at test time, never stored) that sign messages.
import { execFileSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '../fixtures/cloudwatch');

/** A fixture of test/fixtures/cloudwatch, unsigned, as SNS would post it. */
export const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));

// Written out here, not taken from the module under test, so that a wrong order there fails the tests.
const SIGNED = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as Record<string, string[]>;

export interface SnsSigner {
  certificatePem: string;
  /** The message with SignatureVersion and Signature set (and SigningCertURL when given), as SNS would send it. */
  sign: (message: Record<string, unknown>, options?: { version?: '1' | '2'; certUrl?: string }) => Record<string, unknown>;
}

/** An RSA key and a self-signed X.509 certificate from the openssl CLI (node:crypto cannot issue certificates). */
export function makeSnsSigner(): SnsSigner {
  const dir = mkdtempSync(join(tmpdir(), 'alertline-sns-'));
  let keyPem: string;
  let certificatePem: string;
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=sns.amazonaws.com'], {
      stdio: 'ignore',
    });
    [keyPem, certificatePem] = [readFileSync(key, 'utf8'), readFileSync(cert, 'utf8')];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    certificatePem,
    sign: (message, { version = '1', certUrl } = {}) => {
      const signed: Record<string, unknown> = { ...message, SignatureVersion: version, ...(certUrl ? { SigningCertURL: certUrl } : {}) };
      const text = SIGNED[String(signed.Type)]
        .filter((name) => signed[name] !== undefined && signed[name] !== null)
        .map((name) => `${name}\n${String(signed[name])}\n`)
        .join('');
      const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(text, 'utf8'), keyPem);
      return { ...signed, Signature: signature.toString('base64') };
    },
  };
}
