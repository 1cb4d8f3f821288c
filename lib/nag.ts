// cdk-nag: the AwsSolutions checks that run on every synth, and the findings Alertline acknowledges, each with its reason.
import { App, Validations } from 'aws-cdk-lib';
import { IFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** Registers the checks as a policy-validation plugin: an unacknowledged error fails `cdk synth`. */
export function addNagChecks(app: App): void {
  // The acknowledgements and their reasons are also written into the template's metadata, for whoever audits it.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }));
}

export interface NagFindingScopes {
  readonly functions: IFunction[];
  /** Only when X-Ray tracing is on: its permissions have no resource scope. */
  readonly tracing: boolean;
  readonly adminToken: IConstruct;
  /** The key that signs action links. */
  readonly actionSecret: IConstruct;
  /** The ingest function's routes (POST /api/events and the others of the contract). */
  readonly eventsRoutes: IConstruct[];
  /** The api function's routes: the contract's, their /api/v1/ aliases and the catch-all ANY /api/{proxy+}. */
  readonly managementRoutes: IConstruct[];
}

/**
 * An acknowledgement covers the construct it is placed on and everything below it: each one is placed on the
 * CloudFormation resource the finding is about, and names one finding (cdk-nag 3 has no prefix match).
 */
export function acknowledgeNagFindings(scopes: NagFindingScopes): void {
  const acknowledge = (construct: IConstruct | undefined, id: string, reason: string) => {
    if (!construct) throw new Error(`No construct to acknowledge ${id} on`);
    Validations.of(construct).acknowledge({ id, reason });
  };
  for (const fn of scopes.functions) {
    const role = fn.role?.node.defaultChild;
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AWSLambdaBasicExecutionRole is the AWS-maintained minimum for a function to write its own logs ' +
        '(logs:CreateLogStream, logs:PutLogEvents); every other permission is an inline, resource-scoped statement.',
    );
    acknowledge(
      fn.node.defaultChild,
      'AwsSolutions-L1',
      'Node.js 22 is a supported Lambda runtime and the one the handlers are bundled for (esbuild target node22) ' +
        'and tested on; moving to a newer runtime is a deliberate change of the build target and the tests, not a side effect.',
    );
    if (scopes.tracing) {
      acknowledge(
        fn.role?.node.tryFindChild('DefaultPolicy')?.node.defaultChild,
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level ' +
          'permissions, so Lambda\'s tracing statement must name Resource "*".',
      );
    }
  }
  acknowledge(
    scopes.adminToken.node.defaultChild,
    'AwsSolutions-SMG4',
    'The admin token is a bearer token that operators hold; a scheduled rotation would lock them out without notice. ' +
      'Operators rotate it on demand (aws secretsmanager put-secret-value); warm api instances keep the token they read ' +
      'until Lambda recycles them.',
  );
  acknowledge(
    scopes.actionSecret.node.defaultChild,
    'AwsSolutions-SMG4',
    'The action-link key signs accept and resolve links that stay valid for 24 hours after a notification; a rotation ' +
      'would break the links in flight. Rotate it on demand (aws secretsmanager put-secret-value) when it may have leaked.',
  );
  for (const route of scopes.eventsRoutes) {
    acknowledge(
      route.node.defaultChild,
      'AwsSolutions-APIG4',
      "The events API is called by monitoring tools without an Authorization header (ilert's events contract): " +
        "the caller is authenticated by the alert source's integration key in the body or path, which ingest looks up; " +
        'an unknown key gets 404 and nothing is queued.',
    );
  }
  for (const route of scopes.managementRoutes) {
    acknowledge(
      route.node.defaultChild,
      'AwsSolutions-APIG4',
      'The management API checks the admin bearer token inside the api function (constant-time comparison with the ' +
        'Secrets Manager secret) and answers 401 without it; an API Gateway authorizer would add a second function for the same check. ' +
        'Its public routes need no token: the OpenAPI document, and action links, which carry their own HMAC-signed, expiring token.',
    );
  }
}
