// CDK assertions on the paging engine in AWS: the schedule, the notification queue pair, the escalator and notifier,
// the action-link secret, and who may do what with them.
import { Template } from 'aws-cdk-lib/assertions';
import { NOTIFICATION_QUEUE, WRITTEN_ENTITIES } from '../../lambdas/contract';
import { writablePrefixes } from '../../lib/alertline-stack';
import { CUSTOM_CONTEXT, finders, Json, synth } from './synth';

let template: Template;
let resources: Record<string, Json>;
let find: ReturnType<typeof finders>;
let custom: Template;

beforeAll(() => {
  ({ template, resources } = synth());
  find = finders(template);
  custom = synth(CUSTOM_CONTEXT).template;
});

const asList = (action: string | string[]) => (Array.isArray(action) ? action : [action]);
const roleOf = (functionId: string): string => resources[functionId].Properties.Role['Fn::GetAtt'][0];

/** Every Allow statement of the template's policies, with the roles it is attached to. */
const statements = (t: Template = template): Array<{ Action: string | string[]; Resource: Json; roles: string[] }> =>
  Object.values(t.findResources('AWS::IAM::Policy')).flatMap((policy: Json) =>
    policy.Properties.PolicyDocument.Statement.filter((s: Json) => s.Effect === 'Allow').map((s: Json) => ({
      ...s,
      roles: policy.Properties.Roles.map((r: Json) => r.Ref),
    })),
  );
const rolesAllowedOn = (action: string, resourceId: string, t: Template = template) =>
  [
    ...new Set(
      statements(t)
        .filter((s) => asList(s.Action).includes(action) && JSON.stringify(s.Resource).includes(`"${resourceId}"`))
        .flatMap((s) => s.roles),
    ),
  ].sort();

describe('escalator', () => {
  test('runs each minute from one EventBridge rule, retried briefly: the next tick makes up for a missed one', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as Json[];
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties).toEqual(
      expect.objectContaining({
        ScheduleExpression: 'rate(1 minute)',
        State: 'ENABLED',
        Targets: [
          expect.objectContaining({
            Arn: { 'Fn::GetAtt': [find.escalatorId(), 'Arn'] },
            RetryPolicy: { MaximumEventAgeInSeconds: 120, MaximumRetryAttempts: 2 },
          }),
        ],
      }),
    );
    template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [find.escalatorId(), 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });
});

