// Synthesizes the Alertline app as `cdk synth` does (context, stack name, cdk-nag), and finds resources in its template.
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlertlineStack } from '../../lib/alertline-stack';
import { buildAlertlineApp } from '../../lib/app';

export type Json = any; // CloudFormation JSON is untyped

/** Every setting away from its default, half as strings (as `-c key=value` gives them), half typed (as cdk.json does). */
export const CUSTOM_CONTEXT = {
  'alertline:stage': 'dev',
  'alertline:ingestMemoryMb': '512',
  'alertline:processorMemoryMb': 1024,
  'alertline:apiMemoryMb': '128',
  'alertline:batchSize': '5',
  'alertline:maxConcurrency': 4,
  'alertline:alarmEmail': 'oncall@example.com',
  'alertline:logRetentionDays': '7',
  'alertline:throttleRate': '10',
  'alertline:throttleBurst': 25,
  'alertline:managementThrottleRate': '5',
  'alertline:managementThrottleBurst': 8,
  'alertline:tracing': 'true',
  'alertline:retainData': 'false',
  'alertline:oldestMessageAgeAlarmSeconds': 120,
  'alertline:emailSender': 'alerts@example.com',
  'alertline:allowPrivateWebhookTargets': 'true',
  'alertline:logLevel': 'INFO',
};

export interface Synthesized {
  readonly app: App;
  readonly stack: AlertlineStack;
  readonly template: Template;
  readonly resources: Record<string, { Type: string; Properties: Json; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
}

/**
 * `bundle: false` skips esbuild (the code assets get a placeholder), which takes a synth from seconds to well under
 * one; the template is otherwise the same.
 */
export function synth(context: Record<string, unknown> = {}, { bundle = false } = {}): Synthesized {
  const app = new App({ context: { ...context, ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  const stack = buildAlertlineApp(app);
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources };
}

/** Finding resources by what tells them apart, rather than by generated logical ids. */
export function finders(template: Template) {
  const onlyId = (found: Record<string, unknown>): string => {
    const ids = Object.keys(found);
    expect(ids).toHaveLength(1);
    return ids[0];
  };
  /** The function is told apart by the one environment variable only it has. */
  const functionWithEnv = (variable: string) =>
    onlyId(
      template.findResources('AWS::Lambda::Function', {
        Properties: { Environment: { Variables: { [variable]: Match.anyValue() } } },
      }),
    );
  return {
    onlyId,
    ingestId: () => functionWithEnv('QUEUE_URL'),
    processorId: () => functionWithEnv('MAX_RECEIVE_COUNT'),
    apiId: () => functionWithEnv('ADMIN_TOKEN_SECRET_ARN'),
    tableId: () => onlyId(template.findResources('AWS::DynamoDB::Table')),
    secretId: () => onlyId(template.findResources('AWS::SecretsManager::Secret', { Properties: { Description: Match.stringLikeRegexp('bearer token') } })),
    actionSecretId: () =>
      onlyId(
        template.findResources('AWS::SecretsManager::Secret', { Properties: { Description: Match.stringLikeRegexp('signs the accept and resolve links') } }),
      ),
    /** The escalator is the target of the one EventBridge rule; the notifier the function of the standard queue's event source. */
    escalatorId: (): string => {
      const rule = Object.values(template.findResources('AWS::Events::Rule'))[0] as Json;
      return rule.Properties.Targets[0].Arn['Fn::GetAtt'][0];
    },
    notifierId: (): string => {
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')) as Json[];
      const queueIds = Object.keys(template.findResources('AWS::SQS::Queue', { Properties: { FifoQueue: Match.absent(), RedrivePolicy: Match.anyValue() } }));
      const mapping = mappings.find((m) => queueIds.includes(m.Properties.EventSourceArn['Fn::GetAtt'][0]));
      return mapping.Properties.FunctionName.Ref;
    },
    httpApiId: () => onlyId(template.findResources('AWS::ApiGatewayV2::Api')),
    topicId: () => onlyId(template.findResources('AWS::SNS::Topic')),
    deadLetterQueueId: () => onlyId(template.findResources('AWS::SQS::Queue', { Properties: { FifoQueue: true, RedrivePolicy: Match.absent() } })),
    eventQueueId: () => onlyId(template.findResources('AWS::SQS::Queue', { Properties: { FifoQueue: true, RedrivePolicy: Match.anyValue() } })),
    notificationDeadLetterQueueId: () =>
      onlyId(template.findResources('AWS::SQS::Queue', { Properties: { FifoQueue: Match.absent(), RedrivePolicy: Match.absent() } })),
    notificationQueueId: () =>
      onlyId(template.findResources('AWS::SQS::Queue', { Properties: { FifoQueue: Match.absent(), RedrivePolicy: Match.anyValue() } })),
  };
}
