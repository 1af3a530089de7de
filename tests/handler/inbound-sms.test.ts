import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  OptInPhoneNumberCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { reminderMessageKey } from '../../functions/domain/reminders.ts';
import { addMinutes } from '../../functions/domain/zoned-time.ts';
import {
  inboundSmsHandler,
  METRIC_MALFORMED,
  METRIC_UNKNOWN_NUMBER,
} from '../../functions/handlers/inbound-sms.handler.ts';
import { enrolNewClient } from '../../functions/use-cases/clients.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';
import { moveSession } from '../../functions/use-cases/session-changes.ts';
import { awsOnLocal } from '../support/aws-on-local.ts';
import { aClient, aClinician, aProgram } from '../support/fixtures.ts';

const snsMock = mockClient(SNSClient);
const schedulerMock = mockClient(SchedulerClient);

const PHONE = '+14255550182';
/** The example message of the AWS End User Messaging SMS documentation ("Two-way SMS messaging"), to our client's number. */
const AWS_EXAMPLE = {
  originationNumber: PHONE,
  destinationNumber: '+12125550101',
  messageKeyword: 'JOIN',
  messageBody: 'EXAMPLE',
  inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
  previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** An SNS notification to a Lambda subscriber, as AWS delivers it, around one inbound SMS. */
function snsEvent(message: unknown) {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:cadence-test-inbound-sms:2bcfbf39',
        Sns: {
          Type: 'Notification',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:cadence-test-inbound-sms',
          Subject: null,
          Message: typeof message === 'string' ? message : JSON.stringify(message),
          Timestamp: '2027-01-04T12:00:00.000Z',
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
          UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

const sms = (messageBody: string, inboundMessageId: string, extra: Record<string, unknown> = {}) =>
  snsEvent({
    ...AWS_EXAMPLE,
    messageBody,
    messageKeyword: messageBody.toUpperCase(),
    inboundMessageId,
    ...extra,
  });

const context = {
  functionName: 'cadence-test-inbound-sms',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:cadence-test-inbound-sms',
} as never;

interface Setup {
  deps: Deps;
  invoke: (event: unknown) => Promise<unknown>;
  logged: string[];
  metrics: string[];
}

/** A client of Sunrise (contact number set) with this week's sessions, Monday 7:00 in New York. */
async function setup(client: Parameters<typeof aClient>[0] = {}): Promise<Setup> {
  const { deps } = await awsOnLocal('2027-01-04T12:00:00Z');
  await deps.programs.putProgram(aProgram({ contactPhone: '+12025550199' }));
  await deps.programs.putClinician('sunrise', aClinician());
  await enrolNewClient(deps, 'sunrise', aClient({ phone: PHONE, ...client }));
  const logger = new Logger({ serviceName: 'cadence-test' });
  const logged: string[] = [];
  for (const level of ['info', 'warn', 'error'] as const)
    vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
      logged.push(JSON.stringify(args));
    });
  const metrics = new Metrics({ namespace: 'CadenceTest', serviceName: 'cadence-test' });
  const counted: string[] = [];
  vi.spyOn(metrics, 'addMetric').mockImplementation((name: string) => {
    counted.push(name);
    return metrics;
  });
  vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
  const handler = inboundSmsHandler(() => ({ ...deps, log: logger }), { logger, metrics });
  return { deps, invoke: (event) => handler(event, context), logged, metrics: counted };
}

const published = () => snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $metadata: { httpStatusCode: 400 },
  });

beforeEach(() => {
  snsMock.reset();
  schedulerMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns-out-1' });
  snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
});

