// The AWS deployment of Alertline: HTTP API -> ingest -> SQS FIFO -> processor -> DynamoDB, the management api, and
// the escalator and notifier that page people.
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Tags } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnRoute, CfnStage, HttpApi, HttpMethod, HttpRoute, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_TIMEOUT_SECONDS, HTTP_ROUTES, QUEUE, TABLE_SCHEMA, WRITTEN_ENTITIES, type HttpFunction, type Key } from '../lambdas/contract';
import { AlertlineConfig, readConfig } from './config';
import { AlertlineFunction } from './constructs/alertline-function';
import { Monitoring } from './constructs/monitoring';
import { Notifications } from './constructs/notifications';
import { WebUi } from './constructs/web-ui';
import { ACCESS_LOG_FORMAT } from './log-settings';
import { acknowledgeNagFindings } from './nag';

/**
 * The item-level DynamoDB actions the handlers issue. BatchGetItem reads listing pages by key; no Scan: every access
 * pattern is served by key or index. Reads reach the whole table; writes only the items of the function's own entities.
 */
const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'];
/** TransactWriteItems is authorised per item as PutItem, UpdateItem and DeleteItem, each under the same conditions. */
const TABLE_WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** `EVENT#*` for `EVENT#<id>`: the fixed part of a partition key that lambdas/store/keys.ts builds, as an IAM pattern. */
const partitionPrefix = (key: Key): string => {
  const end = key.pk.indexOf('#');
  if (end < 1) throw new Error(`Partition key ${key.pk} has no ENTITY# prefix to scope writes by`);
  return `${key.pk.slice(0, end + 1)}*`;
};

/** The distinct partition-key prefixes of some entities, sorted (a stable template). */
export const writablePrefixes = (keys: Key[]): string[] => [...new Set(keys.map(partitionPrefix))].sort();

/**
 * Gives each route its own throttling limits in the stage's RouteSettings (the L2 stage only sets the default), so
 * that a flood of the unauthenticated events routes, say of unknown integration keys, cannot push the management
 * API's requests into 429. The stage then depends on the routes: CloudFormation refuses settings for a route key that
 * does not exist yet.
 */
function routeThrottling(stage: HttpStage, limits: Array<{ routes: HttpRoute[]; rateLimit: number; burstLimit: number }>): void {
  const cfnStage = stage.node.defaultChild as CfnStage;
  const settings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
  for (const { routes, rateLimit, burstLimit } of limits) {
    for (const route of routes) {
      settings[(route.node.defaultChild as CfnRoute).routeKey] = { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit };
      stage.node.addDependency(route);
    }
  }
  // RouteSettings is untyped JSON in CloudFormation's schema, hence the property names as CloudFormation spells them.
  cfnStage.routeSettings = settings;
}

