// Alertline's own alarms (to an SNS topic) and its one CloudWatch dashboard.
import { Duration, Stack } from 'aws-cdk-lib';
import { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  IMetric,
  MathExpression,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_OUTCOMES, METRICS_NAMESPACE, NOTIFICATIONS_FAILED_METRIC, SERVICE_NAME } from '../../lambdas/contract';

/** The outcomes the processor counts as `Outcome<OUTCOME>`: QUEUED is not yet applied, FAILED is the dead-letter queue's. */
export const APPLIED_OUTCOMES = EVENT_OUTCOMES.filter((outcome) => outcome !== 'QUEUED' && outcome !== 'FAILED');

const FIVE_MINUTES = Duration.minutes(5);
/** SQS publishes queue metrics every minute. */
const ONE_MINUTE = Duration.minutes(1);

export interface MonitoringProps {
  readonly functions: {
    readonly ingest: IFunction;
    readonly processor: IFunction;
    readonly api: IFunction;
    readonly escalator: IFunction;
    readonly notifier: IFunction;
  };
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Where a notification message lands after failing every receive (a notifier crash, not a refused delivery). */
  readonly notificationDeadLetterQueue: IQueue;
  readonly httpApi: IHttpApi;
  /** Empty: the topic has no subscription (subscribe later, e.g. a chat webhook). */
  readonly alarmEmail: string;
  readonly oldestMessageAgeAlarmSeconds: number;
  readonly dashboardName: string;
}

