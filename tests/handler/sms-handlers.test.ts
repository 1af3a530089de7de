import {
  ConflictException,
  CreateScheduleCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ClientInput } from '../../functions/domain/client.schema.ts';
import type { Session } from '../../functions/domain/session.schema.ts';
import { addMinutes } from '../../functions/domain/zoned-time.ts';
import { lambdaJobHandler } from '../../functions/handlers/lambda-job.ts';
import { checkAttendanceJob } from '../../functions/jobs/check-attendance.job.ts';
import { generateWeekJob } from '../../functions/jobs/generate-week.job.ts';
import { sendReminderJob } from '../../functions/jobs/send-reminder.job.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';
import { ARN, awsOnLocal } from '../support/aws-on-local.ts';
import { aClient, aClinician, aProgram } from '../support/fixtures.ts';

const snsMock = mockClient(SNSClient);
const schedulerMock = mockClient(SchedulerClient);
const context = {} as Context;

async function seed(deps: Deps, client: Partial<ClientInput> = {}) {
  await deps.programs.putProgram(aProgram());
  await deps.programs.putClinician('sunrise', aClinician());
  await deps.clients.createClient('sunrise', aClient(client));
  const session: Session = {
    sessionId: 'g-test-session-0001',
    programId: 'sunrise',
    clientId: 'c-001',
    kind: 'group',
    start: '2027-01-04T23:00:00Z', // Mon 6:00 PM in New York
    end: '2027-01-05T02:00:00Z',
    date: '2027-01-04',
    week: '2027-W01',
    status: 'scheduled',
    version: 1,
  };
  await deps.sessions.putSessions([session]);
  return session;
}

const reminder = {
  programId: 'sunrise',
  sessionId: 'g-test-session-0001',
  purpose: 'reminder',
  offsetMinutes: 120,
  version: 1,
};

beforeEach(() => {
  snsMock.reset();
  schedulerMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns-message-1' });
  snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
  schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
});

