// The alarms an operator is woken by, where they go, and the dashboard they look at next.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { APPLIED_OUTCOMES } from '../../lib/constructs/monitoring';
import { CUSTOM_CONTEXT, finders, Json, synth } from './synth';

let template: Template;
let find: ReturnType<typeof finders>;
let custom: Template;

beforeAll(() => {
  ({ template } = synth());
  find = finders(template);
  ({ template: custom } = synth(CUSTOM_CONTEXT));
}, 60_000);

const alarms = (t: Template = template): Json[] => Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);

/** The one alarm on this metric of this resource. */
const alarmOn = (namespace: string, metricName: string, dimension: { Name: string; Value: Json }, t: Template = template) => {
  const found = alarms(t).filter(
    (a) => a.Namespace === namespace && a.MetricName === metricName && JSON.stringify(a.Dimensions) === JSON.stringify([dimension]),
  );
  expect(found).toHaveLength(1);
  return found[0];
};
const queueName = (queueId: string) => ({ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } });
const functionName = (functionId: string) => ({ Name: 'FunctionName', Value: { Ref: functionId } });

describe('alarms', () => {
  test('there are sixteen, each explained and notifying the alarm topic when it fires and when it clears', () => {
    expect(alarms()).toHaveLength(16);
    for (const alarm of alarms()) {
      expect(alarm.AlarmDescription).toMatch(/^Alertline: .{40,}/);
      expect(alarm.AlarmActions).toEqual([{ Ref: find.topicId() }]);
      expect(alarm.OKActions).toEqual([{ Ref: find.topicId() }]);
      expect(alarm.TreatMissingData).toBe('notBreaching');
    }
  });

  test('a message in the dead-letter queue, saying how to list and replay it', () => {
    expect(alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueName(find.deadLetterQueueId()))).toEqual(
      expect.objectContaining({
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmDescription: expect.stringContaining('npm run dlq -- redrive --stack Alertline-prod'),
      }),
    );
  });

  test('the oldest event in the event queue older than 5 minutes, or the age set by context', () => {
    const expected = (threshold: number) =>
      expect.objectContaining({
        Statistic: 'Maximum',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: threshold,
      });
    expect(alarmOn('AWS/SQS', 'ApproximateAgeOfOldestMessage', queueName(find.eventQueueId()))).toEqual(expected(300));
    const customQueue = finders(custom).eventQueueId();
    expect(alarmOn('AWS/SQS', 'ApproximateAgeOfOldestMessage', queueName(customQueue), custom)).toEqual(expected(120));
  });

  test('an event returned for retry that has waited longer than the same age (SQS leaves it out of its own age after 3 receives)', () => {
    const expected = (threshold: number) =>
      expect.objectContaining({
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: threshold,
        AlarmDescription: expect.stringContaining('QUEUED'),
      });
    expect(alarmOn('Alertline', 'RetriedEventAge', { Name: 'service', Value: 'alertline' })).toEqual(expected(300));
    expect(alarmOn('Alertline', 'RetriedEventAge', { Name: 'service', Value: 'alertline' }, custom)).toEqual(expected(120));
  });

  test('any error of any function within 5 minutes', () => {
    for (const functionId of [find.processorId(), find.ingestId(), find.apiId(), find.escalatorId(), find.notifierId()]) {
      expect(alarmOn('AWS/Lambda', 'Errors', functionName(functionId))).toEqual(
        expect.objectContaining({
          Statistic: 'Sum',
          Period: 300,
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
        }),
      );
    }
  });

  test('a message in the notification dead-letter queue: someone may not have been paged', () => {
    expect(alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', queueName(find.notificationDeadLetterQueueId()))).toEqual(
      expect.objectContaining({
        Statistic: 'Maximum',
        Period: 60,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmDescription: expect.stringContaining('may not have been paged'),
      }),
    );
  });

  test('a notification that ended FAILED within 5 minutes: someone was not paged on that contact', () => {
    expect(alarmOn('Alertline', 'NotificationsFailed', { Name: 'service', Value: 'alertline' })).toEqual(
      expect.objectContaining({
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        AlarmDescription: expect.stringMatching(/^Alertline: a notification ended FAILED/),
      }),
    );
  });

  test('any 5xx answer of the HTTP API within 5 minutes', () => {
    expect(alarmOn('AWS/ApiGateway', '5xx', { Name: 'ApiId', Value: { Ref: find.httpApiId() } })).toEqual(
      expect.objectContaining({
        Statistic: 'Sum',
        Period: 300,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      }),
    );
  });

  test('any throttle of any function', () => {
    for (const functionId of [find.processorId(), find.ingestId(), find.apiId(), find.escalatorId(), find.notifierId()]) {
      expect(alarmOn('AWS/Lambda', 'Throttles', functionName(functionId))).toEqual(
        expect.objectContaining({
          Statistic: 'Sum',
          ComparisonOperator: 'GreaterThanThreshold',
          Threshold: 0,
        }),
      );
    }
  });
});

describe('alarm topic', () => {
  test('refuses publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: find.topicId() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  test('has no subscription by default, and emails the address set by context', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    custom.resourceCountIs('AWS::SNS::Subscription', 1);
    custom.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: finders(custom).topicId() },
    });
  });
});

