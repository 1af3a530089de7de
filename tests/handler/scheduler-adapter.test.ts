import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeJobScheduler } from '../../functions/adapters/aws/eventbridge-scheduler.adapter.ts';

const schedulerMock = mockClient(SchedulerClient);
const config = {
  group: 'cadence-test',
  roleArn: 'arn:aws:iam::123456789012:role/scheduler',
  deadLetterArn: 'arn:aws:sqs:us-east-1:123456789012:scheduler-dlq',
  targets: { 'send-reminder': 'arn:aws:lambda:us-east-1:123456789012:function:send-reminder' },
};
const job = {
  name: 'rem-g-0123456789abcdef0123-120',
  target: 'send-reminder' as const,
  at: '2027-01-04T13:00:00Z',
  payload: {
    programId: 'sunrise',
    sessionId: 'g-0123456789abcdef0123',
    purpose: 'reminder',
    offsetMinutes: 120,
    version: 1,
  },
};
const expectedInput = {
  Name: 'rem-g-0123456789abcdef0123-120',
  GroupName: 'cadence-test',
  ScheduleExpression: 'at(2027-01-04T13:00:00)',
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  ActionAfterCompletion: 'DELETE',
  Target: {
    Arn: 'arn:aws:lambda:us-east-1:123456789012:function:send-reminder',
    RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
    Input: JSON.stringify({ ...job.payload, scheduledTime: '<aws.scheduler.scheduled-time>' }),
    RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 5 },
    DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:scheduler-dlq' },
  },
};

describe('EventBridge Scheduler adapter', () => {
  beforeEach(() => schedulerMock.reset());

  it('creates a one-time at() schedule in the group, deleted after completion, with retries, a DLQ and ids only', async () => {
    schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    await new EventBridgeJobScheduler(new SchedulerClient({}), config).scheduleOnce(job);
    const calls = schedulerMock.commandCalls(CreateScheduleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual(expectedInput);
    expect(calls[0]!.args[0].input.Target!.Input).not.toMatch(/\+\d{7,}|Sunrise:|appointment/);
  });

  it('replaces a schedule of the same name (a moved session) with UpdateSchedule', async () => {
    schedulerMock
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    schedulerMock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    await new EventBridgeJobScheduler(new SchedulerClient({}), config).scheduleOnce(job);
    expect(schedulerMock.commandCalls(UpdateScheduleCommand)[0]!.args[0].input).toEqual(expectedInput);
  });

  it('deletes schedules by name and ignores the ones that already fired', async () => {
    schedulerMock.on(DeleteScheduleCommand, { Name: 'gone' }).rejects(
      new ResourceNotFoundException({
        message: 'no such schedule',
        Message: 'no such schedule',
        $metadata: {},
      }),
    );
    schedulerMock.on(DeleteScheduleCommand, { Name: 'att-x' }).resolves({});
    await new EventBridgeJobScheduler(new SchedulerClient({}), config).cancel(['gone', 'att-x']);
    expect(schedulerMock.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'gone', GroupName: 'cadence-test' },
      { Name: 'att-x', GroupName: 'cadence-test' },
    ]);
  });

  it('refuses a job whose target has no configured ARN', async () => {
    await expect(
      new EventBridgeJobScheduler(new SchedulerClient({}), config).scheduleOnce({
        ...job,
        target: 'check-attendance',
      }),
    ).rejects.toThrow(/no Lambda ARN configured for job target check-attendance/);
    expect(schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });
});

describe('EventBridge Scheduler adapter: recurring jobs', () => {
  beforeEach(() => schedulerMock.reset());
  const recurringConfig = {
    ...config,
    targets: { 'generate-week': 'arn:aws:lambda:us-east-1:123456789012:function:generate-week' },
  };
  const weekly = {
    name: 'week-sunrise',
    target: 'generate-week' as const,
    cron: '5 0 ? * SAT *',
    timezone: 'America/New_York',
    payload: { programId: 'sunrise' },
  };
  const expectedWeekly = {
    Name: 'week-sunrise',
    GroupName: 'cadence-test',
    ScheduleExpression: 'cron(5 0 ? * SAT *)',
    ScheduleExpressionTimezone: 'America/New_York',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: {
      Arn: 'arn:aws:lambda:us-east-1:123456789012:function:generate-week',
      RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
      Input: JSON.stringify({ programId: 'sunrise', scheduledTime: '<aws.scheduler.scheduled-time>' }),
      RetryPolicy: { MaximumEventAgeInSeconds: 21600, MaximumRetryAttempts: 20 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:scheduler-dlq' },
    },
  };

  it('creates a cron schedule in the job time zone, kept after each firing, retried for 6 hours, with a DLQ', async () => {
    schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    await new EventBridgeJobScheduler(new SchedulerClient({}), recurringConfig).scheduleRecurring(weekly);
    const [input] = schedulerMock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    expect(input).toEqual(expectedWeekly);
    expect(input).not.toHaveProperty('ActionAfterCompletion');
  });

  it('replaces one of the same name with the full definition (UpdateSchedule resets what it leaves out)', async () => {
    schedulerMock
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    schedulerMock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
    await new EventBridgeJobScheduler(new SchedulerClient({}), recurringConfig).scheduleRecurring(weekly);
    expect(schedulerMock.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input)).toEqual([
      expectedWeekly,
    ]);
  });
});
