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
import type { JobScheduler, JobTarget, OneTimeJob } from '../../ports/job-scheduler.port.ts';

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

/**
 * One-time jobs as EventBridge Scheduler `at()` schedules: deterministic names in the program's
 * group, no flexible window, deleted after completion, retried, with a DLQ, payload of ids only.
 */
export class EventBridgeJobScheduler implements JobScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly config: EventBridgeSchedulerConfig,
  ) {}

  scheduleInput(job: OneTimeJob): CreateScheduleCommandInput {
    const arn = this.config.targets[job.target];
    if (!arn) throw new Error(`no Lambda ARN configured for job target ${job.target}`);
    return {
      Name: job.name,
      GroupName: this.config.group,
      ScheduleExpression: atExpression(job.at),
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: FlexibleTimeWindowMode.OFF },
      ActionAfterCompletion: ActionAfterCompletion.DELETE,
      Target: {
        Arn: arn,
        RoleArn: this.config.roleArn,
        Input: JSON.stringify({ ...job.payload, scheduledTime: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 5 },
        DeadLetterConfig: { Arn: this.config.deadLetterArn },
      },
    };
  }

  async scheduleOnce(job: OneTimeJob): Promise<void> {
    const input = this.scheduleInput(job);
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
      await this.client.send(new UpdateScheduleCommand(input));
    }
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
}