export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { functions, queue, deadLetterQueue, httpApi } = props;

    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Alertline alarms', enforceSSL: true });
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const notify = new SnsAction(this.alarmTopic);
    const alarm = (
      alarmId: string,
      options: {
        metric: IMetric;
        threshold: number;
        comparison: ComparisonOperator;
        description: string;
      },
    ) => {
      const created = new Alarm(this, alarmId, {
        metric: options.metric,
        threshold: options.threshold,
        comparisonOperator: options.comparison,
        evaluationPeriods: 1,
        // No data means no messages, no requests or no invocations: nothing is wrong.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: options.description,
      });
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      this.alarms.push(created);
      return created;
    };

    const appMetric = (metricName: string, statistic: string = Stats.SUM, label?: string) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { service: SERVICE_NAME }, statistic, period: FIVE_MINUTES, label });

    const deadLetterDepth = deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: ONE_MINUTE });
    alarm('DeadLetterQueueNotEmptyAlarm', {
      metric: deadLetterDepth,
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        'Alertline: an event failed every delivery and is parked in the dead-letter queue (outcome FAILED); later ' +
        'events of its alert source went on without it. Find the cause in the processor logs by eventId ' +
        `(npm run dlq -- list --stack ${Stack.of(this).stackName}), fix it, then replay the events ` +
        `(npm run dlq -- redrive --stack ${Stack.of(this).stackName}).`,
    });
    const oldestMessageAge = queue.metricApproximateAgeOfOldestMessage({ statistic: Stats.MAXIMUM, period: ONE_MINUTE });
    alarm('OldestEventAgeAlarm', {
      metric: oldestMessageAge,
      threshold: props.oldestMessageAgeAlarmSeconds,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        `Alertline: an accepted event has waited more than ${props.oldestMessageAgeAlarmSeconds} s in the event queue, ` +
        'so alerts are late. The processor is failing, throttled or too slow for the load (see the dashboard).',
    });
    // SQS leaves messages received three times or more out of the age above: a poison and the events held behind it
    // in its alert source's group. The processor reports the age of the events it hands back for retry instead.
    const retriedEventAge = appMetric('RetriedEventAge', Stats.MAXIMUM).with({ period: ONE_MINUTE });
    alarm('RetriedEventAgeAlarm', {
      metric: retriedEventAge,
      threshold: props.oldestMessageAgeAlarmSeconds,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        `Alertline: an accepted event still QUEUED after more than ${props.oldestMessageAgeAlarmSeconds} s is being retried: ` +
        'it fails, or it waits behind an event of its alert source that fails (FIFO order). On their last attempt both are ' +
        'marked FAILED and parked in the dead-letter queue (npm run dlq -- list). See the processor logs by eventId.',
    });

    const errors = (fn: IFunction) => fn.metricErrors({ statistic: Stats.SUM, period: FIVE_MINUTES });
    const throttles = (fn: IFunction) => fn.metricThrottles({ statistic: Stats.SUM, period: FIVE_MINUTES });
    alarm('ProcessorErrorsAlarm', {
      metric: errors(functions.processor),
      threshold: 0,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        'Alertline: the processor function failed whole invocations (crash or timeout); their batches are retried ' +
        'and end in the dead-letter queue if it persists. See the processor logs.',
    });
    alarm('IngestErrorsAlarm', {
      metric: errors(functions.ingest),
      threshold: 0,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: 'Alertline: the ingest function failed invocations; callers got a 5xx for events that were not accepted. ' + 'See the ingest logs.',
    });
    alarm('ApiErrorsAlarm', {
      metric: errors(functions.api),
      threshold: 0,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: 'Alertline: the management API function failed invocations. See the api logs.',
    });
    alarm('EscalatorErrorsAlarm', {
      metric: errors(functions.escalator),
      threshold: 0,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        'Alertline: the escalator failed a tick, or an escalation job in it, so escalations that fell due may be late; ' +
        'a failed job is retried each minute and given up after 10 failures. See the escalator logs.',
    });
    alarm('NotifierErrorsAlarm', {
      metric: errors(functions.notifier),
      threshold: 0,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        'Alertline: the notifier failed whole invocations; their notifications are retried and end in the notification ' +
        'dead-letter queue if it persists. See the notifier logs.',
    });
    alarm('NotificationDeadLetterQueueNotEmptyAlarm', {
      metric: props.notificationDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: ONE_MINUTE }),
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        'Alertline: a notification message failed every receive and is parked in the notification dead-letter queue: ' +
        'someone may not have been paged. See the notifier logs, and the notifications of the alert it names.',
    });
    // A refused delivery is no crash: the notifier records it FAILED and goes on, so neither alarm above sees it.
    const notificationsFailed = appMetric(NOTIFICATIONS_FAILED_METRIC);
    alarm('NotificationsFailedAlarm', {
      metric: notificationsFailed,
      threshold: 1,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        'Alertline: a notification ended FAILED (refused by its receiver, an address that is not allowed, or every ' +
        'attempt failed): someone was not paged on that contact. See lastError in the notifications of the alert ' +
        '(GET /api/alerts/{id}/notifications) and the alert log.',
    });
    alarm('HttpApi5xxAlarm', {
      metric: httpApi.metricServerError({ statistic: Stats.SUM, period: FIVE_MINUTES }),
      threshold: 0,
      comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      description:
        'Alertline: the HTTP API answered 5xx, e.g. 503 when the table or the queue was unavailable to ingest; ' +
        'those events were not accepted and their callers must retry. See the API access log and the function logs.',
    });
    for (const [name, fn] of Object.entries(functions)) {
      alarm(`${capitalize(name)}ThrottlesAlarm`, {
        metric: throttles(fn),
        threshold: 0,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
        description:
          `Alertline: Lambda throttled the ${name} function (the account's concurrency is exhausted). ` +
          'Raise the account concurrency quota or reserve concurrency for Alertline.',
      });
    }

    // Dashboard: what came in, what it did, how late, what failed.
    // One line per rejection code, whatever codes the handler emits.
    const rejectedByCode = new MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},code,service} MetricName="EventsRejected" service="${SERVICE_NAME}"', 'Sum', 300)`,
      usingMetrics: {},
      label: '',
      period: FIVE_MINUTES,
    });
    const perFunction = (metric: (fn: IFunction) => Metric, what: string) =>
      Object.entries(functions).map(([name, fn]) => metric(fn).with({ label: `${name} ${what}` }));

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Events accepted', width: 12, left: [appMetric('EventsAccepted', Stats.SUM, 'accepted')] }),
      new GraphWidget({ title: 'Events rejected by code', width: 12, left: [rejectedByCode] }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Events applied by outcome',
        width: 12,
        stacked: true,
        left: APPLIED_OUTCOMES.map((outcome) => appMetric(`Outcome${outcome}`, Stats.SUM, outcome)),
      }),
      new GraphWidget({
        title: 'Processing lag, accepted to applied (ms)',
        width: 12,
        left: [Stats.p(50), Stats.p(99), Stats.MAXIMUM].map((stat) => appMetric('ProcessingLag', stat, stat)),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Batch failures',
        width: 12,
        left: [
          appMetric('BatchItemFailures', Stats.SUM, 'events returned for retry'),
          errors(functions.processor).with({ label: 'processor errors (whole batches)' }),
        ],
        right: [deadLetterDepth.with({ label: 'dead-letter queue depth', period: FIVE_MINUTES })],
      }),
      new GraphWidget({
        title: 'Event queue',
        width: 12,
        left: [queue.metricApproximateNumberOfMessagesVisible({ statistic: Stats.MAXIMUM, period: FIVE_MINUTES, label: 'messages waiting' })],
        right: [
          oldestMessageAge.with({ label: 'age of oldest message (s)', period: FIVE_MINUTES }),
          retriedEventAge.with({ label: 'age of oldest event returned for retry (s)', period: FIVE_MINUTES }),
        ],
        rightAnnotations: [{ value: props.oldestMessageAgeAlarmSeconds, label: 'alarm' }],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'HTTP API',
        width: 12,
        left: [
          httpApi.metricCount({ statistic: Stats.SUM, period: FIVE_MINUTES, label: 'requests' }),
          httpApi.metricClientError({ statistic: Stats.SUM, period: FIVE_MINUTES, label: '4xx (incl. 429 throttled)' }),
          httpApi.metricServerError({ statistic: Stats.SUM, period: FIVE_MINUTES, label: '5xx' }),
        ],
      }),
      new GraphWidget({
        title: 'Function errors and throttles',
        width: 12,
        left: [...perFunction(errors, 'errors'), ...perFunction(throttles, 'throttles')],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Notifications',
        width: 12,
        left: [notificationsFailed.with({ label: 'notifications failed' })],
        right: [
          props.notificationDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
            statistic: Stats.MAXIMUM,
            period: FIVE_MINUTES,
            label: 'notification dead-letter queue depth',
          }),
        ],
      }),
    );
  }
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