describe('generate-week handler', () => {
  it('creates one at() schedule per reminder offset and one attendance check per session; a rerun writes nothing and replaces them', async () => {
    const { deps } = await awsOnLocal('2027-01-02T05:05:00Z');
    await deps.programs.putProgram(aProgram());
    await deps.programs.putClinician('sunrise', aClinician());
    await deps.clients.createClient('sunrise', aClient());
    const handler = lambdaJobHandler(generateWeekJob, () => deps);
    const result = (await handler(
      { programId: 'sunrise', scheduledTime: '2027-01-02T05:05:00Z' },
      context,
    )) as {
      week: string;
      created: number;
    };
    expect(result.week).toBe('2027-W01');
    const sessions = await deps.sessions.listSessionsByWeek('sunrise', '2027-W01');
    const inputs = schedulerMock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(sessions.length * 3);
    const first = sessions[0]!;
    expect(inputs).toContainEqual(
      expect.objectContaining({
        Name: `rem-${first.sessionId}-1440`,
        ScheduleExpression: `at(${addMinutes(first.start, -1440).slice(0, 19)})`,
        ActionAfterCompletion: 'DELETE',
        Target: expect.objectContaining({ Arn: ARN('send-reminder') }),
      }),
    );
    expect(inputs).toContainEqual(
      expect.objectContaining({
        Name: `att-${first.sessionId}`,
        ScheduleExpression: `at(${addMinutes(first.start, 20).slice(0, 19)})`,
        Target: expect.objectContaining({ Arn: ARN('check-attendance') }),
      }),
    );
    for (const input of inputs) expect(input.Target!.Input).not.toContain('+1202');

    // a retried run writes no session and re-issues the same schedules (same names: replaced, not added)
    const names = inputs.map((i) => i.Name).sort();
    schedulerMock.resetHistory();
    schedulerMock
      .on(CreateScheduleCommand)
      .rejects(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    const again = (await handler(
      { programId: 'sunrise', scheduledTime: '2027-01-02T05:05:00Z' },
      context,
    )) as { created: number };
    expect(again.created).toBe(0);
    expect(await deps.sessions.listSessionsByWeek('sunrise', '2027-W01')).toHaveLength(sessions.length);
    expect(
      schedulerMock
        .commandCalls(UpdateScheduleCommand)
        .map((c) => c.args[0].input.Name)
        .sort(),
    ).toEqual(names);
  });
});

describe('send-reminder handler', () => {
  it('publishes a Transactional SMS with the configured origination identity and price cap', async () => {
    const { deps } = await awsOnLocal('2027-01-04T21:00:00Z');
    await seed(deps);
    await lambdaJobHandler(sendReminderJob, () => deps)(reminder, context);
    const calls = snsMock.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      PhoneNumber: '+12025550101',
      Message:
        'Sunrise: reminder of your appointment Mon 6:00 PM. Reply C to confirm. Reply STOP to opt out.',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.MM.SMS.OriginationNumber': { DataType: 'String', StringValue: '+18005550100' },
        'AWS.SNS.SMS.MaxPrice': { DataType: 'Number', StringValue: '0.05' },
      },
    });
  });

  it('publishes exactly once for 50 concurrent invocations of the same reminder', async () => {
    const { deps } = await awsOnLocal('2027-01-04T21:00:00Z');
    await seed(deps);
    const handler = lambdaJobHandler(sendReminderJob, () => deps);
    await Promise.all(Array.from({ length: 50 }, () => handler(reminder, context)));
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it.each([
    ['without consent', { smsConsent: false }],
    ['opted out in the record', { smsOptedOut: true }],
    ['discharged', { status: 'discharged' as const }],
  ])('publishes nothing to a client %s', async (_label, client) => {
    const { deps } = await awsOnLocal('2027-01-04T21:00:00Z');
    await seed(deps, client);
    await lambdaJobHandler(sendReminderJob, () => deps)(reminder, context);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('publishes nothing to a number opted out at the carrier', async () => {
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: true });
    const { deps } = await awsOnLocal('2027-01-04T21:00:00Z');
    await seed(deps);
    await lambdaJobHandler(sendReminderJob, () => deps)(reminder, context);
    expect(snsMock.commandCalls(CheckIfPhoneNumberIsOptedOutCommand)[0]!.args[0].input).toEqual({
      phoneNumber: '+12025550101',
    });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('does nothing for a stale job: one made for another start, or a moved session', async () => {
    const { deps } = await awsOnLocal('2027-01-04T21:00:00Z');
    const session = await seed(deps);
    const handler = lambdaJobHandler(sendReminderJob, () => deps);
    await handler({ ...reminder, start: '2027-01-03T23:00:00Z' }, context);
    await deps.sessions.replaceSession({ ...session, start: '2027-01-05T23:00:00Z', version: 2 }, 1);
    await handler(reminder, context);
    await handler({ ...reminder, start: '2027-01-04T23:00:00Z' }, context);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('leaves a failed publish claimed but unconfirmed, surfaces it, and never sends it again', async () => {
    snsMock.on(PublishCommand).rejects(new Error('SNS throttled'));
    const { deps, clock } = await awsOnLocal('2027-01-04T21:00:00Z');
    await seed(deps);
    const handler = lambdaJobHandler(sendReminderJob, () => deps);
    await expect(handler(reminder, context)).rejects.toThrow('SNS throttled');
    snsMock.on(PublishCommand).resolves({ MessageId: 'sns-message-2' });
    await handler(reminder, context);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1); // the failed attempt only
    clock.set('2027-01-04T21:30:00Z');
    const stuck = await deps.ledger.listUnconfirmed('sunrise', '2027-01-04T21:20:00Z');
    expect(stuck).toEqual([
      {
        key: {
          programId: 'sunrise',
          subjectId: 'g-test-session-0001@2027-01-04T23:00:00Z',
          purpose: 'reminder',
          offsetMinutes: 120,
        },
        claimedAt: '2027-01-04T21:00:00Z',
      },
    ]);
  });
});

describe('send-reminder handler: refusals and late deliveries', () => {
  it('gives the claim back when SNS refuses (throttling), so the retry sends it once', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottledException',
      $metadata: { httpStatusCode: 429 },
    });
    snsMock.on(PublishCommand).rejectsOnce(throttled).resolves({ MessageId: 'sns-message-3' });
    const { deps } = await awsOnLocal('2027-01-04T21:00:00Z');
    await seed(deps);
    const handler = lambdaJobHandler(sendReminderJob, () => deps);
    await expect(handler(reminder, context)).rejects.toThrow('Rate exceeded');
    await handler(reminder, context);
    await handler(reminder, context);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2); // the refused one and the one that went out
    expect(await deps.ledger.listUnconfirmed('sunrise', '2027-01-05T00:00:00Z')).toEqual([]);
  });

  it('still sends a reminder delivered late by retries, but never once the session started', async () => {
    const { deps, clock } = await awsOnLocal('2027-01-04T21:40:00Z');
    await seed(deps);
    const handler = lambdaJobHandler(sendReminderJob, () => deps);
    await handler({ ...reminder, scheduledTime: '2027-01-04T21:00:00Z' }, context);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    clock.set('2027-01-04T23:05:00Z');
    await handler({ ...reminder, offsetMinutes: 1440, scheduledTime: '2027-01-03T23:00:00Z' }, context);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });
});

