import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { identityFor, identityKey } from '../../functions/domain/pacing.ts';
import { addSeconds } from '../../functions/domain/zoned-time.ts';
import { drainSmsHandler } from '../../functions/handlers/drain-sms.handler.ts';
import type { Deps } from '../../functions/use-cases/deps.ts';
import { sendClientSms } from '../../functions/use-cases/send-sms.ts';
import type { VirtualClock } from '../../local/adapters/virtual-clock.ts';
import { ARN, awsOnLocal } from '../support/aws-on-local.ts';
import { aClient, aProgram } from '../support/fixtures.ts';

const snsMock = mockClient(SNSClient);
const sqsMock = mockClient(SQSClient);
const schedulerMock = mockClient(SchedulerClient);

/** Tuesday 2027-01-05 15:00 in New York: outside quiet hours. */
const NOW = '2027-01-05T20:00:00Z';
const POOL = ['+18005550100', '+18005550101'];
const WAKE_QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/cadence-test-sms-wake.fifo';

const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });

/** The AWS adapters on DynamoDB Local, paced as deployed: 20 SMS a second per identity of a pool of two. */
async function system(clients = 3) {
  const { deps, clock } = await awsOnLocal(NOW, { paced: true });
  await deps.programs.putProgram(aProgram());
  for (let i = 1; i <= clients; i++)
    await deps.clients.createClient(
      'sunrise',
      aClient({ id: `c-${String(i).padStart(3, '0')}`, phone: `+1202555${String(1000 + i)}` }),
    );
  return { deps, clock };
}

async function queueHelp(deps: Deps, clientId: string) {
  const program = (await deps.programs.getProgram('sunrise'))!;
  const client = (await deps.clients.getClient('sunrise', clientId))!;
  return sendClientSms(deps, {
    program,
    client,
    purpose: 'help',
    key: { programId: 'sunrise', subjectId: `reply-${clientId}`, purpose: 'help' },
    body: 'Sunrise: this number sends appointment reminders. Reply STOP to opt out.',
    context: {},
    answer: true,
  });
}

/** The drainer with a fake sleep that moves the test's clock (so windows pass in virtual time). */
function drainer(deps: Deps, clock: VirtualClock) {
  return drainSmsHandler(
    () => deps,
    {},
    {
      sleep: async (ms) => clock.set(addSeconds(clock.now(), ms / 1000)),
      now: () => Date.parse(clock.now()),
      reserveMs: 20_000,
      maxWaitMs: 60_000,
    },
  );
}
const sqsEvent = (identities: string[]) => ({
  Records: identities.map((identity, i) => ({
    messageId: `m-${i}`,
    body: JSON.stringify({ identity }),
    eventSource: 'aws:sqs',
  })),
});
const context = { getRemainingTimeInMillis: () => 100_000 } as never;

beforeEach(() => {
  snsMock.reset();
  sqsMock.reset();
  schedulerMock.reset();
  snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
  let n = 0;
  snsMock.on(PublishCommand).callsFake(async () => ({ MessageId: `sns-${++n}` }));
  sqsMock.on(SendMessageCommand).resolves({ MessageId: 'sqs-1' });
  schedulerMock.on(CreateScheduleCommand).resolves({});
});

