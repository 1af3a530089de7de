import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { JOB_NAME_PATTERN } from '../../functions/domain/job.schema.ts';
import { makeApiHandler } from '../../functions/handlers/api.handler.ts';
import { silentLog } from '../../local/adapters/local-deps.ts';
import { ARN, awsOnLocal } from '../support/aws-on-local.ts';

/**
 * EventBridge Scheduler as the program routes see it: a name is unique (CreateSchedule on an
 * existing name is a ConflictException), UpdateSchedule and DeleteSchedule need the schedule to exist.
 */
const schedulerMock = mockClient(SchedulerClient);
const existing = new Set<string>();
const notFound = () =>
  new ResourceNotFoundException({ message: 'no such schedule', Message: 'no such schedule', $metadata: {} });

function fakeScheduler() {
  schedulerMock.on(CreateScheduleCommand).callsFake((input: CreateScheduleCommandInput) => {
    if (existing.has(input.Name!))
      throw new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
    existing.add(input.Name!);
    return { ScheduleArn: `arn:schedule/${input.Name}` };
  });
  schedulerMock.on(UpdateScheduleCommand).callsFake((input: { Name: string }) => {
    if (!existing.has(input.Name)) throw notFound();
    return { ScheduleArn: `arn:schedule/${input.Name}` };
  });
  schedulerMock.on(DeleteScheduleCommand).callsFake((input: { Name: string }) => {
    if (!existing.delete(input.Name)) throw notFound();
    return {};
  });
}

/** Every Scheduler call since the last reset, as [command, input]. */
const schedulerCalls = () =>
  schedulerMock.calls().map((c) => {
    const command = c.args[0] as { constructor: { name: string }; input: unknown };
    return [command.constructor.name.replace(/Command$/, ''), command.input];
  });

/** A recurring schedule as the api function creates it: cron in the program's zone, ids only, retried, a DLQ. */
const recurring = (name: string, cron: string, target: string, programId = 'harbor') => ({
  Name: name,
  GroupName: 'cadence-test',
  ScheduleExpression: `cron(${cron})`,
  ScheduleExpressionTimezone: 'America/Los_Angeles',
  FlexibleTimeWindow: { Mode: 'OFF' },
  Target: {
    Arn: ARN(target),
    RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
    Input: JSON.stringify({ programId, scheduledTime: '<aws.scheduler.scheduled-time>' }),
    RetryPolicy: { MaximumEventAgeInSeconds: 6 * 3600, MaximumRetryAttempts: 20 },
    DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:scheduler-dlq' },
  },
});
const inGroup = (Name: string) => ({ Name, GroupName: 'cadence-test' });
const DAILY = 'MON,TUE,WED,THU,FRI,SAT,SUN';

const harbor = {
  id: 'harbor',
  name: 'Harbor',
  timezone: 'America/Los_Angeles',
  tracks: [{ id: 'evening', groups: [{ days: ['MON'], start: '18:00', minutes: 180, topic: 'skills' }] }],
  reminders: { offsetsMinutes: [1440, 120] },
  drugScreens: { days: ['MON', 'THU'], drawAt: '06:00' },
};

function event(method: string, path: string, body?: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      http: { method, path },
      authorizer: { jwt: { claims: { sub: 'admin-1', 'cognito:groups': '[admin]' } } },
    },
  } as unknown as APIGatewayProxyEventV2;
}

