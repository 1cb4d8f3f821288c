// The Alertline CDK app as `cdk synth` builds it: one stack named after its stage, checked by cdk-nag.
import { App } from 'aws-cdk-lib';
import { AlertlineStack } from './alertline-stack';
import { readConfig } from './config';
import { addNagChecks } from './nag';

export function buildAlertlineApp(app: App): AlertlineStack {
  const { stage } = readConfig(app);
  const stack = new AlertlineStack(app, 'Alertline', {
    // Several stages can live in one account and region; the construct id (what `cdk deploy` selects) stays the same.
    stackName: `Alertline-${stage}`,
    description: `Alertline (${stage}): events API for alerting (HTTP API, Lambda, SQS FIFO, DynamoDB)`,
  });
  addNagChecks(app);
  return stack;
}
