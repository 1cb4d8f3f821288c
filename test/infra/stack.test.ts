// CDK assertions on the synthesized Alertline stack with the default settings: what a deployment gets, and who may touch what.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as keys from '../../lambdas/store/keys';
import { TABLE_SCHEMA } from '../../lambdas/contract';
import { HTTP_ROUTES, ROUTES, routeKey } from '../../lambdas/contract';
import { writablePrefixes } from '../../lib/alertline-stack';
import { finders, Json, Synthesized, synth } from './synth';

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: Json;
  Condition?: Json;
}

let template: Template;
let resources: Synthesized['resources'];
let outdir: string;
let find: ReturnType<typeof finders>;

beforeAll(() => {
  // Synthesized once, with the real esbuild bundling (the slow part), as `cdk synth` does it.
  let app: Synthesized['app'];
  ({ app, template, resources } = synth({}, { bundle: true }));
  outdir = app.outdir;
  find = finders(template);
}, 120_000);

const onlyId = (found: Record<string, unknown>) => find.onlyId(found);
const roleOf = (functionId: string): string => resources[functionId].Properties.Role['Fn::GetAtt'][0];
const asList = (action: string | string[]) => (Array.isArray(action) ? action : [action]);

/** Every identity-policy statement in the template, with the roles it is attached to. */
const identityStatements = (): Array<Statement & { roles: string[] }> => {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  const inline = Object.entries(template.findResources('AWS::IAM::Role')).flatMap(([roleId, role]) =>
    (role.Properties.Policies ?? []).map((p: Json) => ({ Properties: { PolicyDocument: p.PolicyDocument, Roles: [{ Ref: roleId }] } })),
  );
  return [...policies, ...inline].flatMap((policy: Json) =>
    (policy.Properties.PolicyDocument.Statement as Statement[]).map((s) => ({
      ...s,
      roles: (policy.Properties.Roles ?? []).map((r: Json) => r.Ref),
    })),
  );
};
const rolesAllowed = (action: string): string[] =>
  [
    ...new Set(
      identityStatements()
        .filter((s) => s.Effect === 'Allow' && asList(s.Action).includes(action))
        .flatMap((s) => s.roles),
    ),
  ].sort();

const ingestId = () => find.ingestId();
const processorId = () => find.processorId();
const apiId = () => find.apiId();
const tableId = () => find.tableId();
const secretId = () => find.secretId();
const deadLetterQueueId = () => find.deadLetterQueueId();
const eventQueueId = () => find.eventQueueId();

describe('event queue', () => {
  test('is FIFO without content-based deduplication and redrives to a FIFO dead-letter queue after 5 receives', () => {
    template.resourceCountIs('AWS::SQS::Queue', 4); // this pair, and the notification queue's pair
    const dlq = deadLetterQueueId();
    expect(resources[dlq].Properties).toEqual(
      expect.objectContaining({
        FifoQueue: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
        SqsManagedSseEnabled: true,
      }),
    );
    expect(resources[eventQueueId()].Properties).toEqual(
      expect.objectContaining({
        FifoQueue: true,
        ContentBasedDeduplication: false,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
      }),
    );
  });

  test('both queues are encrypted at rest with SQS-managed keys and kept when the stack is deleted', () => {
    for (const queueId of [eventQueueId(), deadLetterQueueId()]) {
      expect(resources[queueId]).toEqual(
        expect.objectContaining({
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: expect.objectContaining({ SqsManagedSseEnabled: true }),
        }),
      );
    }
  });

  test('the processor parks at the same receive count the queue redrives at', () => {
    const { maxReceiveCount } = resources[eventQueueId()].Properties.RedrivePolicy;
    expect(resources[processorId()].Properties.Environment.Variables.MAX_RECEIVE_COUNT).toBe(String(maxReceiveCount));
  });

  test('visibility timeout is six times the processor timeout', () => {
    expect(resources[processorId()].Properties.Timeout).toBe(60);
    expect(resources[eventQueueId()].Properties.VisibilityTimeout).toBe(6 * 60);
  });

  test('both queues refuse requests without TLS', () => {
    for (const queueId of [eventQueueId(), deadLetterQueueId()]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  test('the processor consumes it in batches of 10, at most 10 at a time, and reports partial batch failures', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2); // and the notifier's
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [eventQueueId(), 'Arn'] },
      FunctionName: { Ref: processorId() },
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 10 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });
});

