// One Alertline Lambda function: Node 22 on arm64, bundled by the local esbuild, with its own log group, JSON logs, no
// platform lines for successful invocations, and the handlers' own log level (lib/log-settings.ts).
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ALIASES, BUNDLE_TARGET, HANDLERS, MAIN_FIELDS, handlerEntry } from '../../lambdas/bundling/options';
import { DEFAULTS, DEPLOYED_LOG_LEVEL, METRICS_NAMESPACE, SERVICE_NAME, type LogLevelName } from '../../lambdas/contract';
import { FORGET_LAMBDA_LOG_LEVEL, LAMBDA_LOGGING } from '../log-settings';

/** The repository root: the lock file is resolved from here. */
export const PROJECT_ROOT = path.join(__dirname, '..', '..');

export interface AlertlineFunctionProps {
  /** The function, by its entry file under lambdas/functions/. */
  readonly handler: (typeof HANDLERS)[number];
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  /** @default DEFAULTS.logRetentionDays of the contract (one month) */
  readonly logRetention?: RetentionDays;
  /** What happens to the log group when the stack is deleted. @default RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** X-Ray active tracing. @default false */
  readonly tracing?: boolean;
  /** The handlers' log level. @default DEPLOYED_LOG_LEVEL */
  readonly logLevel?: LogLevelName;
}

export class AlertlineFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: AlertlineFunctionProps) {
    super(scope, id, {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize ?? DEFAULTS.memoryMb,
      tracing: props.tracing ? Tracing.ACTIVE : undefined,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? DEPLOYED_LOG_LEVEL,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      // Created here rather than by Lambda on first invocation, so that it has a retention and belongs to the stack.
      logGroup: new LogGroup(scope, `${id}LogGroup`, {
        retention: props.logRetention ?? (DEFAULTS.logRetentionDays as RetentionDays),
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
      }),
      // Lambda's advanced logging controls: JSON, system lines at WARN only (no START/END/REPORT for a successful invocation), and
      // no application level, which would filter the EMF metric lines (see LAMBDA_LOGGING).
      loggingFormat: LoggingFormat[LAMBDA_LOGGING.format],
      systemLogLevelV2: SystemLogLevel[LAMBDA_LOGGING.systemLevel],
      bundling: {
        // Local esbuild (a devDependency), and the AWS SDK bundled rather than taken from the runtime,
        // so that the deployed code runs the SDK versions the tests ran.
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        // Shared with `npm run bundle-report`, so that it measures what is deployed.
        target: BUNDLE_TARGET,
        mainFields: MAIN_FIELDS,
        esbuildArgs: { '--alias': Object.entries(ALIASES).map(([module, replacement]) => `${module}=${replacement}`) },
        externalModules: [],
        logLevel: LogLevel.WARNING,
        // Before any module loads: the handlers log at POWERTOOLS_LOG_LEVEL, not at Lambda's application level.
        banner: FORGET_LAMBDA_LOG_LEVEL,
      },
    });
  }
}
