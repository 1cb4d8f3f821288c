// Bundling stand-in for @aws-sdk/credential-provider-node inside Lambda (see lib/constructs/alertline-function.ts).
// Lambda hands every function its role's credentials in environment variables, so the SDK's full chain (SSO, ini
// files, STS web identity, ...) is dead weight: about 80 KB of the ingest bundle and its load time.
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider = (_init?: unknown) => fromEnv();
export const credentialsTreatedAsExpired = () => false;
export const credentialsWillNeedRefresh = () => false;
