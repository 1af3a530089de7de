import { Duration, type RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  type JobTarget,
  type RecurringJob,
  SCHEDULED_TIME_FIELD,
} from '../../functions/ports/job-scheduler.port.ts';
import type { CadenceFunction } from './cadence-function.ts';
import { ManagedPolicyRole } from './managed-policy-role.ts';

export interface JobSchedulingProps {
  /** The schedule group every Cadence schedule lives in (1-64 of [0-9a-zA-Z-_.]). */
  readonly groupName: string;
  /** Encrypts the scheduler's dead-letter queue. */
  readonly queueKey: IKey;
  readonly removalPolicy: RemovalPolicy;
  /** Receives the dead-letter alarm. */
  readonly alarmTopic: ITopic;
  /**
   * The ARN of the function a job target names, built from its deterministic function name rather
   * than a reference to the function: the scheduler role and JOB_TARGETS then depend on no function,
   * so a function may schedule itself, or one that schedules it back, without a dependency cycle.
   */
  readonly targetArn: (target: JobTarget) => string;
}

/** Scheduler delivery: retried for up to 6 hours, well inside any job's slack, then dead-lettered. */
const RETRY_POLICY: CfnSchedule.RetryPolicyProperty = {
  maximumEventAgeInSeconds: 6 * 3600,
  maximumRetryAttempts: 20,
};

/**
 * EventBridge Scheduler for Cadence: one schedule group, one execution role that may invoke only the
 * job target functions and dead-letter only to its own queue, the recurring schedules, and the grants
 * a function needs to create one-time schedules in the group.
 */
export class JobScheduling extends Construct {
  public readonly group: CfnScheduleGroup;
  public readonly groupName: string;
  /** The role schedules run as; functions creating schedules pass it. */
  public readonly role: ManagedPolicyRole;
  /** Where the scheduler puts events it failed to deliver. */
  public readonly deadLetterQueue: Queue;
  private readonly targets = new Set<JobTarget>();
  private readonly invokeStatement: PolicyStatement;
  private readonly targetArn: (target: JobTarget) => string;

  constructor(scope: Construct, id: string, props: JobSchedulingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.groupName = props.groupName;
    this.targetArn = props.targetArn;
    this.group = new CfnScheduleGroup(this, 'Group', { name: props.groupName });

    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.queueKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of every Cadence schedule (Target.DeadLetterConfig)',
    });

    const groupArn = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule-group',
      resourceName: props.groupName,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      description: `Runs the schedules of group ${props.groupName}`,
      // Only schedules of this account's Cadence group may assume it (confused-deputy guard).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': groupArn },
      }),
    });
    this.role.addToPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    props.queueKey.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');
    // Filled lazily by allowTarget(): the statement lists exactly the functions schedules invoke.
    this.invokeStatement = new PolicyStatement({ actions: ['lambda:InvokeFunction'] });

    new Alarm(this, 'DeadLettersAlarm', {
      alarmDescription: `The scheduler could not deliver an event of group ${props.groupName}: see its dead-letter queue`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(props.alarmTopic));
  }

  /** Lets schedules invoke the target's function (the unqualified function only). */
  allowTarget(target: JobTarget): void {
    if (this.targets.has(target)) return;
    if (this.targets.size === 0) this.role.addToPolicy(this.invokeStatement);
    this.targets.add(target);
    this.invokeStatement.addResources(this.targetArn(target));
  }

  /**
   * One recurring schedule in the group, in the job's time zone, invoking `fn` (the job's target)
   * with the job's payload. The target ARN is a reference here, so the schedule waits for `fn`.
   */
  addRecurringJob(job: RecurringJob, fn: IFunction): CfnSchedule {
    this.allowTarget(job.target);
    const schedule = new CfnSchedule(this, `Recurring-${job.name}`, {
      name: job.name,
      groupName: this.group.ref,
      description: `Recurring ${job.target} (${job.name})`,
      scheduleExpression: `cron(${job.cron})`,
      scheduleExpressionTimezone: job.timezone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: fn.functionArn,
        roleArn: this.role.roleArn,
        input: JSON.stringify({ ...job.payload, [SCHEDULED_TIME_FIELD]: '<aws.scheduler.scheduled-time>' }),
        retryPolicy: RETRY_POLICY,
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
    return schedule;
  }

  /**
   * Lets `fn` create, replace and delete schedules in the group that invoke `targets`, passing the
   * scheduler role, and tells it how through SCHEDULE_GROUP, SCHEDULER_ROLE_ARN, SCHEDULER_DLQ_ARN
   * and JOB_TARGETS.
   */
  grantScheduling(fn: CadenceFunction, targets: readonly JobTarget[]): void {
    for (const target of targets) this.allowTarget(target);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [this.schedulesArn],
      }),
    );
    Validations.of(fn.executionRole.permissions).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(Stack.of(this), this.schedulesArn)}]`,
      reason: `Schedule names are made at run time from session ids; the grant is limited to group ${this.groupName}`,
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    fn.addEnvironment('SCHEDULE_GROUP', this.groupName);
    fn.addEnvironment('SCHEDULER_ROLE_ARN', this.role.roleArn);
    fn.addEnvironment('SCHEDULER_DLQ_ARN', this.deadLetterQueue.queueArn);
    fn.addEnvironment(
      'JOB_TARGETS',
      Stack.of(this).toJsonString(
        Object.fromEntries(targets.map((target) => [target, this.targetArn(target)])),
      ),
    );
  }

  /** Every schedule of the group: the only schedules a function may create, replace or delete. */
  get schedulesArn(): string {
    return Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.groupName}/*`,
    });
  }
}

/** An ARN as cdk-nag prints it in a finding id: pseudo parameters as <AWS::Name>. */
function nagArn(stack: Stack, arn: string): string {
  const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
  return arn
    .replace(stack.partition, pseudo(stack.partition, 'Partition'))
    .replace(stack.region, pseudo(stack.region, 'Region'))
    .replace(stack.account, pseudo(stack.account, 'AccountId'));
}
