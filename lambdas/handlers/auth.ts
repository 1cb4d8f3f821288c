// The management token: given directly (local runtime) or read from a Secrets Manager secret (AWS), compared in constant time.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AdminTokenSource } from './config';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Hashing both sides first makes the comparison take the same time whatever the lengths. */
export const tokensMatch = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected));

export const bearerToken = (authorization: string | undefined): string | undefined => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
};

async function readSecret(secretArn: string): Promise<string> {
  const out = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!out.SecretString) throw new Error('the admin token secret is empty');
  return out.SecretString;
}

/** The token's reader: the secret is read once per reader; a failed read is retried by the next request rather than cached. */
export function adminTokenReader(source: AdminTokenSource): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    if ('token' in source) return Promise.resolve(source.token);
    if (!cached) {
      cached = readSecret(source.secretArn);
      cached.catch(() => (cached = undefined));
    }
    return cached;
  };
}
