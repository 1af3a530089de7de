import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, LogGroup, MetricFilter, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../../functions/adapters/dynamodb/table-definition.ts';
import { ManagedPolicyRole } from './managed-policy-role.ts';

export type TableAccess = 'read' | 'readWrite';

/**
 * The item actions the DynamoDB adapters (functions/adapters/dynamodb) send, and nothing more: no
 * BatchGetItem, Scan or ConditionCheckItem. TransactWriteItems is authorized per item as PutItem /
 * DeleteItem (a flag and its slot); DeleteItem also releases a refused SMS send's ledger claim.
 * tests/infra checks these lists against the adapters' source.
 */
export const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
};

/** Powertools settings every function gets (Logger, Metrics and Tracer read them at cold start). */
export const POWERTOOLS_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'cadence',
  POWERTOOLS_METRICS_NAMESPACE: 'Cadence',
  // Responses of the API carry client names and phone numbers: never copy them into X-Ray (invariant 8).
  POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
} as const;

/**
 * An alarm on one message the function logs (Powertools' `message` field), through a metric filter
 * on the function's own log group writing a metric of its own: one filter per metric, so an alarm
 * fires for the function that logged, under that function's name.
 */
export interface LogMessageAlarm {
  /** The exact `message` the function logs. */
  readonly message: string;
  /** The metric under POWERTOOLS_METRICS_NAMESPACE; unique across functions (tests/infra checks). */
  readonly metricName: string;
  /** The alarm name's suffix after the function name, e.g. `unconfirmed-sms-sends`. */
  readonly alarmSuffix: string;
  /** What it means and what to do, after the function name. */
  readonly description: string;
}

export interface CadenceFunctionProps {
  /** Absolute path of the handler file; it must export `handler`. */
  readonly entry: string;
  /** Absolute path of the directory holding package-lock.json. */
  readonly projectRoot: string;
  readonly functionName: string;
  readonly description: string;
  readonly logRetention: RetentionDays;
  /** Encrypts the function's log group; its key policy must admit the CloudWatch Logs service. */
  readonly logsKey: IKey;
  /** Encrypts the dead-letter queue of failed asynchronous invocations. */
  readonly queueKey: IKey;
  /** Applies to the log group and the dead-letter queue. */
  readonly removalPolicy: RemovalPolicy;
  /** Receives the function's error and dead-letter alarms. */
  readonly alarmTopic: ITopic;
  /** @default - unreserved (new accounts refuse any reservation: docs/deploy.md) */
  readonly reservedConcurrentExecutions?: number;
  /** @default - none */
  readonly logAlarms?: readonly LogMessageAlarm[];
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default - none besides NODE_OPTIONS and POWERTOOLS_ENVIRONMENT */
  readonly environment?: Record<string, string>;
}

/**
 * Every Cadence Lambda: Node.js 24 on arm64, an ESM bundle with source maps, X-Ray tracing, its own
 * encrypted log group with retention, an encrypted dead-letter queue for failed async invocations,
 * alarms to ops, and a role that holds only what it is granted (no AWS managed policies).
 */
export class CadenceFunction extends NodejsFunction {
  /** Failed asynchronous invocations, after Lambda's retries. */
  public readonly deadLetters: Queue;
  /** The role the function runs as; holds only what is granted to it. */
  public readonly executionRole: ManagedPolicyRole;