describe('paced sending in AWS', () => {
  it('queues instead of publishing, and wakes the identity drainer through the FIFO queue (its message group)', async () => {
    const { deps } = await system(1);
    expect(await queueHelp(deps, 'c-001')).toEqual({ sent: false, reason: 'queued' });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    const [wake] = sqsMock.commandCalls(SendMessageCommand);
    const identity = identityKey(identityFor('+12025551001', POOL));
    expect(wake!.args[0].input).toMatchObject({
      QueueUrl: WAKE_QUEUE,
      MessageGroupId: identity,
      MessageDeduplicationId: expect.any(String),
      MessageBody: JSON.stringify({ identity }),
    });
    expect(JSON.stringify(wake!.args[0].input)).not.toMatch(/\+1202/); // ids only
  });

  it('a refused wake-up fails the job, whose retry queues the message once and wakes the drainer; it goes out once', async () => {
    const { deps, clock } = await system(1);
    sqsMock.on(SendMessageCommand).rejectsOnce(throttled()).resolves({ MessageId: 'sqs-2' });
    await expect(queueHelp(deps, 'c-001')).rejects.toThrow(/Rate exceeded/);
    // The retry (a Scheduler retry, or Lambda's for the inbound function) does the same again.
    expect(await queueHelp(deps, 'c-001')).toEqual({ sent: false, reason: 'queued' });
    const identity = identityKey(identityFor('+12025551001', POOL));
    expect(await deps.pacing!.queue.ready(identity, NOW, 10)).toHaveLength(1);
    await drainer(deps, clock)(sqsEvent([identity, identity]), context);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('a refused dead-letter hand-off keeps the message until it can be handed off', async () => {
    const { deps, clock } = await system(1);
    await queueHelp(deps, 'c-001');
    const identity = identityKey(identityFor('+12025551001', POOL));
    const [message] = await deps.pacing!.queue.ready(identity, NOW, 10);
    // Its tenth attempt failed long ago; the eleventh is refused too and gives it up.
    await deps.pacing!.queue.remove(message!);
    await deps.pacing!.queue.enqueue({ ...message!, attempts: 10 });
    snsMock.on(PublishCommand).rejects(throttled());
    let handOffs = 0;
    sqsMock.on(SendMessageCommand).callsFake(async (input: { QueueUrl?: string }) => {
      if (String(input.QueueUrl).endsWith('sms-dead-letter') && ++handOffs === 1) throw throttled();
      return { MessageId: `sqs-${handOffs}` };
    });
    const short = { getRemainingTimeInMillis: () => 30_000 } as never;
    // The hand-off is refused: the message stays, leased, and a wake-up is left for its lease's end.
    expect(await drainer(deps, clock)(sqsEvent([identity]), short)).toEqual({ batchItemFailures: [] });
    expect(await deps.pacing!.queue.ready(identity, '2027-01-05T21:00:00Z', 10)).toHaveLength(1);
    expect(schedulerMock.commandCalls(CreateScheduleCommand)[0]!.args[0].input.ScheduleExpression).toBe(
      'at(2027-01-05T20:02:00)',
    );
    // When its lease ends it is taken again and handed off: ids only, never the number or the text.
    clock.set('2027-01-05T20:02:00Z');
    await drainer(deps, clock)(sqsEvent([identity]), short);
    const handOff = sqsMock
      .commandCalls(SendMessageCommand)
      .map((c) => c.args[0].input)
      .filter((i) => String(i.QueueUrl).endsWith('sms-dead-letter'));
    expect(handOff.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(String(handOff.at(-1)!.MessageBody))).toMatchObject({ identity, attempts: 12 });
    expect(String(handOff.at(-1)!.MessageBody)).not.toMatch(/\+1202|Sunrise/);
    expect(await deps.pacing!.queue.ready(identity, '2027-01-05T21:00:00Z', 10)).toEqual([]);
  });

  it('the drainer publishes from the client identity, at most 20 a second, and reports no failure', async () => {
    const { deps, clock } = await system(25);
    // Every client on one identity of the pool for this test: a pool of one.
    deps.pacing = { ...deps.pacing!, identities: [POOL[0]!] };
    for (let i = 1; i <= 25; i++) await queueHelp(deps, `c-${String(i).padStart(3, '0')}`);
    const seconds: string[] = [];
    snsMock.on(PublishCommand).callsFake(async () => {
      seconds.push(clock.now());
      return { MessageId: `sns-${seconds.length}` };
    });
    const result = await drainer(deps, clock)(sqsEvent([identityKey(POOL[0])]), context);
    expect(result).toEqual({ batchItemFailures: [] });
    const publishes = snsMock.commandCalls(PublishCommand);
    expect(publishes).toHaveLength(25);
    for (const p of publishes)
      expect(p.args[0].input.MessageAttributes?.['AWS.MM.SMS.OriginationNumber']?.StringValue).toBe(POOL[0]);
    expect(seconds.filter((s) => s === NOW)).toHaveLength(20);
    expect(seconds.filter((s) => s === '2027-01-05T20:00:01Z')).toHaveLength(5);
  });

  it('backs off a refused publish a minute, sleeping through it, and sends it once', async () => {
    const { deps, clock } = await system(1);
    await queueHelp(deps, 'c-001');
    snsMock.on(PublishCommand).rejectsOnce(throttled()).resolves({ MessageId: 'sns-ok' });
    const identity = identityKey(identityFor('+12025551001', POOL));
    expect(await drainer(deps, clock)(sqsEvent([identity]), context)).toEqual({ batchItemFailures: [] });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(2);
    expect(clock.now()).toBe('2027-01-05T20:01:00Z');
    expect(
      await deps.ledger.find({ programId: 'sunrise', subjectId: 'reply-c-001', purpose: 'help' }),
    ).toMatchObject({
      status: 'sent',
      messageId: 'sns-ok',
    });
  });

  it('runs from a schedule too ({identity}); short of time it wakes a successor, and a wait of hours is a schedule', async () => {
    const { deps, clock } = await system(1);
    const identity = identityKey(identityFor('+12025551001', POOL));
    await queueHelp(deps, 'c-001');
    snsMock.on(PublishCommand).rejects(throttled());
    // Too little time left to sleep through the minute: a successor through the FIFO queue.
    const short = { getRemainingTimeInMillis: () => 30_000 } as never;
    await drainer(deps, clock)({ identity, scheduledTime: NOW }, short);
    expect(sqsMock.commandCalls(SendMessageCommand).at(-1)!.args[0].input).toMatchObject({
      QueueUrl: WAKE_QUEUE,
      MessageGroupId: identity,
    });
    expect(schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);

    // A note queued a second before quiet hours (21:00 in New York) and reached after: it waits
    // for 08:00, through a one-time schedule for the drainer.
    snsMock.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    clock.set('2027-01-06T01:59:59Z');
    const program = (await deps.programs.getProgram('sunrise'))!;
    const client = (await deps.clients.getClient('sunrise', 'c-001'))!;
    await sendClientSms(deps, {
      program,
      client,
      purpose: 'missed-session',
      key: { programId: 'sunrise', subjectId: 'note-test', purpose: 'missed-session' },
      body: 'Sunrise: we missed you at your appointment. Please call us to reschedule. Reply STOP to opt out.',
      context: {},
    });
    clock.set('2027-01-06T02:00:05Z');
    await drainer(deps, clock)({ identity }, context);
    const [schedule] = schedulerMock.commandCalls(CreateScheduleCommand);
    expect(schedule!.args[0].input).toMatchObject({
      ScheduleExpression: 'at(2027-01-06T13:00:00)',
      Target: expect.objectContaining({ Arn: ARN('drain-sms'), Input: expect.stringContaining(identity) }),
    });
  });

  it('refuses an event that is neither a wake-up nor a schedule, naming the field', async () => {
    const { deps, clock } = await system(0);
    await expect(drainer(deps, clock)({ identity: 'not a key!' }, context)).rejects.toThrow(/identity/);
  });

  it('drops a wake-up body that does not parse, and drains the others', async () => {
    const { deps, clock } = await system(1);
    await queueHelp(deps, 'c-001');
    const identity = identityKey(identityFor('+12025551001', POOL));
    const event = sqsEvent([identity]);
    event.Records.unshift({ messageId: 'bad', body: 'not json', eventSource: 'aws:sqs' });
    expect(await drainer(deps, clock)(event, context)).toEqual({ batchItemFailures: [] });
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });
});