describe('dashboard', () => {
  /** The dashboard body with each CloudFormation reference replaced by the logical id it names. */
  const dashboard = (t: Template): { name: Json; widgets: Json[] } => {
    const properties = Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0].Properties;
    const parts: Json[] = properties.DashboardBody['Fn::Join'][1];
    const text = parts.map((part) => (typeof part === 'string' ? part : `<${part.Ref ?? part['Fn::GetAtt'][0]}>`)).join('');
    return { name: properties.DashboardName, widgets: JSON.parse(text).widgets };
  };
  const graph = (title: string): Json[][] => {
    const found = dashboard(template).widgets.filter((w) => w.properties.title === title);
    expect(found).toHaveLength(1);
    return found[0].properties.metrics;
  };
  /** A metric row: [namespace, name, ...dimension name/value pairs, options]. */
  const row = (namespace: string, metricName: string, dimensions: Record<string, string>, options: Json = {}) => [
    namespace,
    metricName,
    ...Object.entries(dimensions).flat(),
    expect.objectContaining(options),
  ];
  const service = { service: 'alertline' };

  test('is the only one, named after the stack and region', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(dashboard(template).name).toEqual({ 'Fn::Join': ['', ['Alertline-prod-', { Ref: 'AWS::Region' }]] });
    expect(dashboard(custom).name).toEqual({ 'Fn::Join': ['', ['Alertline-dev-', { Ref: 'AWS::Region' }]] });
  });

  test('shows the state of every alarm first', () => {
    const [first] = dashboard(template).widgets;
    expect(first.type).toBe('alarm');
    expect(first.properties.alarms).toHaveLength(16);
  });

  test('counts events accepted, and events rejected by each code', () => {
    expect(graph('Events accepted')).toEqual([row('Alertline', 'EventsAccepted', service, { stat: 'Sum' })]);
    expect(graph('Events rejected by code')).toEqual([
      [
        {
          expression: `SEARCH('{Alertline,code,service} MetricName="EventsRejected" service="alertline"', 'Sum', 300)`,
        },
      ],
    ]);
  });

  test('counts events applied by each outcome', () => {
    expect(APPLIED_OUTCOMES).toEqual(['CREATED', 'APPENDED', 'ACCEPTED', 'ALREADY_ACCEPTED', 'RESOLVED', 'COMMENTED', 'NO_OPEN_ALERT', 'SUPPRESSED']);
    expect(graph('Events applied by outcome')).toEqual(APPLIED_OUTCOMES.map((outcome) => row('Alertline', `Outcome${outcome}`, service, { stat: 'Sum' })));
  });

  test('shows the processing lag from accepted to applied at p50 and p99', () => {
    expect(graph('Processing lag, accepted to applied (ms)')).toEqual(
      expect.arrayContaining([row('Alertline', 'ProcessingLag', service, { stat: 'p50' }), row('Alertline', 'ProcessingLag', service, { stat: 'p99' })]),
    );
  });

  test('shows batch failures: events returned for retry, processor errors and the dead-letter queue depth', () => {
    expect(graph('Batch failures')).toEqual([
      row('Alertline', 'BatchItemFailures', service, { stat: 'Sum' }),
      row('AWS/Lambda', 'Errors', { FunctionName: `<${find.processorId()}>` }, { stat: 'Sum' }),
      row('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: `<${find.deadLetterQueueId()}>` }, { stat: 'Maximum' }),
    ]);
  });

  test('shows the event queue depth, the age of its oldest message and of the oldest event returned for retry', () => {
    expect(graph('Event queue')).toEqual([
      row('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: `<${find.eventQueueId()}>` }, { stat: 'Maximum' }),
      row('AWS/SQS', 'ApproximateAgeOfOldestMessage', { QueueName: `<${find.eventQueueId()}>` }, { stat: 'Maximum' }),
      row('Alertline', 'RetriedEventAge', service, { stat: 'Maximum' }),
    ]);
  });

  test('shows failed notifications and the notification dead-letter queue depth', () => {
    expect(graph('Notifications')).toEqual([
      row('Alertline', 'NotificationsFailed', service, { stat: 'Sum' }),
      row('AWS/SQS', 'ApproximateNumberOfMessagesVisible', { QueueName: `<${find.notificationDeadLetterQueueId()}>` }, { stat: 'Maximum' }),
    ]);
  });

  test("shows HTTP API requests and errors, and each function's errors and throttles", () => {
    const api = { ApiId: `<${find.httpApiId()}>` };
    expect(graph('HTTP API')).toEqual([row('AWS/ApiGateway', 'Count', api), row('AWS/ApiGateway', '4xx', api), row('AWS/ApiGateway', '5xx', api)]);
    const functions = [find.ingestId(), find.processorId(), find.apiId(), find.escalatorId(), find.notifierId()];
    expect(graph('Function errors and throttles')).toEqual([
      ...functions.map((id) => row('AWS/Lambda', 'Errors', { FunctionName: `<${id}>` }, { stat: 'Sum' })),
      ...functions.map((id) => row('AWS/Lambda', 'Throttles', { FunctionName: `<${id}>` }, { stat: 'Sum' })),
    ]);
  });
});
