import {
  ActionAfterCompletion,
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  FlexibleTimeWindowMode,
  ResourceNotFoundException,
  type SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  type JobScheduler,
  type JobTarget,
  type OneTimeJob,
  type RecurringJob,
  SCHEDULED_TIME_FIELD,
} from '../../ports/job-scheduler.port.ts';

export interface EventBridgeSchedulerConfig {
  group: string;
  roleArn: string;
  deadLetterArn: string;
  targets: Partial<Record<JobTarget, string>>;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC for a UTC instant. */
export function atExpression(instant: string): string {
  return `at(${instant.slice(0, 19)})`;
}

/** Delivery of a one-time job: retried for an hour (a reminder later than that is no use), then dead-lettered. */
export const ONE_TIME_RETRY_POLICY = { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 5 };
/** Delivery of a recurring job: retried for up to 6 hours, well inside any job's slack, then dead-lettered. */
export const RECURRING_RETRY_POLICY = { MaximumEventAgeInSeconds: 6 * 3600, MaximumRetryAttempts: 20 };

/**
 * Jobs as EventBridge Scheduler schedules in the Cadence group, with deterministic names, no
 * flexible window, retried, with a DLQ, payload of ids only (plus the time the schedule was due).
 * One-time jobs are `at()` schedules deleted after completion; recurring ones are `cron()` schedules
 * in the program's time zone. Creating a name that exists replaces it with the full definition
 * (UpdateSchedule resets every field the request leaves out).
 */
export class EventBridgeJobScheduler implements JobScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly config: EventBridgeSchedulerConfig,
  ) {}

  scheduleInput(job: OneTimeJob): CreateScheduleCommandInput {
    return {
      Name: job.name,
      GroupName: this.config.group,
      ScheduleExpression: atExpression(job.at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: FlexibleTimeWindowMode.OFF },
      ActionAfterCompletion: ActionAfterCompletion.DELETE,
      Target: this.target(job, ONE_TIME_RETRY_POLICY),
    };
  }

  recurringInput(job: RecurringJob): CreateScheduleCommandInput {
    return {
      Name: job.name,
      GroupName: this.config.group,
      ScheduleExpression: `cron(${job.cron})`,
      ScheduleExpressionTimezone: job.timezone,
      FlexibleTimeWindow: { Mode: FlexibleTimeWindowMode.OFF },
      Target: this.target(job, RECURRING_RETRY_POLICY),
    };
  }

  async scheduleOnce(job: OneTimeJob): Promise<void> {
    await this.createOrReplace(this.scheduleInput(job));
  }

  async scheduleRecurring(job: RecurringJob): Promise<void> {
    await this.createOrReplace(this.recurringInput(job));
  }

  async cancel(names: string[]): Promise<void> {
    for (const Name of names) {
      try {
        await this.client.send(new DeleteScheduleCommand({ Name, GroupName: this.config.group }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    }
  }

  private target(
    job: Pick<OneTimeJob, 'target' | 'payload'>,
    retryPolicy: typeof ONE_TIME_RETRY_POLICY,
  ): NonNullable<CreateScheduleCommandInput['Target']> {
    const arn = this.config.targets[job.target];
    if (!arn) throw new Error(`no Lambda ARN configured for job target ${job.target}`);
    return {
      Arn: arn,
      RoleArn: this.config.roleArn,
      Input: JSON.stringify({ ...job.payload, [SCHEDULED_TIME_FIELD]: '<aws.scheduler.scheduled-time>' }),
      RetryPolicy: retryPolicy,
      DeadLetterConfig: { Arn: this.config.deadLetterArn },
    };
  }

  private async createOrReplace(input: CreateScheduleCommandInput): Promise<void> {
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }
}
