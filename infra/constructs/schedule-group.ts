import { Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { JobTarget } from '../../functions/ports/job-scheduler.port.ts';
import { ManagedPolicyRole } from './managed-policy-role.ts';

export interface ScheduleGroupProps {
  /** The schedule group every Cadence schedule lives in (1-64 of [0-9a-zA-Z-_.]). */
  readonly groupName: string;
  /** Encrypts the dead-letter queue. */
  readonly queueKey: IKey;
  /** RETAIN keeps the group, and every pending schedule in it, when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** Every function a schedule invokes (see scheduledTargets in infra/functions.ts). */
  readonly targets: readonly JobTarget[];
  /**
   * The ARN of the function a job target names, built from its fixed function name rather than a
   * reference: the role then depends on no function, and the functions may live in another stack.
   */
  readonly targetArn: (target: JobTarget) => string;
}

/**
 * Where Cadence's schedules live and what they run as: the schedule group, the role every schedule
 * assumes (it may invoke exactly the job target functions and dead-letter to its own queue), and
 * that dead-letter queue. The group holds state: the one-time schedules functions create at run
 * time (every session's reminders and attendance check). So it lives in the stateful stack, with
 * the role and queue those schedules name: deleting or replacing the stateless stack keeps every
 * pending reminder, and a reminder due meanwhile retries for an hour and then waits in the queue.
 */
export class ScheduleGroup extends Construct {
  public readonly group: CfnScheduleGroup;
  public readonly groupName: string;
  /** The role schedules run as; functions creating schedules pass it. */
  public readonly role: ManagedPolicyRole;
  /** Where the scheduler puts events it failed to deliver. */
  public readonly deadLetterQueue: Queue;
  /** The functions the role may invoke. */
  public readonly targets: ReadonlySet<JobTarget>;

  constructor(scope: Construct, id: string, props: ScheduleGroupProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.groupName = props.groupName;
    this.targets = new Set(props.targets);
    this.group = new CfnScheduleGroup(this, 'Group', { name: props.groupName });
    this.group.applyRemovalPolicy(props.removalPolicy);

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
    if (props.targets.length > 0) {
      this.role.addToPolicy(
        new PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: props.targets.map(props.targetArn),
        }),
      );
    }
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
