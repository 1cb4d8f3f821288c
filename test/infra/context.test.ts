// Settings from CDK context: cdk.json's defaults, every setting reaching the template, and bad values failing fast.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HTTP_ROUTES, routeKey } from '../../lambdas/contract';
import { contextKey, DEFAULT_CONFIG, readConfig } from '../../lib/config';
import { CUSTOM_CONTEXT, finders, Synthesized, synth } from './synth';

const cdkJsonContext: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

describe('defaults', () => {
  test('cdk.json lists every setting with the default the code falls back to', () => {
    const listed = Object.fromEntries(Object.entries(cdkJsonContext).filter(([key]) => key.startsWith('alertline:')));
    expect(listed).toEqual(Object.fromEntries(Object.entries(DEFAULT_CONFIG).map(([name, value]) => [`alertline:${name}`, value])));
    expect(readConfig(new App({ context: cdkJsonContext }))).toEqual(DEFAULT_CONFIG);
    expect(readConfig(new App())).toEqual(DEFAULT_CONFIG);
  });
});

describe('a stack with every setting changed', () => {
  let synthesized: Synthesized;
  let template: Template;
  let find: ReturnType<typeof finders>;

  beforeAll(() => {
    synthesized = synth(CUSTOM_CONTEXT);
    template = synthesized.template;
    find = finders(template);
  }, 60_000);
  const properties = (id: string) => synthesized.resources[id].Properties;

  test('is named after its stage', () => {
    expect(synthesized.stack.stackName).toBe('Alertline-dev');
    expect(synthesized.stack.tags.tagValues()).toEqual(expect.objectContaining({ Stage: 'dev' }));
  });

  test('gives each function its memory, and traces all three with X-Ray', () => {
    expect(properties(find.ingestId()).MemorySize).toBe(512);
    expect(properties(find.processorId()).MemorySize).toBe(1024);
    expect(properties(find.apiId()).MemorySize).toBe(128);
    for (const id of [find.ingestId(), find.processorId(), find.apiId()]) {
      expect(properties(id).TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  test('has all five functions log at the set level', () => {
    const functions = [find.ingestId(), find.processorId(), find.apiId(), find.escalatorId(), find.notifierId()];
    expect(functions.map((id) => properties(id).Environment.Variables.POWERTOOLS_LOG_LEVEL)).toEqual(Array(5).fill('INFO'));
  });

  test('feeds the processor batches of the set size at the set maximum concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 5, ScalingConfig: { MaximumConcurrency: 4 } });
  });

  test('throttles the $default stage to the set rate and burst', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 25 },
    });
  });

  test('throttles each events route to the set rate and burst, and the management routes to their own', () => {
    const limits = { ingest: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 25 }, api: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 8 } };
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      RouteSettings: Object.fromEntries(HTTP_ROUTES.map((route) => [routeKey(route), limits[route.function]])),
    });
  });

  test("keeps every log group, the functions' and the API's access log, for the set retention", () => {
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(6); // five functions' and the API's access log
    for (const logGroup of logGroups) expect(logGroup.Properties.RetentionInDays).toBe(7);
  });

  test('with retainData=false, deletes the table, the queues and the logs with the stack', () => {
    const deletable = ['AWS::DynamoDB::Table', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup'];
    for (const type of deletable) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource).toEqual(expect.objectContaining({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' }));
      }
    }
    // The rest of the data protection does not depend on it.
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});

describe('bad settings fail before anything is built, naming the setting', () => {
  const configWith = (context: Record<string, unknown>) => () => readConfig(new App({ context }));

  test.each([
    [contextKey('batchSize'), '11', /alertline:batchSize: expected an integer from 1 to 10, got "11"/],
    [contextKey('maxConcurrency'), 1, /alertline:maxConcurrency: expected an integer from 2 to 1000/],
    [contextKey('ingestMemoryMb'), 'lots', /alertline:ingestMemoryMb: expected an integer from 128 to 10240/],
    [contextKey('logRetentionDays'), '10', /alertline:logRetentionDays: expected one of CloudWatch Logs' retention periods/],
    [contextKey('throttleRate'), '0', /alertline:throttleRate: expected a positive number/],
    [contextKey('managementThrottleRate'), 'fast', /alertline:managementThrottleRate: expected a positive number/],
    [contextKey('managementThrottleBurst'), 0, /alertline:managementThrottleBurst: expected an integer from 1 to 1000000/],
    [contextKey('tracing'), 'yes', /alertline:tracing: expected true or false/],
    [contextKey('alarmEmail'), 'oncall', /alertline:alarmEmail: expected an email address/],
    [contextKey('stage'), 'prod eu', /alertline:stage: expected a name of letters, digits and hyphens/],
    [contextKey('logLevel'), 'info', /alertline:logLevel: expected one of DEBUG, INFO, WARN, ERROR, got "info"/],
  ])('%s = %j', (key, value, message) => {
    expect(configWith({ [key]: value })).toThrow(message);
  });

  test('a misspelt setting is refused rather than ignored', () => {
    expect(configWith({ 'alertline:memoryMb': 512 })).toThrow(/Unknown CDK context alertline:memoryMb; the settings are .*alertline:ingestMemoryMb/);
  });
});
