// The management token: from ADMIN_TOKEN (local runtime) or a Secrets Manager secret (AWS), compared in constant time.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHash, timingSafeEqual } from 'node:crypto';
import { optionalEnv } from './config';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Hashing both sides first makes the comparison take the same time whatever the lengths. */
export const tokensMatch = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected));

export const bearerToken = (authorization: string | undefined): string | undefined => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
};

let cached: Promise<string> | undefined;

/** Read once per process; a failed read is retried by the next request rather than cached. */
export function adminToken(): Promise<string> {
  if (!cached) {
    const direct = optionalEnv('ADMIN_TOKEN');
    const secretArn = optionalEnv('ADMIN_TOKEN_SECRET_ARN');
    if (direct) cached = Promise.resolve(direct);
    else if (secretArn) {
      cached = new SecretsManagerClient({})
        .send(new GetSecretValueCommand({ SecretId: secretArn }))
        .then((out) => {
          if (!out.SecretString) throw new Error('the admin token secret is empty');
          return out.SecretString;
        });
      cached.catch(() => (cached = undefined));
    } else {
      throw new Error('Missing environment variable ADMIN_TOKEN or ADMIN_TOKEN_SECRET_ARN');
    }
  }
  return cached;
}