describe('notification queue', () => {
  test('is a standard queue, encrypted, that parks a message in its dead-letter queue after 5 receives', () => {
    const queue = resources[find.notificationQueueId()].Properties;
    expect(queue).toEqual(
      expect.objectContaining({
        SqsManagedSseEnabled: true,
        VisibilityTimeout: NOTIFICATION_QUEUE.visibilityTimeoutSeconds,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [find.notificationDeadLetterQueueId(), 'Arn'] }, maxReceiveCount: 5 },
      }),
    );
    expect(queue.FifoQueue).toBeUndefined();
    expect(resources[find.notificationDeadLetterQueueId()].Properties).toEqual(
      expect.objectContaining({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 }),
    );
  });

  test('both refuse requests without TLS', () => {
    for (const queueId of [find.notificationQueueId(), find.notificationDeadLetterQueueId()]) {
      const policy = Object.values(template.findResources('AWS::SQS::QueuePolicy')).find((p: Json) =>
        JSON.stringify(p.Properties.Queues).includes(`"${queueId}"`),
      ) as Json;
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  test('feeds the notifier in batches of 10 with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [find.notificationQueueId(), 'Arn'] },
      FunctionName: { Ref: find.notifierId() },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('the processor and the api (which start escalations), the escalator and the notifier may send to it; ingest may not', () => {
    const senders = rolesAllowedOn('sqs:SendMessage', find.notificationQueueId());
    expect(senders).toEqual([find.processorId(), find.apiId(), find.escalatorId(), find.notifierId()].map(roleOf).sort());
    for (const id of [find.processorId(), find.apiId(), find.escalatorId(), find.notifierId()]) {
      expect(resources[id].Properties.Environment.Variables.NOTIFICATION_QUEUE_URL).toEqual({ Ref: find.notificationQueueId() });
    }
    expect(resources[find.ingestId()].Properties.Environment.Variables.NOTIFICATION_QUEUE_URL).toBeUndefined();
  });
});

describe('escalator and notifier', () => {
  test('both know the table and the queue; only the notifier, which signs links, knows the public URL and the link secret', () => {
    const escalator = resources[find.escalatorId()].Properties;
    const notifier = resources[find.notifierId()].Properties;
    for (const fn of [escalator, notifier]) {
      expect(fn.Environment.Variables).toEqual(
        expect.objectContaining({ TABLE_NAME: { Ref: find.tableId() }, NOTIFICATION_QUEUE_URL: { Ref: find.notificationQueueId() } }),
      );
      expect(fn).toEqual(expect.objectContaining({ Timeout: 60, MemorySize: 256 }));
    }
    expect(Object.keys(escalator.Environment.Variables).filter((v) => /PUBLIC_URL|ACTION_SECRET|ALLOW_PRIVATE|EMAIL/.test(v))).toEqual([]);
    expect(notifier.Environment.Variables).toEqual(
      expect.objectContaining({ ACTION_SECRET_ARN: { Ref: find.actionSecretId() }, ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false' }),
    );
    // The web UI's distribution: alert links open the UI, and action links reach the API through its /api/* behaviour.
    const distribution = find.onlyId(template.findResources('AWS::CloudFront::Distribution'));
    expect(notifier.Environment.Variables.PUBLIC_URL).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] });
    expect(notifier.Environment.Variables.EMAIL_SENDER).toBeUndefined();
  });

  test('only the escalator may write its cursor', () => {
    expect(writablePrefixes(WRITTEN_ENTITIES.escalator)).toContain('ESCCURSOR#*');
    for (const fn of ['ingest', 'processor', 'api', 'notifier'] as const) expect(writablePrefixes(WRITTEN_ENTITIES[fn])).not.toContain('ESCCURSOR#*');
  });

  test.each([
    ['escalator', () => find.escalatorId(), WRITTEN_ENTITIES.escalator],
    ['notifier', () => find.notifierId(), WRITTEN_ENTITIES.notifier],
  ])('%s writes only the partitions of its entities in the contract', (_name, functionId, entities) => {
    const writes = statements().filter((s) => s.roles.includes(roleOf(functionId())) && asList(s.Action).includes('dynamodb:PutItem')) as Json[];
    expect(writes).toHaveLength(1);
    expect(writes[0].Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': writablePrefixes(entities) } });
    expect(writablePrefixes(entities)).toContain('ALERT#*');
  });
});

describe('action-link secret', () => {
  test('is generated (64 characters), and only the api (which checks links) and the notifier (which signs them) can read it', () => {
    expect(resources[find.actionSecretId()].Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 64 });
    expect(rolesAllowedOn('secretsmanager:GetSecretValue', find.actionSecretId())).toEqual([find.apiId(), find.notifierId()].map(roleOf).sort());
    expect(JSON.stringify(resources[find.apiId()].Properties.Environment.Variables.ACTION_SECRET_ARN)).toContain(find.actionSecretId());
  });
});

describe('email', () => {
  test('without alertline:emailSender no function may send email', () => {
    expect(statements().filter((s) => asList(s.Action).includes('ses:SendEmail'))).toEqual([]);
  });

  test('with it, only the notifier may, and only as that address or its domain', () => {
    const customFind = finders(custom);
    const customResources = custom.toJSON().Resources;
    const sends = statements(custom).filter((s) => asList(s.Action).includes('ses:SendEmail'));
    expect(sends.flatMap((s) => s.roles)).toEqual([customResources[customFind.notifierId()].Properties.Role['Fn::GetAtt'][0]]);
    const arns = JSON.stringify(sends[0].Resource);
    expect(arns).toContain(':identity/alerts@example.com');
    expect(arns).toContain(':identity/example.com');
    expect(arns).not.toContain('*');
    expect(customResources[customFind.notifierId()].Properties.Environment.Variables).toEqual(
      expect.objectContaining({ EMAIL_SENDER: 'alerts@example.com', ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' }),
    );
  });
});
