import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LoggedActivity } from '../../functions/adapters/aws/log-activity.adapter.ts';
import type { Session } from '../../functions/domain/session.schema.ts';
import { lambdaJobHandler } from '../../functions/handlers/lambda-job.ts';
import { sendReminderJob } from '../../functions/jobs/send-reminder.job.ts';
import type { Log } from '../../functions/use-cases/deps.ts';
import { recordScreenResult } from '../../functions/use-cases/screens.ts';
import { awsOnLocal } from '../support/aws-on-local.ts';
import { aClient, aClinician, aProgram } from '../support/fixtures.ts';

const snsMock = mockClient(SNSClient);
mockClient(SchedulerClient);

/** A logger that keeps every line as JSON text, as CloudWatch would receive it. */
function capturingLog() {
  const lines: string[] = [];
  const keep =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      lines.push(JSON.stringify({ level, message, ...Object.assign({}, ...extra) }));
  const log: Log = { info: keep('info'), warn: keep('warn'), error: keep('error') };
  return { log, lines };
}

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns-1' });
  snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
});

describe('privacy of screen results and errors (invariant 8)', () => {
  it('a positive screen alerts the care team without naming the result in the subject, attributes or logs', async () => {
    const { log, lines } = capturingLog();
    const { deps } = await awsOnLocal('2027-01-06T15:00:00Z', { log });
    deps.activity = new LoggedActivity(log);
    await deps.programs.putProgram(aProgram());
    await deps.programs.putClinician('sunrise', aClinician());
    await deps.clients.createClient('sunrise', aClient());
    await recordScreenResult(deps, {
      programId: 'sunrise',
      clientId: 'c-001',
      date: '2027-01-06',
      result: 'positive',
    });

    const alert = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(alert.Subject).toBe('Cadence clinical-review (critical): client c-001');
    expect(alert.MessageAttributes).toEqual({
      program: { DataType: 'String', StringValue: 'sunrise' },
      severity: { DataType: 'String', StringValue: 'critical' },
      category: { DataType: 'String', StringValue: 'clinical-review' },
    });
    const visible = `${alert.Subject} ${JSON.stringify(alert.MessageAttributes)} ${lines.join('\n')}`;
    // (the event type `screen.result` says a result was recorded, never which)
    expect(visible).not.toMatch(/positive|screen-/i);
    expect(lines.join('\n')).not.toContain('+12025550101');
    // the activity was logged, as ids and neutral codes
    expect(lines.some((l) => l.includes('activity careteam.alert') && l.includes('clinical-review'))).toBe(
      true,
    );
  });

  it('logs only allowed fields of an activity, whatever a new event carries', () => {
    const { log, lines } = capturingLog();
    new LoggedActivity(log).record({
      type: 'sms.sent',
      clientId: 'c-001',
      to: '+12025550101',
      body: 'Sunrise: see you at 6:00 PM',
      purpose: 'reminder',
      someNewField: 'a name',
    });
    expect(JSON.parse(lines[0]!).activity).toEqual({
      type: 'sms.sent',
      clientId: 'c-001',
      purpose: 'reminder',
    });
  });

  it('redacts a phone number an SNS error echoes, in the log line and in what the job throws, and keeps the stack', async () => {
    const { log, lines } = capturingLog();
    const { deps } = await awsOnLocal('2027-01-04T21:00:00Z', { log });
    await deps.programs.putProgram(aProgram());
    await deps.programs.putClinician('sunrise', aClinician());
    await deps.clients.createClient('sunrise', aClient());
    const session: Session = {
      sessionId: 'g-test-session-0001',
      programId: 'sunrise',
      clientId: 'c-001',
      kind: 'group',
      start: '2027-01-04T23:00:00Z',
      end: '2027-01-05T02:00:00Z',
      date: '2027-01-04',
      week: '2027-W01',
      status: 'scheduled',
      version: 1,
    };
    await deps.sessions.putSessions([session]);
    snsMock.on(PublishCommand).rejects(
      Object.assign(new Error('Invalid parameter: PhoneNumber Reason: +12025550101 is not valid'), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const handler = lambdaJobHandler(sendReminderJob, () => deps);
    const thrown = await handler(
      { programId: 'sunrise', sessionId: session.sessionId, purpose: 'reminder', offsetMinutes: 120 },
      {} as Context,
    ).catch((error: Error) => error);
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe('InvalidParameterException');
    expect((thrown as Error).message).toBe('Invalid parameter: PhoneNumber Reason: [phone] is not valid');
    const failure = lines.map((l) => JSON.parse(l)).find((l) => l.message === 'send-reminder failed');
    expect(failure.error.stack).toContain('InvalidParameterException');
    expect(lines.join('\n')).not.toContain('2025550101');
  });
});