describe('check-attendance handler', () => {
  it('marks a no-show missed, alerts the care team without PHI, and texts the client a neutral note', async () => {
    const { deps } = await awsOnLocal('2027-01-04T23:20:00Z');
    await seed(deps);
    const handler = lambdaJobHandler(checkAttendanceJob, () => deps);
    await handler({ programId: 'sunrise', sessionId: 'g-test-session-0001', version: 1 }, context);
    await handler({ programId: 'sunrise', sessionId: 'g-test-session-0001', version: 1 }, context);
    expect((await deps.sessions.getSession('sunrise', 'g-test-session-0001'))!.attendance).toBe('absent');
    const publishes = snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
    const alert = publishes.find((p) => p.TopicArn)!;
    expect(publishes.filter((p) => p.TopicArn)).toHaveLength(1);
    expect(alert).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:care-team',
      Subject: 'Cadence attendance (warning): client c-001',
      MessageAttributes: {
        program: { DataType: 'String', StringValue: 'sunrise' },
        severity: { DataType: 'String', StringValue: 'warning' },
        category: { DataType: 'String', StringValue: 'attendance' },
      },
    });
    expect(alert.Message).toContain('https://cadence.example.org/programs/sunrise/clients/c-001');
    expect(alert.Message).not.toContain('+12025550101');
    const note = publishes.filter((p) => p.PhoneNumber);
    expect(note).toHaveLength(1);
    expect(note[0]!.Message).toBe(
      'Sunrise: we missed you at your appointment Mon 6:00 PM. Please call us to reschedule. Reply STOP to opt out.',
    );
  });

  it('sends nothing when the client checked in', async () => {
    const { deps } = await awsOnLocal('2027-01-04T23:20:00Z');
    const session = await seed(deps);
    await deps.sessions.replaceSession({ ...session, attendance: 'present' }, 1);
    await lambdaJobHandler(checkAttendanceJob, () => deps)(
      { programId: 'sunrise', sessionId: session.sessionId },
      context,
    );
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('rejects a payload without a session id, naming the field, and changes nothing', async () => {
    const { deps } = await awsOnLocal('2027-01-04T23:20:00Z');
    await seed(deps);
    await expect(
      lambdaJobHandler(checkAttendanceJob, () => deps)({ programId: 'sunrise' }, context),
    ).rejects.toThrow(/sessionId/);
    expect((await deps.sessions.getSession('sunrise', 'g-test-session-0001'))!.attendance).toBeUndefined();
  });
});
