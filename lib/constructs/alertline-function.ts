// One Alertline Lambda function: Node 22 on arm64, bundled by the local esbuild, with its own log group.
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: handler entries and the lock file are resolved from here. */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

export interface AlertlineFunctionProps {
  /** File name under lambdas/handlers/, without extension. */
  readonly handler: string;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
}

export class AlertlineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AlertlineFunctionProps) {
    super(scope, id, {
      entry: path.join(PROJECT_ROOT, 'lambdas', 'handlers', `${props.handler}.ts`),
      handler: 'handler',
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize ?? 256,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'alertline',
        POWERTOOLS_METRICS_NAMESPACE: 'Alertline',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      // Created here rather than by Lambda on first invocation, so that it has a retention and belongs to the stack.
      logGroup: new LogGroup(scope, `${id}LogGroup`, { retention: RetentionDays.ONE_MONTH }),
      bundling: {
        // Local esbuild (a devDependency), and the AWS SDK bundled rather than taken from the runtime,
        // so that the deployed code runs the SDK versions the tests ran.
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: 'node22',
        externalModules: [],
        logLevel: LogLevel.WARNING,
      },
    });
  }
}
