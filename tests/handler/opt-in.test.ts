import { SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  OptInPhoneNumberCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { optIn, optOut } from '../../functions/use-cases/client-lifecycle.ts';
import { ConflictError } from '../../functions/use-cases/deps.ts';
import { awsOnLocal } from '../support/aws-on-local.ts';
import { aClient, aClinician, aProgram } from '../support/fixtures.ts';

const snsMock = mockClient(SNSClient);
mockClient(SchedulerClient);

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns-1' });
});

async function optedOutClient() {
  const { deps } = await awsOnLocal('2027-01-06T15:00:00Z');
  await deps.programs.putProgram(aProgram());
  await deps.programs.putClinician('sunrise', aClinician());
  await deps.clients.createClient('sunrise', aClient());
  await optOut(deps, 'sunrise', 'c-001');
  return deps;
}

describe('opting back in after STOP', () => {
  it('lifts the carrier block with OptInPhoneNumber, then records the opt-in and confirms once', async () => {
    const deps = await optedOutClient();
    // the carrier blocks the number until OptInPhoneNumber lifts it
    let blocked = true;
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).callsFake(async () => ({ isOptedOut: blocked }));
    snsMock.on(OptInPhoneNumberCommand).callsFake(async () => {
      blocked = false;
      return {};
    });
    const client = await optIn(deps, 'sunrise', 'c-001');
    expect(snsMock.commandCalls(OptInPhoneNumberCommand).map((c) => c.args[0].input)).toEqual([
      { phoneNumber: '+12025550101' },
    ]);
    expect(client.smsOptedOut).toBe(false);
    const sms = snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(sms).toHaveLength(1);
    expect(sms[0]!.PhoneNumber).toBe('+12025550101');
  });

  it('answers a conflict naming the 30-day limit and writes nothing when the carrier refuses', async () => {
    const deps = await optedOutClient();
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: true });
    snsMock.on(OptInPhoneNumberCommand).rejects(
      Object.assign(new Error('Invalid parameter'), {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const error = await optIn(deps, 'sunrise', 'c-001').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toMatch(/^phone: .*30 days/);
    expect((await deps.clients.getClient('sunrise', 'c-001'))!.smsOptedOut).toBe(true);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('does not call OptInPhoneNumber for a number the carrier does not block', async () => {
    const deps = await optedOutClient();
    snsMock.on(CheckIfPhoneNumberIsOptedOutCommand).resolves({ isOptedOut: false });
    await optIn(deps, 'sunrise', 'c-001');
    expect(snsMock.commandCalls(OptInPhoneNumberCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });
});