describe('program routes: the recurring schedules follow the program (EventBridge Scheduler)', () => {
  let call: (e: APIGatewayProxyEventV2) => Promise<{ status: number; body: Record<string, unknown> }>;

  beforeAll(async () => {
    fakeScheduler();
    const { deps } = await awsOnLocal('2027-01-04T15:00:00Z', { log: silentLog });
    const handler = makeApiHandler(() => deps);
    call = async (e) => {
      const r = (await handler(e, {} as Context)) as APIGatewayProxyStructuredResultV2;
      return { status: r.statusCode!, body: JSON.parse(r.body ?? '{}') };
    };
  });
  beforeEach(() => schedulerMock.resetHistory());

  it('creates the weekly generation, the daily sweep and the draws as cron schedules in the program time zone', async () => {
    expect((await call(event('POST', '/programs', harbor))).status).toBe(201);
    expect(schedulerCalls()).toEqual([
      ['CreateSchedule', recurring('week-harbor', '5 0 ? * SAT *', 'generate-week')],
      ['CreateSchedule', recurring('sweep-harbor', `30 5 ? * ${DAILY} *`, 'sweep-engagement')],
      ['CreateSchedule', recurring('draw-harbor', '0 6 ? * MON,THU *', 'draw-screens')],
    ]);
    for (const [, input] of schedulerCalls()) expect(input).not.toHaveProperty('ActionAfterCompletion');
  });

  it('moves the weekly generation to an earlier day when the offsets grow, and deletes the draws when screens stop', async () => {
    const { drugScreens: _, ...withoutScreens } = harbor;
    const changed = { ...withoutScreens, reminders: { offsetsMinutes: [4320, 120] } };
    const r = await call(event('PUT', '/programs/harbor', changed));
    expect(r.status).toBe(200);
    // 3 days (4320 minutes) + the hour's margin before Monday 00:00: Thursday 00:05
    const week = recurring('week-harbor', '5 0 ? * THU *', 'generate-week');
    const sweep = recurring('sweep-harbor', `30 5 ? * ${DAILY} *`, 'sweep-engagement');
    expect(schedulerCalls()).toEqual([
      ['CreateSchedule', week],
      ['UpdateSchedule', week],
      ['CreateSchedule', sweep],
      ['UpdateSchedule', sweep],
      ['DeleteSchedule', inGroup('draw-harbor')],
    ]);
    expect([...existing].sort()).toEqual(['sweep-harbor', 'week-harbor']);
  });

  it('creates the draw schedule again when screens come back, on their new days and time', async () => {
    const changed = {
      ...harbor,
      reminders: { offsetsMinutes: [4320, 120] },
      drugScreens: { days: ['TUE', 'FRI'], drawAt: '07:15' },
    };
    expect((await call(event('PUT', '/programs/harbor', changed))).status).toBe(200);
    const week = recurring('week-harbor', '5 0 ? * THU *', 'generate-week');
    const sweep = recurring('sweep-harbor', `30 5 ? * ${DAILY} *`, 'sweep-engagement');
    expect(schedulerCalls()).toEqual([
      ['CreateSchedule', week],
      ['UpdateSchedule', week],
      ['CreateSchedule', sweep],
      ['UpdateSchedule', sweep],
      ['CreateSchedule', recurring('draw-harbor', '15 7 ? * TUE,FRI *', 'draw-screens')],
    ]);
  });

  it('re-creates every schedule on a PUT of the same program after an upgrade deleted them (docs/deploy.md)', async () => {
    const { body: stored } = await call(event('GET', '/programs/harbor'));
    existing.clear(); // CloudFormation deleted the schedules the stage config used to declare
    expect((await call(event('PUT', '/programs/harbor', stored))).status).toBe(200);
    expect(schedulerCalls()).toEqual([
      ['CreateSchedule', recurring('week-harbor', '5 0 ? * THU *', 'generate-week')],
      ['CreateSchedule', recurring('sweep-harbor', `30 5 ? * ${DAILY} *`, 'sweep-engagement')],
      ['CreateSchedule', recurring('draw-harbor', '15 7 ? * TUE,FRI *', 'draw-screens')],
    ]);
  });

  it('deletes every schedule of a deleted program, then the program', async () => {
    expect((await call(event('DELETE', '/programs/harbor'))).status).toBe(200);
    expect(schedulerCalls()).toEqual([
      ['DeleteSchedule', inGroup('week-harbor')],
      ['DeleteSchedule', inGroup('sweep-harbor')],
      ['DeleteSchedule', inGroup('draw-harbor')],
    ]);
    expect(existing.size).toBe(0);
    expect((await call(event('GET', '/programs/harbor'))).status).toBe(404);
    // a retried delete finds nothing left to do
    expect((await call(event('DELETE', '/programs/harbor'))).status).toBe(404);
  });

  it('names every schedule within the scheduler limit (64 of [0-9a-zA-Z-_.]) for the longest program id', async () => {
    const id = 'a'.repeat(40);
    expect((await call(event('POST', '/programs', { ...harbor, id }))).status).toBe(201);
    const names = schedulerCalls().map(([, input]) => (input as { Name: string }).Name);
    expect(names).toEqual([`week-${id}`, `sweep-${id}`, `draw-${id}`]);
    for (const name of names) expect(name).toMatch(JOB_NAME_PATTERN);
  });
});
