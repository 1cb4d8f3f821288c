// cdk-nag: the AwsSolutions checks that run on every synth, and the findings Alertline acknowledges, each with its reason.
import { App, CfnElement, DefaultStackSynthesizer, Stack, Validations } from 'aws-cdk-lib';
import { IFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import type { WebUi } from './constructs/web-ui';

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
  /** The UI's bucket, distribution and the deployments that fill the bucket. */
  readonly webUi: WebUi;
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
  acknowledgeWebUiFindings(scopes.webUi, acknowledge);
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

type Acknowledge = (construct: IConstruct | undefined, id: string, reason: string) => void;

/** The permissions CDK's BucketDeployment gives its handler: read the staged build, write the UI's bucket. */
const deploymentWildcards = (stack: Stack, bucket: IConstruct): string[] => {
  const qualifier = stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  return [
    'Action::s3:GetObject*',
    'Action::s3:GetBucket*',
    'Action::s3:List*',
    'Action::s3:DeleteObject*',
    'Action::s3:Abort*',
    `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*`,
    `Resource::<${stack.getLogicalId(bucket.node.defaultChild as CfnElement)}.Arn>/*`,
  ];
};

function acknowledgeWebUiFindings(webUi: WebUi, acknowledge: Acknowledge): void {
  const distribution = webUi.distribution.node.defaultChild;
  acknowledge(
    webUi.bucket.node.defaultChild,
    'AwsSolutions-S1',
    "The bucket holds only the web UI's build (HTML, JavaScript, CSS: no alert data), blocked from public access, " +
      'read only by the distribution through origin access control and written only by the deployment. Data requests go ' +
      'to the API, whose access log records them; a log bucket would record downloads of public files.',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR1',
    'On-call responders and monitoring tools call Alertline from wherever they are: a country block would cut off a ' +
      'travelling responder or a cloud-hosted tool. Every API call is authenticated (admin token or integration key).',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR2',
    'A web ACL of scope CLOUDFRONT lives in us-east-1 and costs a fixed monthly fee, so it is left to the operator: ' +
      'the README shows a rate-based rule on /api/events. The API authenticates every call and throttles each route.',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR3',
    "CloudFront's standard logs need an S3 bucket with ACLs enabled. Requests that reach the API are in the HTTP API's " +
      'access log (route keys, never paths that hold integration keys); the other requests fetch the public build.',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR4',
    "The distribution serves CloudFront's default *.cloudfront.net certificate, whose minimum protocol CloudFront " +
      'fixes; TLSv1.2_2021 as a minimum needs a custom domain with an ACM certificate, which the stack does not create.',
  );
  const role = webUi.deployments[0].handlerRole;
  acknowledge(
    role.node.defaultChild,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    "The handler of CDK's BucketDeployment (it copies the UI's build into the bucket during a deployment, and runs at " +
      'no other time) writes its own logs with this AWS-maintained minimum policy, as the CDK construct defines it.',
  );
  acknowledge(
    role.node.scope?.node.defaultChild,
    'AwsSolutions-L1',
    "The runtime of CDK's BucketDeployment handler is chosen by aws-cdk-lib and moves with its releases; the function " +
      'runs only during a deployment and takes no input from outside the stack.',
  );
  for (const id of deploymentWildcards(Stack.of(webUi), webUi.bucket)) {
    acknowledge(
      role.node.tryFindChild('DefaultPolicy')?.node.defaultChild,
      `AwsSolutions-IAM5[${id}]`,
      "Granted by CDK's BucketDeployment to its handler: object-level reads of the build staged in the CDK asset " +
        "bucket and object-level writes of the UI's bucket (sync, prune), no other bucket; it runs only during a deployment.",
    );
  }
}
