import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { JobTarget } from '../../functions/ports/job-scheduler.port.ts';
import type { CadenceFunction } from './cadence-function.ts';

/** What the stateful stack's ScheduleGroup provides. */
export interface ScheduleGroupResources {
  readonly groupName: string;
  readonly role: IRole;
  readonly deadLetterQueue: IQueue;
  /** The functions the role may invoke. */
  readonly targets: ReadonlySet<JobTarget>;
  /** Every schedule of the group. */
  readonly schedulesArn: string;
}

export interface JobSchedulingProps {
  /** The group, role and dead-letter queue (in the stateful stack: pending schedules outlive this one). */
  readonly scheduleGroup: ScheduleGroupResources;
  /** Receives the dead-letter alarm. */
  readonly alarmTopic: ITopic;
  /** Prefix of the alarm's name, e.g. `cadence-dev`. */
  readonly alarmNamePrefix: string;
  /** The ARN of the function a job target names (its fixed name: no reference, so no cycle). */
  readonly targetArn: (target: JobTarget) => string;
}

/**
 * EventBridge Scheduler for the functions: the grants a function needs to create, replace and delete
 * schedules in the Cadence group (one-time jobs, and the programs' recurring ones), and the
 * dead-letter alarm. The functions make every schedule at run time; the stacks declare none.
 */
export class JobScheduling extends Construct {
  public readonly scheduleGroup: ScheduleGroupResources;
  private readonly targetArn: (target: JobTarget) => string;

  constructor(scope: Construct, id: string, props: JobSchedulingProps) {
    super(scope, id);
    this.scheduleGroup = props.scheduleGroup;
    this.targetArn = props.targetArn;
    new Alarm(this, 'DeadLettersAlarm', {
      alarmName: `${props.alarmNamePrefix}-scheduler-dead-letters`,
      alarmDescription: `The scheduler could not deliver an event of group ${this.groupName}: see its dead-letter queue`,
      metric: this.scheduleGroup.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(props.alarmTopic));
  }

  get groupName(): string {
    return this.scheduleGroup.groupName;
  }

  /**
   * Lets `fn` create, replace and delete schedules in the group that invoke `targets`, passing the
   * scheduler role, and tells it how through SCHEDULE_GROUP, SCHEDULER_ROLE_ARN, SCHEDULER_DLQ_ARN
   * and JOB_TARGETS.
   */
  grantScheduling(fn: CadenceFunction, targets: readonly JobTarget[]): void {
    for (const target of targets) this.checkTarget(target);
    const { schedulesArn, role, deadLetterQueue } = this.scheduleGroup;
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedulesArn],
      }),
    );
    Validations.of(fn.executionRole.permissions).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(Stack.of(this), schedulesArn)}]`,
      reason: `Schedule names are made at run time from session and program ids; the grant is limited to group ${this.groupName}`,
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    fn.addEnvironment('SCHEDULE_GROUP', this.groupName);
    fn.addEnvironment('SCHEDULER_ROLE_ARN', role.roleArn);
    fn.addEnvironment('SCHEDULER_DLQ_ARN', deadLetterQueue.queueArn);
    fn.addEnvironment(
      'JOB_TARGETS',
      Stack.of(this).toJsonString(
        Object.fromEntries(targets.map((target) => [target, this.targetArn(target)])),
      ),
    );
  }

  /** The role's invoke list is fixed in the stateful stack; a target outside it would be refused at run time. */
  private checkTarget(target: JobTarget): void {
    if (!this.scheduleGroup.targets.has(target)) {
      throw new Error(
        `the scheduler role may not invoke ${target}: pass it to the stateful stack's schedule group (scheduledTargets in infra/functions.ts)`,
      );
    }
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