  constructor(scope: Construct, id: string, props: CadenceFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      logGroupName: `/cadence/${props.functionName}`,
      retention: props.logRetention,
      encryptionKey: props.logsKey,
      removalPolicy: props.removalPolicy,
    });
    const deadLetterQueue = new Queue(scope, `${id}DeadLetters`, {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this one log group only.
    const role = new ManagedPolicyRole(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });

    super(scope, id, {
      entry: props.entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: `${props.projectRoot}/package-lock.json`,
      functionName: props.functionName,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      deadLetterQueue,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...POWERTOOLS_ENVIRONMENT, ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // The nodejs24.x runtime ships the AWS SDK v3: leaving it out keeps each bundle small and its
        // cold start short (docs/benchmarks.md); the SDK's API is stable across its minor versions.
        externalModules: ['@aws-sdk/*'],
        // Some CommonJS dependencies call require(); ESM output needs it defined.
        banner: "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
      },
    });
    this.deadLetters = deadLetterQueue;
    this.executionRole = role;

    logGroup.grantWrite(role);
    // The Lambda service sends dead letters with this role, so it needs the queue key too.
    props.queueKey.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');

    // Tracing put the X-Ray statement into this policy; any other Resource "*" grant must live elsewhere.
    Validations.of(role.permissions).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only xray:PutTraceSegments and xray:PutTelemetryRecords (tracing), which support no resource ARN',
    });
    if (props.reservedConcurrentExecutions === undefined) {
      Validations.of(this).acknowledge({
        id: 'HIPAA.Security-LambdaConcurrency',
        reason:
          'Reserved only when the stage config asks (reservedConcurrency): a new account has 10 concurrent executions and Lambda keeps 100 unreserved, so any reservation fails there (docs/deploy.md)',
      });
    }
    Validations.of(this).acknowledge({
      id: 'HIPAA.Security-LambdaInsideVPC',
      reason:
        'The function reaches only AWS APIs (DynamoDB, Scheduler, SNS) over TLS with IAM; it has no VPC resources',
    });

    // Named `<function>-<what it watches>`, so that the notification says which function and what.
    const alarm = (
      suffix: string,
      description: string,
      metric: IMetric,
      { threshold = 1, evaluationPeriods = 1 } = {},
    ) =>
      new Alarm(this, `${pascal(suffix)}Alarm`, {
        alarmName: `${props.functionName}-${suffix}`,
        alarmDescription: `${props.functionName} ${description}`,
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new SnsAction(props.alarmTopic));
    const fiveMinutes = { period: Duration.minutes(5) };
    alarm('errors', 'failed an invocation', this.metricErrors(fiveMinutes));
    alarm(
      'throttles',
      'was throttled: invocations wait in retries (reserved concurrency or account limit)',
      this.metricThrottles(fiveMinutes),
      { threshold: 10, evaluationPeriods: 3 },
    );
    alarm(
      'dead-letters',
      'gave up on an invocation: see its dead-letter queue',
      deadLetterQueue.metricApproximateNumberOfMessagesVisible(fiveMinutes),
    );
    for (const logAlarm of props.logAlarms ?? []) {
      const filter = new MetricFilter(this, `${pascal(logAlarm.alarmSuffix)}Filter`, {
        logGroup,
        filterPattern: FilterPattern.stringValue('$.message', '=', logAlarm.message),
        metricNamespace: POWERTOOLS_ENVIRONMENT.POWERTOOLS_METRICS_NAMESPACE,
        metricName: logAlarm.metricName,
        metricValue: '1',
      });
      alarm(
        logAlarm.alarmSuffix,
        logAlarm.description,
        filter.metric({ period: Duration.hours(1), statistic: 'Sum' }),
      );
    }
  }

  /**
   * Grants exactly the item actions `access` needs on the table (Query on its indexes) and sets the
   * environment variable the function reads the table name from.
   */
  bindTable({
    table,
    access,
    envVarName = 'TABLE_NAME',
    indexNames = TABLE_DEFINITION.globalIndexes.map((i) => i.indexName),
  }: {
    table: ITable;
    access: TableAccess;
    /** @default 'TABLE_NAME' */
    envVarName?: string;
    /** @default the indexes of TABLE_DEFINITION */
    indexNames?: readonly string[];
  }): void {
    const write = access === 'readWrite';
    this.addToRolePolicy(
      new PolicyStatement({ actions: [...TABLE_ACTIONS[access]], resources: [table.tableArn] }),
    );
    if (indexNames.length > 0) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexNames.map((name) => `${table.tableArn}/index/${name}`),
        }),
      );
    }
    // DynamoDB calls KMS on the caller's behalf with the table's customer-managed key.
    table.encryptionKey?.grant(
      this,
      ...(write
        ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']
        : ['kms:Decrypt', 'kms:DescribeKey']),
    );
    this.addEnvironment(envVarName, table.tableName);
  }

  /** Grants sns:Publish on one topic (and its key) and sets the variable holding its ARN. */
  bindTopic({ topic, envVarName }: { topic: ITopic; envVarName: string }): void {
    this.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    topic.masterKey?.grant(this, 'kms:Decrypt', 'kms:GenerateDataKey');
    this.addEnvironment(envVarName, topic.topicArn);
  }
}

function pascal(kebab: string): string {
  return kebab.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