/** Settings come from CDK context (see lib/config.ts and cdk.json). */
export class AlertlineStack extends Stack {
  readonly config: AlertlineConfig;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const config = (this.config = readConfig(this));
    Tags.of(this).add('Application', 'Alertline');
    Tags.of(this).add('Stage', config.stage);
    // Data (the table, the queues' messages, the logs) outlives the stack unless this is a throwaway stage.
    const dataRemovalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const stringAttribute = (name: string) => ({ name, type: AttributeType.STRING });
    const table = new Table(this, 'Table', {
      partitionKey: stringAttribute(TABLE_SCHEMA.partitionKey),
      sortKey: stringAttribute(TABLE_SCHEMA.sortKey),
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: dataRemovalPolicy,
    });
    for (const index of TABLE_SCHEMA.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: stringAttribute(index.partitionKey),
        sortKey: stringAttribute(index.sortKey),
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...TABLE_SCHEMA.projection.nonKeyAttributes],
      });
    }
    // Each index by name rather than `/index/*`: no wildcard to acknowledge, and an index added to TABLE_SCHEMA is granted here.
    const tableResources = [table.tableArn, ...TABLE_SCHEMA.indexes.map((index) => `${table.tableArn}/index/${index.name}`)];
    const grantTable = (grantee: IGrantable, writes: Key[]) => {
      grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: TABLE_READ_ACTIONS, resources: tableResources }));
      // Only the table: indexes are never written directly. A leaked or misused role can then not rewrite other
      // entities (an ingest role forging alerts or alert sources, say).
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: TABLE_WRITE_ACTIONS,
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': writablePrefixes(writes) } },
        }),
      );
    };

    const deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(QUEUE.deadLetterRetentionDays),
      maxMessageSizeBytes: QUEUE.maxMessageBytes,
      removalPolicy: dataRemovalPolicy,
    });
    // Message group = alert source; ingest sets the event id as deduplication id, never the body hash.
    const queue = new Queue(this, 'EventQueue', {
      fifo: true,
      contentBasedDeduplication: false,
      // High-throughput FIFO: ordering is only needed within an alert source, so deduplication and limits are per group.
      deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
      fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      maxMessageSizeBytes: QUEUE.maxMessageBytes,
      visibilityTimeout: Duration.seconds(QUEUE.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: QUEUE.maxReceiveCount },
      removalPolicy: dataRemovalPolicy,
    });

    const adminToken = new Secret(this, 'AdminToken', {
      description: 'Alertline management API bearer token',
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
    });

    const functionSettings = {
      logRetention: config.logRetentionDays,
      logRemovalPolicy: dataRemovalPolicy,
      tracing: config.tracing,
      logLevel: config.logLevel,
    };
    const ingest = new AlertlineFunction(this, 'IngestFunction', {
      ...functionSettings,
      handler: 'ingest',
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.ingest),
      memorySize: config.ingestMemoryMb,
      environment: { TABLE_NAME: table.tableName, QUEUE_URL: queue.queueUrl },
    });
    grantTable(ingest, WRITTEN_ENTITIES.ingest);
    queue.grantSendMessages(ingest);

    const processor = new AlertlineFunction(this, 'ProcessorFunction', {
      ...functionSettings,
      handler: 'processor',
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.processor),
      memorySize: config.processorMemoryMb,
      environment: { TABLE_NAME: table.tableName, MAX_RECEIVE_COUNT: String(QUEUE.maxReceiveCount) },
    });
    grantTable(processor, WRITTEN_ENTITIES.processor);
    processor.addEventSource(
      new SqsEventSource(queue, {
        batchSize: config.batchSize,
        maxConcurrency: config.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );

    const api = new AlertlineFunction(this, 'ApiFunction', {
      ...functionSettings,
      handler: 'api',
      timeout: Duration.seconds(FUNCTION_TIMEOUT_SECONDS.api),
      memorySize: config.apiMemoryMb,
      environment: { TABLE_NAME: table.tableName, ADMIN_TOKEN_SECRET_ARN: adminToken.secretArn },
    });
    grantTable(api, WRITTEN_ENTITIES.api);
    adminToken.grantRead(api);

    const httpApi = new HttpApi(this, 'HttpApi', { description: 'Alertline events and management API', createDefaultStage: false });
    // The $default stage as HttpApi would create it (same construct path), plus throttling and access logging.
    const accessLogGroup = new LogGroup(this, 'ApiAccessLogGroup', {
      retention: config.logRetentionDays,
      removalPolicy: dataRemovalPolicy,
    });
    const stage = new HttpStage(httpApi, 'DefaultStage', {
      httpApi,
      stageName: '$default',
      autoDeploy: true,
      // Caps what any caller can cost; per-source limits (429 with Retry-After) are enforced by ingest itself.
      // The limits of a route without its own; every route below has its own (see routeThrottling).
      throttle: { rateLimit: config.throttleRate, burstLimit: config.throttleBurst },
      // One short JSON line per request (lib/log-settings.ts): route keys, never paths.
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogGroup), format: AccessLogFormat.custom(ACCESS_LOG_FORMAT) },
    });
    // One route per entry of the contract (its /api/v1/ aliases and the catch-all included), each to its function.
    // One invoke permission per function for the whole API, rather than one per route: a function's resource policy
    // is capped at 20 KB, which some forty route-scoped statements would reach.
    const integrations: Record<HttpFunction, HttpLambdaIntegration> = {
      ingest: new HttpLambdaIntegration('IngestIntegration', ingest, { scopePermissionToRoute: false }),
      api: new HttpLambdaIntegration('ApiIntegration', api, { scopePermissionToRoute: false }),
    };
    const routesOf = (fn: HttpFunction) =>
      HTTP_ROUTES.filter((route) => route.function === fn).flatMap((route) =>
        httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration: integrations[fn] }),
      );
    const eventsRoutes = routesOf('ingest');
    const managementRoutes = routesOf('api');
    routeThrottling(stage, [
      { routes: eventsRoutes, rateLimit: config.throttleRate, burstLimit: config.throttleBurst },
      { routes: managementRoutes, rateLimit: config.managementThrottleRate, burstLimit: config.managementThrottleBurst },
    ]);

    // The UI and the API on one origin; alert links in notifications open the UI's alert page there.
    const webUi = new WebUi(this, 'WebUi', { httpApi });

    const notifications = new Notifications(this, 'Notifications', {
      functionSettings,
      tableName: table.tableName,
      grantTable,
      publicUrl: webUi.url,
      emailSender: config.emailSender,
      allowPrivateWebhookTargets: config.allowPrivateWebhookTargets,
      dataRemovalPolicy,
      starters: [processor, api],
      actionServer: api,
    });
    // Events Alertline makes itself go the ordinary way, through the event queue: an overdue heartbeat's ALERT (the
    // escalator's tick) and the RESOLVE of the ping that ends it (the api).
    for (const sender of [api, notifications.escalator]) {
      sender.addEnvironment('EVENT_QUEUE_URL', queue.queueUrl);
      queue.grantSendMessages(sender);
    }

    const monitoring = new Monitoring(this, 'Monitoring', {
      functions: { ingest, processor, api, escalator: notifications.escalator, notifier: notifications.notifier },
      queue,
      deadLetterQueue,
      notificationDeadLetterQueue: notifications.deadLetterQueue,
      httpApi,
      alarmEmail: config.alarmEmail,
      oldestMessageAgeAlarmSeconds: config.oldestMessageAgeAlarmSeconds,
      dashboardName: `${this.stackName}-${this.region}`,
    });

    acknowledgeNagFindings({
      functions: [ingest, processor, api, notifications.escalator, notifications.notifier],
      tracing: config.tracing,
      adminToken,
      actionSecret: notifications.actionSecret,
      eventsRoutes,
      managementRoutes,
      webUi,
    });

    // The $default stage's URL, with a trailing slash.
    const apiUrl = stage.url;
    new CfnOutput(this, 'ApiUrl', { value: apiUrl });
    new CfnOutput(this, 'EventsEndpoint', { value: `${apiUrl}api/events` });
    new CfnOutput(this, 'WebUiUrl', { value: `${webUi.url}/`, description: 'The web UI; sign in with the admin token' });
    new CfnOutput(this, 'AdminTokenSecretArn', { value: adminToken.secretArn });
    new CfnOutput(this, 'ReadAdminTokenCommand', {
      value: `aws secretsmanager get-secret-value --secret-id ${adminToken.secretArn} --query SecretString --output text`,
    });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'QueueUrl', { value: queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: deadLetterQueue.queueUrl });
    new CfnOutput(this, 'NotificationDeadLetterQueueUrl', { value: notifications.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: monitoring.alarmTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: monitoring.dashboard.dashboardName });
  }
}