describe('table', () => {
  test('is on-demand, encrypted with the AWS managed key, point-in-time recoverable, expires items by TTL and is retained on stack deletion', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true },
      }),
    });
  });

  test('has the keys and the four indexes of TABLE_SCHEMA, every attribute a string, each index projecting the keys plus status, alertSourceId and alertKeyNormalized', () => {
    const keySchema = (hash: string, range: string) => [
      { AttributeName: hash, KeyType: 'HASH' },
      { AttributeName: range, KeyType: 'RANGE' },
    ];
    const table = resources[tableId()].Properties;
    expect(TABLE_SCHEMA.indexes).toHaveLength(4);
    expect(table.KeySchema).toEqual(keySchema(TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey));
    expect(table.GlobalSecondaryIndexes).toEqual(
      TABLE_SCHEMA.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status', 'alertSourceId', 'alertKeyNormalized'] },
      })),
    );
    const keyAttributes = [TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, ...TABLE_SCHEMA.indexes.flatMap((index) => [index.partitionKey, index.sortKey])];
    expect(table.AttributeDefinitions).toEqual(expect.arrayContaining(keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' }))));
    expect(table.AttributeDefinitions).toHaveLength(keyAttributes.length);
  });
});

describe('functions', () => {
  test('all five run Node.js 22 on arm64 with the Powertools settings and source maps', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const alertline = [apiId(), ingestId(), processorId(), find.escalatorId(), find.notifierId()];
    // The one other function is CDK's BucketDeployment handler, which copies the web UI into its bucket during deployments.
    expect(Object.keys(functions).filter((id) => !alertline.includes(id))).toEqual([expect.stringMatching(/^CustomCDKBucketDeployment/)]);
    for (const fn of alertline.map((id) => functions[id])) {
      expect(fn.Properties).toEqual(
        expect.objectContaining({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
        }),
      );
      expect(fn.Properties.Environment.Variables).toEqual(
        expect.objectContaining({
          TABLE_NAME: { Ref: tableId() },
          POWERTOOLS_SERVICE_NAME: 'alertline',
          POWERTOOLS_METRICS_NAMESPACE: 'Alertline',
          NODE_OPTIONS: '--enable-source-maps',
        }),
      );
    }
  });

  test('each logs to its own log group kept for a month, and kept when the stack is deleted', () => {
    const logGroups = [ingestId(), processorId(), apiId(), find.escalatorId(), find.notifierId()].map(
      (id) => resources[id].Properties.LoggingConfig.LogGroup.Ref,
    );
    expect(new Set(logGroups).size).toBe(5);
    for (const logGroup of logGroups) {
      expect(resources[logGroup]).toEqual(
        expect.objectContaining({
          Type: 'AWS::Logs::LogGroup',
          DeletionPolicy: 'Retain',
          Properties: expect.objectContaining({ RetentionInDays: 30 }),
        }),
      );
    }
  });

  test('log as JSON, without platform lines for successful invocations, the application level left to the handlers', () => {
    for (const id of [ingestId(), processorId(), apiId(), find.escalatorId(), find.notifierId()]) {
      // Exactly these keys: an ApplicationLogLevel above INFO would drop the EMF metric lines, which carry no level.
      expect(resources[id].Properties.LoggingConfig).toEqual({ LogFormat: 'JSON', SystemLogLevel: 'WARN', LogGroup: { Ref: expect.any(String) } });
      // The handlers' own lines: warnings and errors only (alertline:logLevel).
      expect(resources[id].Properties.Environment.Variables.POWERTOOLS_LOG_LEVEL).toBe('WARN');
      // Its bundle first forgets the application level Lambda hands the runtime (INFO), which Powertools would follow.
      const bundle = join(outdir, `asset.${resources[id].Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.js');
      expect(readFileSync(bundle, 'utf8').startsWith('delete process.env.AWS_LAMBDA_LOG_LEVEL;')).toBe(true);
    }
  });

  test('are not traced by X-Ray', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.TracingConfig).toBeUndefined();
    }
    expect(rolesAllowed('xray:PutTraceSegments')).toEqual([]);
  });

  test('timeouts, memory and wiring: ingest knows the queue, api knows the admin token secret', () => {
    expect(resources[ingestId()].Properties).toEqual(expect.objectContaining({ Timeout: 10, MemorySize: 256 }));
    expect(resources[processorId()].Properties).toEqual(expect.objectContaining({ Timeout: 60, MemorySize: 256 }));
    expect(resources[apiId()].Properties).toEqual(expect.objectContaining({ Timeout: 10, MemorySize: 256 }));
    expect(resources[ingestId()].Properties.Environment.Variables.QUEUE_URL).toEqual({ Ref: eventQueueId() });
    expect(resources[apiId()].Properties.Environment.Variables.ADMIN_TOKEN_SECRET_ARN).toEqual({ Ref: secretId() });
  });
});

describe('admin token', () => {
  test('is a generated 48-character secret without punctuation', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 48 },
    });
  });

  test('only the api function can read it', () => {
    const secret = secretId();
    const readers = identityStatements().filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Resource).includes(`"${secret}"`));
    expect(readers.length).toBeGreaterThan(0);
    expect([...new Set(readers.flatMap((s) => s.roles))]).toEqual([roleOf(apiId())]);
    expect(readers.flatMap((s) => asList(s.Action))).toContain('secretsmanager:GetSecretValue');
    // The others that read a secret read the action-link key (see notifications.test.ts).
    expect(rolesAllowed('secretsmanager:GetSecretValue')).toEqual([apiId(), find.notifierId()].map(roleOf).sort());
    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });
});

describe('permissions', () => {
  test("no statement allows a wildcard action, but S3 object actions of the web UI's deployment on its two buckets", () => {
    const isDeployment = (role: string) => role.startsWith('CustomCDKBucketDeployment');
    const wildcards = identityStatements()
      .filter((s) => s.Effect === 'Allow' && !s.roles.some(isDeployment))
      .flatMap((s) => asList(s.Action))
      .filter((action) => action.includes('*'));
    expect(wildcards).toEqual([]);
    // CDK's BucketDeployment reads the staged build from the asset bucket and syncs it into the UI's bucket: nothing else.
    const deployment = identityStatements().filter((s) => s.roles.some(isDeployment));
    const uiBucket = onlyId(template.findResources('AWS::S3::Bucket'));
    for (const statement of deployment) {
      expect(asList(statement.Action).every((action) => action.startsWith('s3:'))).toBe(true);
      for (const resource of statement.Resource as Json[]) expect(JSON.stringify(resource)).toMatch(new RegExp(`cdk-hnb659fds-assets-|"${uiBucket}"`));
    }
  });

  test('only ingest sends to the event queue, and the api and the escalator the events Alertline makes itself (heartbeats)', () => {
    const senders = identityStatements().filter(
      (s) => s.Effect === 'Allow' && asList(s.Action).includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(`"${eventQueueId()}"`),
    );
    expect([...new Set(senders.flatMap((s) => s.roles))].sort()).toEqual([roleOf(ingestId()), roleOf(apiId()), roleOf(find.escalatorId())].sort());
  });

  const tableStatements = (functionId: string) =>
    identityStatements()
      .filter((s) => s.roles.includes(roleOf(functionId)) && JSON.stringify(s.Resource).includes(`"${tableId()}"`))
      .map((s) => ({ actions: asList(s.Action).sort(), resource: s.Resource, condition: s.Condition }));
  const writes = (functionId: string) => tableStatements(functionId).filter((s) => s.actions.includes('dynamodb:PutItem'));

  test('each function reads the table and each of its indexes by name, unconditionally, and nothing scans', () => {
    const table = tableId();
    const tableAndIndexes = [
      { 'Fn::GetAtt': [table, 'Arn'] },
      ...TABLE_SCHEMA.indexes.map((index) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, `/index/${index.name}`]] })),
    ];
    for (const id of [ingestId(), processorId(), apiId(), find.escalatorId(), find.notifierId()]) {
      const reads = tableStatements(id).filter((s) => !s.actions.includes('dynamodb:PutItem'));
      expect(reads).toEqual([{ actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'], resource: tableAndIndexes, condition: undefined }]);
    }
    expect(rolesAllowed('dynamodb:Scan')).toEqual([]);
    expect(rolesAllowed('dynamodb:BatchWriteItem')).toEqual([]);
  });

  test.each([
    ['ingest', ingestId, ['EVENT#*', 'IDEMPOTENCY#*', 'RATE#*']],
    ['processor', processorId, ['ALERT#*', 'ESCJOB#*', 'EVENT#*', 'OPEN#*']],
    ['api', apiId, ['ALERT#*', 'ESCJOB#*', 'EVENT#*', 'HEARTBEAT#*', 'MWINDOW#*', 'MWSOURCE#*', 'OPEN#*', 'POLICY#*', 'ROUTINGKEY#*', 'SOURCE#*', 'USER#*']],
  ])("%s writes only the items whose partition key starts with its own entities' prefixes", (_name, functionId, prefixes) => {
    expect(writes(functionId())).toEqual([
      {
        actions: ['dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        // The table only: an index is never written directly.
        resource: { 'Fn::GetAtt': [tableId(), 'Arn'] },
        condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes } },
      },
    ]);
  });

  test('no role may write the table without a condition on the partition key', () => {
    for (const action of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert']) {
      const unconditional = identityStatements().filter((s) => s.Effect === 'Allow' && asList(s.Action).includes(action) && !s.Condition);
      expect(unconditional).toEqual([]);
    }
  });

  test("the write prefixes are the ones the store's key builders produce, and each entity of the table has a writer", () => {
    const granted = new Set(
      [ingestId(), processorId(), apiId(), find.escalatorId(), find.notifierId()].flatMap(
        (id) => writes(id)[0].condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'],
      ),
    );
    // Every `<entity>Keys.item(...)` of lambdas/store/keys.ts: an entity added there without a grant fails here.
    type KeyBuilder = { item: (...ids: string[]) => keys.Key };
    const builders = (Object.values(keys) as unknown[]).filter(
      (value): value is KeyBuilder => typeof value === 'object' && value !== null && typeof (value as { item?: unknown }).item === 'function',
    );
    expect(builders.length).toBeGreaterThanOrEqual(9);
    const entityPrefixes = builders.map((builder) => `${builder.item('a', 'b', 'c').pk.split('#')[0]}#*`);
    expect([...new Set(entityPrefixes)].sort()).toEqual([...granted].sort());
    expect(writablePrefixes([keys.eventKeys.item('e-1')])).toEqual(['EVENT#*']);
  });
});

describe('HTTP API', () => {
  test('routes each contract route to its function, the management routes again under /api/v1/, and anything else under /api to the api function', () => {
    const functionOfRoute: Record<string, string> = {};
    for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route'))) {
      const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref;
      const integration = resources[integrationId].Properties;
      expect(integration).toEqual(expect.objectContaining({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' }));
      functionOfRoute[route.Properties.RouteKey] = integration.IntegrationUri['Fn::GetAtt'][0];
    }
    const functionId = { ingest: ingestId(), api: apiId() };
    expect(functionOfRoute).toEqual(Object.fromEntries(HTTP_ROUTES.map((route) => [routeKey(route), functionId[route.function]])));
    expect(functionOfRoute).toEqual(
      expect.objectContaining({
        'POST /api/events': ingestId(),
        'POST /api/events/{id}': ingestId(),
        'POST /api/v1/events/{apiKey}': ingestId(),
        'GET /api/events/{id}': apiId(),
        // API Gateway refuses two variable names at one level: the alias takes the name the events route gave it.
        'GET /api/v1/events/{apiKey}': apiId(),
        'PUT /api/v1/alerts/{id}/accept': apiId(),
        'ANY /api/{proxy+}': apiId(),
      }),
    );
    expect(Object.keys(functionOfRoute)).toHaveLength(ROUTES.length + ROUTES.filter((r) => r.function === 'api').length + 1);
  });

  test('lets API Gateway invoke each HTTP function with one permission for the whole API, not one per route', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'))
      .map((p) => p.Properties)
      .filter((p) => p.Principal === 'apigateway.amazonaws.com');
    // The one other permission: EventBridge runs the escalator (see notifications.test.ts).
    expect(Object.keys(template.findResources('AWS::Lambda::Permission'))).toHaveLength(permissions.length + 1);
    expect(permissions.map((p) => p.FunctionName['Fn::GetAtt'][0]).sort()).toEqual([apiId(), ingestId()].sort());
    for (const permission of permissions) {
      expect(permission).toEqual(expect.objectContaining({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' }));
      expect(JSON.stringify(permission.SourceArn)).toContain(find.httpApiId());
    }
  });

  test('is served from an auto-deployed $default stage, throttled to 100 requests per second with bursts of 200', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: find.httpApiId() },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  test('gives the management routes limits of their own, apart from the unauthenticated events routes', () => {
    const stage = Object.entries(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const limits = { ingest: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }, api: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 } };
    expect(stage[1].Properties.RouteSettings).toEqual(Object.fromEntries(HTTP_ROUTES.map((route) => [routeKey(route), limits[route.function]])));
    expect(stage[1].Properties.RouteSettings['POST /api/v1/events/{apiKey}']).toEqual(limits.ingest);
    expect(stage[1].Properties.RouteSettings['ANY /api/{proxy+}']).toEqual(limits.api);
    // CloudFormation refuses route settings for a route key that does not exist yet.
    const routeIds = Object.keys(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routeIds).toHaveLength(HTTP_ROUTES.length);
    expect(resources[stage[0]]).toEqual(expect.objectContaining({ DependsOn: expect.arrayContaining(routeIds) }));
  });

  test('logs every request as JSON to a log group kept for a month, without the path that may carry an integration key', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0].Properties;
    const logGroup = stage.AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    expect(resources[logGroup]).toEqual(
      expect.objectContaining({
        Type: 'AWS::Logs::LogGroup',
        DeletionPolicy: 'Retain',
        Properties: expect.objectContaining({ RetentionInDays: 30 }),
      }),
    );
    // Who called, which route, the answer, how long, and why a request was refused (err) or its function failed (ierr).
    expect(JSON.parse(stage.AccessLogSettings.Format)).toEqual({
      id: '$context.requestId',
      ip: '$context.identity.sourceIp',
      route: '$context.routeKey',
      status: '$context.status',
      ms: '$context.responseLatency',
      err: '$context.error.message',
      ierr: '$context.integrationErrorMessage',
    });
    expect(stage.AccessLogSettings.Format).not.toContain('$context.path');
  });
});

describe('outputs', () => {
  const httpApiId = () => onlyId(template.findResources('AWS::ApiGatewayV2::Api'));
  const apiUrlParts = () => ['https://', { Ref: httpApiId() }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }];

  test('give the URLs to call', () => {
    template.hasOutput('ApiUrl', { Value: { 'Fn::Join': ['', [...apiUrlParts(), '/']] } });
    template.hasOutput('EventsEndpoint', { Value: { 'Fn::Join': ['', [...apiUrlParts(), '/api/events']] } });
  });

  test('say where the admin token is and how to read it', () => {
    template.hasOutput('AdminTokenSecretArn', { Value: { Ref: secretId() } });
    template.hasOutput('ReadAdminTokenCommand', {
      Value: {
        'Fn::Join': ['', ['aws secretsmanager get-secret-value --secret-id ', { Ref: secretId() }, ' --query SecretString --output text']],
      },
    });
  });

  test('name the table, the queues, the alarm topic and the dashboard', () => {
    template.hasOutput('TableName', { Value: { Ref: tableId() } });
    template.hasOutput('QueueUrl', { Value: { Ref: eventQueueId() } });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: deadLetterQueueId() } });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: find.topicId() } });
    template.hasOutput('DashboardName', { Value: { Ref: find.onlyId(template.findResources('AWS::CloudWatch::Dashboard')) } });
  });
});

test('the web UI is deployed from the Vite build of web/, made by the synth itself', () => {
  const deployments = Object.values(template.findResources('Custom::CDKBucketDeployment')) as Json[];
  const [key] = new Set(deployments.flatMap((d) => d.Properties.SourceObjectKeys as string[]));
  const staged = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
  const page = readFileSync(join(staged, 'index.html'), 'utf8');
  const scripts = [...page.matchAll(/<script type="module"[^>]* src="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]);
  expect(scripts).toHaveLength(1);
  expect(readdirSync(join(staged, 'assets'))).toContain(scripts[0]);
});
