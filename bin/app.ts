// The CDK app: `npx cdk deploy` (settings from CDK context, see lib/config.ts and cdk.json).
import { App } from 'aws-cdk-lib';
import { buildAlertlineApp } from '../lib/app';

buildAlertlineApp(new App());
