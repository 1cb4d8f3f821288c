// The web UI in AWS: its build in a private S3 bucket behind CloudFront (origin access control), and the API on the same origin.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { AssetHashType, DockerImage, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  BehaviorOptions,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, ISource, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { API_PATH_PATTERNS, WEB_UI_HEADERS } from '../../lambdas/contract';
import { PROJECT_ROOT } from './alertline-function';

const WEB_SOURCE_DIR = path.join(PROJECT_ROOT, 'web');

/**
 * A path of the app (`/alerts/<id>`, `/`) has no file of its own in the bucket: the page is index.html, and the app
 * routes in the browser. Done here rather than with the distribution's error responses, which would also turn the
 * API's own 403 and 404 answers into the page.
 */
const SPA_REWRITE = `function handler(event) {
  var request = event.request;
  if (!/\\.[^/]*$/.test(request.uri)) request.uri = '/index.html';
  return request;
}`;

/**
 * The UI built by Vite from web/ when the stack is synthesized, as the functions are bundled by esbuild: what is
 * deployed is always the sources of this checkout, and nothing needs building beforehand. Without bundling (tests,
 * `cdk ls`) CDK skips it, as it skips esbuild.
 */
function builtUi(): ISource {
  return Source.asset(WEB_SOURCE_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Never pulled: the local build below either succeeds or stops the synth with Vite's message.
      image: DockerImage.fromRegistry('node:22-alpine'),
      local: {
        tryBundle(outputDir: string) {
          const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
          const config = path.join(WEB_SOURCE_DIR, 'vite.config.ts');
          // The same options as `npm run build:web`, into CDK's staging folder.
          const args = [vite, 'build', '--config', config, '--configLoader', 'runner', '--outDir', outputDir, '--emptyOutDir', '--logLevel', 'warn'];
          const result = spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
          if (result.status !== 0) throw new Error(`Building the web UI failed (vite build exited with ${result.status ?? result.signal})`);
          return true;
        },
      },
    },
  });
}

export interface WebUiProps {
  /** The API that `/api/*` and `/v2/*` reach, on the UI's own origin. */
  readonly httpApi: IHttpApi;
}

export class WebUi extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** They share one CDK-provided handler function, which copies the build into the bucket during deployments. */
  readonly deployments: BucketDeployment[];
  /** The UI's address, `https://<distribution domain>`: also the base of the links in notifications. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: WebUiProps) {
    super(scope, id);
    // Only build output, redeployed from the sources: nothing to keep when the stack goes.
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Alertline web UI: CSP without inline script, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: WEB_UI_HEADERS.contentSecurityPolicy, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    // `https://<id>.execute-api.<region>.amazonaws.com`: its host is the origin.
    const apiDomain = Fn.select(2, Fn.split('/', props.httpApi.apiEndpoint));
    // Never cached, every method, every viewer header but Host (execute-api routes by it): bodies, the admin token and
    // Idempotency-Key reach the API as if it were called directly.
    const toApi: BehaviorOptions = {
      origin: new HttpOrigin(apiDomain, { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY }),
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      // A redirect would turn a monitoring tool's POST into a GET: plain HTTP is refused instead.
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      responseHeadersPolicy: securityHeaders,
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Alertline web UI and API',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: securityHeaders,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new CloudFrontFunction(this, 'PageRewrite', { code: FunctionCode.fromInline(SPA_REWRITE), runtime: FunctionRuntime.JS_2_0 }),
          },
        ],
      },
      additionalBehaviors: Object.fromEntries(API_PATH_PATTERNS.map((pattern) => [pattern, toApi])),
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    // Hashed assets first and kept across deployments (a page loaded before a deployment still finds its files), then
    // the page that names them, revalidated on every load so that a deployment shows at once.
    const ui = builtUi();
    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [ui],
      destinationBucket: this.bucket,
      exclude: ['index.html'],
      prune: false,
      retainOnDelete: false,
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
    });
    const page = new BucketDeployment(this, 'DeployPage', {
      sources: [ui],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: ['index.html'],
      prune: false,
      retainOnDelete: false,
      cacheControl: [CacheControl.noCache()],
    });
    page.node.addDependency(assets);
    this.deployments = [assets, page];
  }
}