describe('inbound SMS handler', () => {
  it('reads the exact message of the AWS documentation: kept with its text, one care-team alert without it', async () => {
    const { deps, invoke, logged } = await setup();
    await invoke(snsEvent(AWS_EXAMPLE));
    const alerts = published().filter((p) => p.TopicArn);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.Message).not.toContain('EXAMPLE');
    expect(alerts[0]!.Subject).toBe('Cadence client-reply (info): client c-001');
    expect(published().filter((p) => p.PhoneNumber)).toHaveLength(0);
    const { items } = await deps.replies.listRepliesByClient('sunrise', 'c-001', { limit: 10 });
    expect(items).toEqual([
      expect.objectContaining({
        inboundMessageId: AWS_EXAMPLE.inboundMessageId,
        keyword: 'other',
        text: 'EXAMPLE',
        previousPublishedMessageId: AWS_EXAMPLE.previousPublishedMessageId,
        receivedAt: '2027-01-04T12:00:00Z',
      }),
    ]);
    expect(logged.join('\n')).not.toContain('EXAMPLE');
    expect(logged.join('\n')).not.toContain(PHONE);
  });

  it.each(['STOP', 'stopall', ' Unsubscribe ', 'CANCEL', 'end', 'Quit'])(
    'opts the client out at once on %j, with when and how, and sends nothing',
    async (text) => {
      const { deps, invoke } = await setup();
      await invoke(sms(text, 'in-stop'));
      const client = await deps.clients.getClient('sunrise', 'c-001');
      expect(client).toMatchObject({
        smsOptedOut: true,
        optedOut: { at: '2027-01-04T12:00:00Z', method: 'sms' },
      });
      expect(published()).toHaveLength(0);
    },
  );

  it.each(['START', 'unstop'])(
    'opts back in on %j: OptInPhoneNumber lifts the carrier block, one confirmation',
    async (text) => {
      const { deps, invoke } = await setup();
      (deps.clock as unknown as { set(at: string): void }).set('2027-01-04T15:00:00Z'); // 10:00 in New York
      await invoke(sms('STOP', 'in-1'));
      let blocked = true;
      snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).callsFake(async () => ({ isOptedOut: blocked }));
      snsMock.on(OptInPhoneNumberCommand).callsFake(async () => {
        blocked = false;
        return {};
      });
      await invoke(sms(text, 'in-2'));
      expect(snsMock.commandCalls(OptInPhoneNumberCommand).map((c) => c.args[0].input)).toEqual([
        { phoneNumber: PHONE },
      ]);
      const client = await deps.clients.getClient('sunrise', 'c-001');
      expect(client).toMatchObject({ smsOptedOut: false, consent: { method: 'sms-keyword' } });
      expect(client!.optedOut).toBeUndefined();
      expect(published().map((p) => p.PhoneNumber)).toEqual([PHONE]);
      expect(published()[0]!.Message).toMatch(/^Sunrise: you will receive appointment messages again\./);
    },
  );

  it('confirms a START texted inside quiet hours when they end, through a one-time schedule', async () => {
    const { deps, invoke } = await setup(); // 07:00 in New York: quiet until 08:00
    await invoke(sms('STOP', 'in-1'));
    await invoke(sms('START', 'in-2'));
    expect((await deps.clients.getClient('sunrise', 'c-001'))!.smsOptedOut).toBe(false);
    expect(published()).toHaveLength(0);
    const created = schedulerMock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    const optInJob = created.find((c) => c.Name?.startsWith('opt-c-001-'));
    expect(optInJob?.ScheduleExpression).toBe('at(2027-01-04T13:00:00)');
    expect(JSON.parse(optInJob!.Target!.Input!)).toMatchObject({ purpose: 'opt-in', clientId: 'c-001' });
  });

  it('answers START clearly and writes nothing when SNS refuses OptInPhoneNumber (once in 30 days)', async () => {
    const { deps, invoke, logged } = await setup();
    await invoke(sms('STOP', 'in-1'));
    const before = await deps.clients.getClient('sunrise', 'c-001');
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: true });
    snsMock.on(OptInPhoneNumberCommand).rejects(
      Object.assign(new Error('Invalid parameter: PhoneNumber'), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const result = (await invoke(sms('START', 'in-2'))) as { outcomes: { effect: string }[] };
    expect(result.outcomes[0]!.effect).toMatch(/^not opted in: .*30 days/);
    expect(await deps.clients.getClient('sunrise', 'c-001')).toEqual(before);
    expect(published()).toHaveLength(0);
    expect(logged.join('\n')).toMatch(/START not honoured/);
  });

  it('does not opt in on START a client whose consent was never recorded', async () => {
    const { deps, invoke } = await setup({ smsConsent: false });
    await invoke(sms('START', 'in-1'));
    expect((await deps.clients.getClient('sunrise', 'c-001'))!.smsConsent).toBe(false);
    expect(published()).toHaveLength(0);
  });

  it.each([
    [
      'HELP',
      'en',
      'Sunrise: appointment messages. For help, call (202) 555-0199. Msg&data rates may apply. Reply STOP to opt out.',
    ],
    [
      'info',
      'es',
      'Sunrise: avisos de citas. Para ayuda, llame al (202) 555-0199. Pueden aplicarse tarifas de mensajes y datos. Responda STOP para darse de baja.',
    ],
  ] as const)(
    'answers %j once, in the client’s language (%s), naming the program and its number',
    async (text, language, body) => {
      const { invoke } = await setup({ language });
      await invoke(sms(text, 'in-help'));
      expect(published()).toEqual([expect.objectContaining({ PhoneNumber: PHONE, Message: body })]);
    },
  );

  it('answers HELP inside quiet hours, at once', async () => {
    const { deps, invoke } = await setup();
    (deps.clock as unknown as { set(at: string): void }).set('2027-01-05T04:30:00Z'); // 23:30 in New York
    await invoke(sms('HELP', 'in-night'));
    expect(published()).toHaveLength(1);
  });

  it('does not answer HELP from a client who opted out', async () => {
    const { invoke } = await setup();
    await invoke(sms('STOP', 'in-1'));
    await invoke(sms('HELP', 'in-2'));
    expect(published()).toHaveLength(0);
  });

  it.each(['C', 'confirm', 'y', 'YES', 'si', 'Sí', 'SÍ'])(
    'confirms the next session within 48 hours on %j',
    async (text) => {
      const { deps, invoke } = await setup();
      await invoke(sms(text, 'in-c', { previousPublishedMessageId: null }));
      const next = (
        await deps.sessions.listSessionsByClient('sunrise', 'c-001', { from: '2027-01-04T12:00:00Z' })
      )[0]!;
      const { items } = await deps.replies.listRepliesByClient('sunrise', 'c-001', { limit: 10 });
      expect(items[0]).toMatchObject({ keyword: 'confirm', confirmedSessionId: next.sessionId });
      expect(published()).toHaveLength(0);
    },
  );

  it('shows the confirmation on the session (staff see it on Today), once; a reschedule clears it', async () => {
    const { deps, invoke } = await setup();
    await Promise.all([invoke(sms('C', 'in-c1')), invoke(sms('C', 'in-c1'))]);
    const [next] = await deps.sessions.listSessionsByClient('sunrise', 'c-001', {
      from: '2027-01-04T12:00:00Z',
    });
    expect(next!.confirmedAt).toBe(deps.clock.now());
    await invoke(sms('yes', 'in-c2'));
    const again = (await deps.sessions.getSession('sunrise', next!.sessionId))!;
    expect(again.confirmedAt).toBe(next!.confirmedAt);
    expect(again.version).toBe(next!.version);
    const moved = await moveSession(deps, {
      programId: 'sunrise',
      sessionId: next!.sessionId,
      start: addMinutes(next!.start, 48 * 60),
    });
    expect(moved.confirmedAt).toBeUndefined();
  });

  it('confirms the session of the reminder answered (previousPublishedMessageId), not the nearest one', async () => {
    const { deps, invoke } = await setup();
    const sessions = await deps.sessions.listSessionsByClient('sunrise', 'c-001', {
      from: '2027-01-04T12:00:00Z',
    });
    const later = sessions[2]!;
    const key = reminderMessageKey(later, 1440);
    await deps.ledger.claim(key, '2027-01-04T11:00:00Z');
    await deps.ledger.confirm(key, 'sns-reminder-77', '2027-01-04T11:00:01Z');
    await invoke(sms('C', 'in-c', { previousPublishedMessageId: 'sns-reminder-77' }));
    const { items } = await deps.replies.listRepliesByClient('sunrise', 'c-001', { limit: 10 });
    expect(items[0]!.confirmedSessionId).toBe(later.sessionId);
  });

  it('confirms nothing when no session starts within 48 hours', async () => {
    const { deps, invoke } = await setup();
    (deps.clock as unknown as { set(at: string): void }).set('2027-01-08T12:00:00Z'); // Friday; next is Monday evening
    await invoke(sms('C', 'in-c'));
    const { items } = await deps.replies.listRepliesByClient('sunrise', 'c-001', { limit: 10 });
    expect(items[0]!.confirmedSessionId).toBeUndefined();
  });

  it('ignores and counts a number that is no client: never answered, nothing kept', async () => {
    const { deps, invoke, metrics, logged } = await setup();
    await invoke(sms('HELP', 'in-x', { originationNumber: '+12065550123' }));
    expect(published()).toHaveLength(0);
    expect(metrics).toEqual([METRIC_UNKNOWN_NUMBER]);
    expect(await deps.replies.getReply('in-x')).toBeUndefined();
    expect(logged.join('\n')).not.toContain('+12065550123');
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['no inboundMessageId', { ...AWS_EXAMPLE, inboundMessageId: undefined, messageBody: 'secret words' }],
    [
      'a number that is not E.164',
      { ...AWS_EXAMPLE, originationNumber: '4255550182', messageBody: 'secret words' },
    ],
  ])(
    'drops a malformed message (%s): logged with ids and field paths only, counted, not retried',
    async (_what, message) => {
      const { invoke, metrics, logged } = await setup();
      await expect(invoke(snsEvent(message))).resolves.toBeDefined();
      expect(metrics).toEqual([METRIC_MALFORMED]);
      expect(published()).toHaveLength(0);
      const log = logged.join('\n');
      expect(log).toContain('95df01b4-ee98-5cb9-9903-4c221d41eb5e');
      expect(log).not.toContain('secret words');
      expect(log).not.toContain('4255550182');
    },
  );

  it('drops an event that is not an SNS notification without throwing', async () => {
    const { invoke, metrics } = await setup();
    await expect(invoke({ hello: 'world' })).resolves.toEqual({ dropped: 1 });
    expect(metrics).toEqual([METRIC_MALFORMED]);
  });

  it('does one thing for a duplicate delivery of one inboundMessageId', async () => {
    const { deps, invoke } = await setup();
    await invoke(sms('HELP', 'in-dup'));
    await invoke(sms('HELP', 'in-dup'));
    await invoke(sms('running late', 'in-dup-2'));
    await invoke(sms('running late', 'in-dup-2'));
    expect(published().filter((p) => p.PhoneNumber)).toHaveLength(1);
    expect(published().filter((p) => p.TopicArn)).toHaveLength(1);
    expect((await deps.replies.listRepliesByClient('sunrise', 'c-001', { limit: 10 })).items).toHaveLength(2);
  });

  it('does not let a late duplicate of START undo a STOP sent after it', async () => {
    const { deps, invoke } = await setup();
    (deps.clock as unknown as { set(at: string): void }).set('2027-01-04T15:00:00Z');
    await invoke(sms('STOP', 'in-a'));
    await invoke(sms('START', 'in-b'));
    await invoke(sms('STOP', 'in-c'));
    await invoke(sms('START', 'in-b')); // redelivered
    expect((await deps.clients.getClient('sunrise', 'c-001'))!.smsOptedOut).toBe(true);
    expect(published().filter((p) => p.PhoneNumber)).toHaveLength(1); // the one confirmation
  });

  it('does one thing when one inboundMessageId is delivered twice at once (the race)', async () => {
    const { deps, invoke } = await setup();
    await Promise.all([invoke(sms('HELP', 'in-race')), invoke(sms('HELP', 'in-race'))]);
    await Promise.all([invoke(sms('C', 'in-race-c')), invoke(sms('C', 'in-race-c'))]);
    await Promise.all([invoke(sms('late, sorry', 'in-race-o')), invoke(sms('late, sorry', 'in-race-o'))]);
    expect(published().filter((p) => p.PhoneNumber)).toHaveLength(1);
    expect(published().filter((p) => p.TopicArn)).toHaveLength(1);
    const { items } = await deps.replies.listRepliesByClient('sunrise', 'c-001', { limit: 10 });
    expect(items).toHaveLength(3);
    expect(items.filter((r) => r.confirmedSessionId)).toHaveLength(1);
  });

  it('sends the HELP answer once when SNS refuses it and the event is retried', async () => {
    const { invoke } = await setup();
    snsMock.on(PublishCommand).rejectsOnce(throttled()).resolves({ MessageId: 'sns-out-2' });
    await expect(invoke(sms('HELP', 'in-retry'))).rejects.toThrow(/Rate exceeded/);
    await invoke(sms('HELP', 'in-retry'));
    await invoke(sms('HELP', 'in-retry'));
    const answers = published().filter((p) => p.PhoneNumber);
    expect(answers).toHaveLength(2); // the refused attempt, then the one that went out
    expect(snsMock.commandCalls(PublishCommand).filter((c) => c.args[0].input.PhoneNumber).length).toBe(2);
  });

  it('alerts the care team once when the alert is refused and the event is retried', async () => {
    const { invoke } = await setup();
    snsMock.on(PublishCommand).rejectsOnce(throttled()).resolves({ MessageId: 'sns-out-3' });
    await expect(invoke(sms('can’t make it', 'in-alert'))).rejects.toThrow();
    await invoke(sms('can’t make it', 'in-alert'));
    await invoke(sms('can’t make it', 'in-alert'));
    expect(published().filter((p) => p.TopicArn)).toHaveLength(2); // refused, then delivered once
  });
});
