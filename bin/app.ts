// The CDK app: one Alertline stack, deployed with `npx cdk deploy`.
import { App } from 'aws-cdk-lib';
import { AlertlineStack } from '../lib/alertline-stack';

const app = new App();
new AlertlineStack(app, 'Alertline', {
  description: 'Alertline: events API for alerting (HTTP API, Lambda, SQS FIFO, DynamoDB)',
});
