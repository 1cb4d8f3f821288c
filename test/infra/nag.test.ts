// cdk-nag AwsSolutions: nothing unacknowledged in either configuration, every acknowledgement has a reason, and synth fails otherwise.
import { App, CfnResource, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { HTTP_ROUTES } from '../../lambdas/contract';
import { addNagChecks } from '../../lib/nag';
import { CUSTOM_CONTEXT, Synthesized, synth } from './synth';

/** Findings as `RuleId at construct path`, so that a failure names what to fix or acknowledge. */
const findings = (scope: IConstruct) =>
  new AwsSolutionsChecks()
    .validateScope(scope)
    .violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`),
    );

/** Every acknowledgement in the tree: rule id (without CDK's `Annotation::` prefix), reason, and where it sits. */
const acknowledgements = (scope: IConstruct) =>
  scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ construct, id: id.replace(/^annotation::/i, ''), reason })),
  );

const BASIC_EXECUTION_ROLE = 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

describe.each([
  ['default settings', {}, 0],
  ['every setting changed (X-Ray tracing on, data not retained)', CUSTOM_CONTEXT, 5],
])('the stack with %s', (_name, context, xrayAcknowledgements) => {
  let synthesized: Synthesized;
  beforeAll(() => {
    // Synthesizing with the checks registered (as bin/app.ts does) would already throw on an unacknowledged error.
    synthesized = synth(context);
  }, 60_000);

  test('has no unacknowledged AwsSolutions finding, error or warning', () => {
    expect(findings(synthesized.app)).toEqual([]);
  });

  test('acknowledges only these findings, each on the one resource it concerns and with a written reason', () => {
    const acknowledged = acknowledgements(synthesized.app);
    const count = (id: string) => acknowledged.filter((a) => a.id === id).length;
    // Five functions and CDK's BucketDeployment handler; two secrets (the admin token and the action-link key), neither rotated on a schedule.
    expect(count(BASIC_EXECUTION_ROLE)).toBe(6);
    expect(count('AwsSolutions-L1')).toBe(6);
    expect(count('AwsSolutions-SMG4')).toBe(2);
    // On every route: the events routes hold no Authorization header, the management routes check the token themselves.
    expect(count('AwsSolutions-APIG4')).toBe(HTTP_ROUTES.length);
    // The X-Ray wildcard only when tracing is on, on each function's policy.
    expect(count('AwsSolutions-IAM5[Resource::*]')).toBe(xrayAcknowledgements);
    // The web UI: its bucket's access logs, the distribution's geo restriction, WAF, logs and default certificate, and
    // the object-level wildcards CDK's BucketDeployment grants its handler.
    expect(count('AwsSolutions-S1')).toBe(1);
    for (const id of ['CFR1', 'CFR2', 'CFR3', 'CFR4']) expect(count(`AwsSolutions-${id}`)).toBe(1);
    const deploymentWildcards = acknowledged.filter((a) => a.id.startsWith('AwsSolutions-IAM5[') && a.id !== 'AwsSolutions-IAM5[Resource::*]');
    expect(deploymentWildcards.map((a) => a.construct.node.path)).toEqual(Array(7).fill(expect.stringMatching(/^Alertline\/Custom::CDKBucketDeployment/)));
    expect(acknowledged).toHaveLength(12 + 2 + 5 + 7 + HTTP_ROUTES.length + xrayAcknowledgements);
    for (const { construct, reason } of acknowledged) {
      expect(CfnResource.isCfnResource(construct)).toBe(true);
      expect(reason.length).toBeGreaterThan(60);
    }
  });
});

test('an unacknowledged finding fails synth', () => {
  const app = new App();
  new Queue(new Stack(app, 'Careless'), 'PlainQueue');
  addNagChecks(app);
  expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
});
