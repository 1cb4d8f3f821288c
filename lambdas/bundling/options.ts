// How the Lambda functions are bundled, shared by the CDK construct and `npm run bundle-report` so both measure the same thing.
import { join } from 'node:path';

export const BUNDLE_TARGET = 'node22';

/** ES module builds first, so that esbuild can drop what is never imported (zod's locales, unused SDK commands). */
export const MAIN_FIELDS = ['module', 'main'];

/** Inside Lambda credentials come from the environment: the SDK's full provider chain is replaced (lambda-credentials.ts). */
export const ALIASES: Record<string, string> = {
  '@aws-sdk/credential-provider-node': join(__dirname, 'lambda-credentials.ts'),
};

export const HANDLERS = ['ingest', 'processor', 'api', 'escalator', 'notifier'] as const;
/** Each function's entry file: it reads the environment once and builds the handler from lambdas/handlers/. */
export const handlerEntry = (name: (typeof HANDLERS)[number]) => join(__dirname, '..', 'functions', `${name}.ts`);
