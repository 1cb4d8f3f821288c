// The web UI in AWS: a private bucket read only by the distribution (origin access control), the API behind /api/* and /v2/* on the same origin, the security headers, deep links, and the UI's URL as an output.
import { runInNewContext } from 'node:vm';
import { Template } from 'aws-cdk-lib/assertions';
import { API_PATH_PATTERNS, WEB_UI_HEADERS } from '../../lambdas/contract';
import { finders, Json, Synthesized, synth } from './synth';

let template: Template;
let resources: Synthesized['resources'];
let find: ReturnType<typeof finders>;
let distribution: Json;

beforeAll(() => {
  ({ template, resources } = synth());
  find = finders(template);
  distribution = resources[find.onlyId(template.findResources('AWS::CloudFront::Distribution'))].Properties.DistributionConfig;
}, 60_000);

const bucketId = () => find.onlyId(template.findResources('AWS::S3::Bucket'));
const distributionId = () => find.onlyId(template.findResources('AWS::CloudFront::Distribution'));
const originOf = (behavior: Json): Json => distribution.Origins.find((origin: Json) => origin.Id === behavior.TargetOriginId);
/** CloudFront's managed policies, by their fixed ids. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

describe('the bucket', () => {
  test('blocks every kind of public access, takes no ACLs, is encrypted and refuses plain HTTP', () => {
    expect(resources[bucketId()].Properties).toEqual(
      expect.objectContaining({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      }),
    );
    expect(resources[bucketId()].Properties.WebsiteConfiguration).toBeUndefined();
  });

  test('lets only this distribution read objects, and no one anything over plain HTTP', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId() } } }))[0] as Json;
    const statements: Json[] = policy.Properties.PolicyDocument.Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    expect(JSON.stringify(allows[0].Condition)).toContain(`{"Ref":"${distributionId()}"}`);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });
});

describe('the distribution', () => {
  test('reads the bucket through origin access control (SigV4 on every request), not a public website endpoint', () => {
    const s3 = originOf(distribution.DefaultCacheBehavior);
    expect(s3.DomainName).toEqual({ 'Fn::GetAtt': [bucketId(), 'RegionalDomainName'] });
    expect(s3.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    const oac = s3.OriginAccessControlId['Fn::GetAtt'][0];
    expect(resources[oac].Properties.OriginAccessControlConfig).toEqual(
      expect.objectContaining({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' }),
    );
  });

  test.each(API_PATH_PATTERNS)('%s goes to the HTTP API: never cached, every method, every viewer header but Host, HTTPS only', (pattern) => {
    const behavior = distribution.CacheBehaviors.find((b: Json) => b.PathPattern === pattern);
    expect(behavior).toEqual(
      expect.objectContaining({
        CachePolicyId: CACHING_DISABLED,
        OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
        AllowedMethods: expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
        ViewerProtocolPolicy: 'https-only',
      }),
    );
    expect(originOf(behavior)).toEqual(
      expect.objectContaining({
        DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [find.httpApiId(), 'ApiEndpoint'] }] }] },
        CustomOriginConfig: expect.objectContaining({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] }),
      }),
    );
  });

  test("has no error responses, which would turn the API's own 403 and 404 answers into the page", () => {
    expect(distribution.CustomErrorResponses).toBeUndefined();
    expect(distribution.CacheBehaviors).toHaveLength(API_PATH_PATTERNS.length);
  });

  test('serves index.html for the paths of the app (deep links) and the files for the rest, on viewer request', () => {
    const association = distribution.DefaultCacheBehavior.FunctionAssociations;
    expect(association).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [expect.any(String), 'FunctionARN'] } }]);
    const fn = resources[association[0].FunctionARN['Fn::GetAtt'][0]].Properties;
    expect(fn.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
    const rewrite = (uri: string) => runInNewContext(`${fn.FunctionCode}\nhandler({ request: { uri: ${JSON.stringify(uri)}, method: 'GET' } }).uri`) as string;
    for (const page of ['/', '/alerts', '/alerts/01JABCDEF0123456789XYZ', '/alert-sources/new', '/users/']) expect(rewrite(page)).toBe('/index.html');
    for (const file of ['/index.html', '/assets/index-Bd5aO1g7.js', '/assets/index-x1XGuNl0.css', '/favicon.svg']) expect(rewrite(file)).toBe(file);
    expect(distribution).toEqual(expect.objectContaining({ DefaultRootObject: 'index.html' }));
    expect(distribution.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
  });

  test('sends the CSP (no inline script), HSTS, nosniff, DENY framing and no referrer on every behaviour, over whatever the origin says', () => {
    const policyIds = [distribution.DefaultCacheBehavior, ...distribution.CacheBehaviors].map((b: Json) => b.ResponseHeadersPolicyId.Ref);
    expect(new Set(policyIds).size).toBe(1);
    expect(resources[policyIds[0]].Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig).toEqual({
      ContentSecurityPolicy: { ContentSecurityPolicy: WEB_UI_HEADERS.contentSecurityPolicy, Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    expect(WEB_UI_HEADERS.contentSecurityPolicy).toMatch(/script-src 'self';/);
    expect(WEB_UI_HEADERS.contentSecurityPolicy).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(WEB_UI_HEADERS.contentSecurityPolicy).toMatch(/frame-ancestors 'none'/);
  });
});

describe('the deployment of the build', () => {
  const deployments = () => Object.entries(template.findResources('Custom::CDKBucketDeployment')) as Array<[string, Json]>;

  test('puts the hashed assets first, cached for good and kept across deployments, then index.html, revalidated on every load', () => {
    const [[assetsId, assets], [, page]] = deployments().sort(
      ([, a], [, b]) => Number(a.Properties.Include !== undefined) - Number(b.Properties.Include !== undefined),
    );
    expect(assets.Properties).toEqual(
      expect.objectContaining({
        DestinationBucketName: { Ref: bucketId() },
        Exclude: ['index.html'],
        Prune: false,
        SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
      }),
    );
    expect(page.Properties).toEqual(
      expect.objectContaining({
        DestinationBucketName: { Ref: bucketId() },
        Exclude: ['*'],
        Include: ['index.html'],
        SystemMetadata: { 'cache-control': 'no-cache' },
      }),
    );
    expect(page.DependsOn).toContain(assetsId);
    // The same build for both: one asset.
    expect(page.Properties.SourceObjectKeys).toEqual(assets.Properties.SourceObjectKeys);
  });

  test('empties the bucket when the stack is deleted, so that the bucket can go too', () => {
    for (const [, deployment] of deployments()) expect(deployment.Properties.RetainOnDelete).toBe(false);
    expect(resources[bucketId()].DeletionPolicy).toBe('Delete');
  });
});

test("the UI's URL is an output, and the base of the links in notifications", () => {
  const domain = { 'Fn::GetAtt': [distributionId(), 'DomainName'] };
  expect(template.toJSON().Outputs.WebUiUrl.Value).toEqual({ 'Fn::Join': ['', ['https://', domain, '/']] });
  // The api (action links' pages) and the notifier (which writes the links); the escalator writes none.
  for (const id of [find.apiId(), find.notifierId()]) {
    expect(resources[id].Properties.Environment.Variables.PUBLIC_URL).toEqual({ 'Fn::Join': ['', ['https://', domain]] });
  }
  expect(resources[find.escalatorId()].Properties.Environment.Variables.PUBLIC_URL).toBeUndefined();
});
