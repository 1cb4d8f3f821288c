// Paging people in AWS: the escalator on a one-minute schedule, the notification queue with its dead-letter queue, the
// notifier that delivers, and the secret that signs action links.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ESCALATION_TICK, FUNCTION_TIMEOUT_SECONDS, NOTIFICATION_QUEUE, WRITTEN_ENTITIES, type Key } from '../../lambdas/contract';
import { AlertlineFunction, type AlertlineFunctionProps } from './alertline-function';

export interface NotificationsProps {
  /** Log retention, removal, tracing and level, as the other functions have them. */
  readonly functionSettings: Pick<AlertlineFunctionProps, 'logRetention' | 'logRemovalPolicy' | 'tracing' | 'logLevel'>;
  readonly tableName: string;
  /** Reads of the whole table, writes of the given entities only (see the stack). */
  readonly grantTable: (grantee: IGrantable, writes: Key[]) => void;
  /** The base of alert and action links: the HTTP API's URL, without a trailing slash. */
  readonly publicUrl: string;
  /** The From address of email notifications (a verified SES identity); empty: no email is sent. */
  readonly emailSender: string;
  readonly allowPrivateWebhookTargets: boolean;
  readonly dataRemovalPolicy: RemovalPolicy;
  /** The functions whose state changes start escalation work at once (processor: a new alert; api: accept, resolve, reroute). */
  readonly starters: AlertlineFunction[];
  /** The function that serves action links: it verifies their signatures. */
  readonly actionServer: AlertlineFunction;
}

export class Notifications extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly escalator: AlertlineFunction;
  readonly notifier: AlertlineFunction;
  readonly actionSecret: Secret;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(NOTIFICATION_QUEUE.deadLetterRetentionDays),
      removalPolicy: props.dataRemovalPolicy,
    });
    // Standard, not FIFO: deliveries need no order, and a delivery's retry is a new message with a delay.
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(NOTIFICATION_QUEUE.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: NOTIFICATION_QUEUE.maxReceiveCount },
      removalPolicy: props.dataRemovalPolicy,
    });

    this.actionSecret = new Secret(this, 'ActionLinkSecret', {
      description: 'Alertline: signs the accept and resolve links of notifications',
      generateSecretString: { excludePunctuation: true, passwordLength: 64 },
    });

    // The escalator runs due jobs, which queue deliveries; it sends nothing itself, so it needs no link secret.
    const engine = { TABLE_NAME: props.tableName, NOTIFICATION_QUEUE_URL: this.queue.queueUrl };
    this.escalator = new AlertlineFunction(this, 'EscalatorFunction', {
      ...props.functionSettings,
      handler: 'escalator',
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.escalator),
      environment: engine,
    });
    // The notifier runs jobs on a starter's nudge, delivers (signing action links), and re-queues retries.
    this.notifier = new AlertlineFunction(this, 'NotifierFunction', {
      ...props.functionSettings,
      handler: 'notifier',
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.notifier),
      environment: {
        ...engine,
        PUBLIC_URL: props.publicUrl,
        ACTION_SECRET_ARN: this.actionSecret.secretArn,
        ALLOW_PRIVATE_WEBHOOK_TARGETS: String(props.allowPrivateWebhookTargets),
        ...(props.emailSender ? { EMAIL_SENDER: props.emailSender } : {}),
      },
    });
    props.grantTable(this.escalator, WRITTEN_ENTITIES.escalator);
    props.grantTable(this.notifier, WRITTEN_ENTITIES.notifier);
    this.queue.grantSendMessages(this.escalator);
    this.queue.grantSendMessages(this.notifier);
    this.actionSecret.grantRead(this.notifier);
    this.notifier.addEventSource(new SqsEventSource(this.queue, { batchSize: NOTIFICATION_QUEUE.batchSize, reportBatchItemFailures: true }));

    // Each minute; a missed or failed tick is made up by the next one (the escalator reads every partition since its
    // cursor), so EventBridge need not retry for long.
    new Rule(this, 'EscalationSchedule', {
      description: 'Alertline: run the escalations that fell due',
      schedule: Schedule.rate(Duration.minutes(ESCALATION_TICK.awsMinutes)),
      targets: [new LambdaFunction(this.escalator, { retryAttempts: 2, maxEventAge: Duration.minutes(2) })],
    });

    for (const starter of props.starters) {
      starter.addEnvironment('NOTIFICATION_QUEUE_URL', this.queue.queueUrl);
      this.queue.grantSendMessages(starter);
    }
    props.actionServer.addEnvironment('ACTION_SECRET_ARN', this.actionSecret.secretArn);
    props.actionServer.addEnvironment('PUBLIC_URL', props.publicUrl);
    props.actionServer.addEnvironment('ALLOW_PRIVATE_WEBHOOK_TARGETS', String(props.allowPrivateWebhookTargets));
    this.actionSecret.grantRead(props.actionServer);

    if (props.emailSender) {
      // SES authorises a send against the identity it uses: the address itself, or its domain.
      const { region, account } = Stack.of(this);
      const domain = props.emailSender.slice(props.emailSender.lastIndexOf('@') + 1);
      const identity = (name: string) => `arn:aws:ses:${region}:${account}:identity/${name}`;
      this.notifier.addToRolePolicy(new PolicyStatement({ actions: ['ses:SendEmail'], resources: [identity(props.emailSender), identity(domain)] }));
    }
  }
}
