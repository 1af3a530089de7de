import { describe, expect, it } from 'vitest';
import { inboundSmsSchema, sessionToConfirm, smsKeyword } from '../../../functions/domain/inbound-sms.ts';
import type { Session } from '../../../functions/domain/session.schema.ts';

describe('reading a reply', () => {
  it.each([
    ['stop', ['STOP', 'stop', ' Stop ', 'STOPALL', 'unsubscribe', 'CANCEL', 'end', 'Quit']],
    ['start', ['START', 'start', 'UNSTOP', ' unstop']],
    ['help', ['HELP', 'help', 'INFO', 'Info ']],
    ['confirm', ['C', 'c', 'CONFIRM', 'y', 'YES', 'Yes', 'SI', 'si', 'SÍ', 'Sí', ' sí ']],
    ['other', ['', 'C.', 'yes please', 'stop it', 'running late', "can't make it", 'no', 'ayuda', '👍']],
  ] as const)('reads %s from %j', (keyword, texts) => {
    for (const text of texts) expect(smsKeyword(text), text).toBe(keyword);
  });

  it('takes the fields AWS publishes and nothing from outside them', () => {
    const parsed = inboundSmsSchema.parse({
      originationNumber: '+14255550182',
      destinationNumber: '+12125550101',
      messageKeyword: 'JOIN',
      messageBody: 'EXAMPLE',
      inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
      previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      somethingNew: 1,
    });
    expect(parsed).not.toHaveProperty('somethingNew');
  });
});

describe('the session a confirm confirms', () => {
  const session = (sessionId: string, start: string, status: 'scheduled' | 'cancelled' = 'scheduled') =>
    ({ sessionId, start, status }) as Session;
  const now = '2027-01-04T12:00:00Z';
  const sessions = [
    session('past', '2027-01-04T11:00:00Z'),
    session('cancelled', '2027-01-04T13:00:00Z', 'cancelled'),
    session('next', '2027-01-05T23:00:00Z'),
    session('later', '2027-01-06T13:00:00Z'),
  ];

  it('is the next one that has not started, within 48 hours', () => {
    expect(sessionToConfirm(sessions, now)?.sessionId).toBe('next');
  });

  it('is none when the next starts after 48 hours', () => {
    expect(sessionToConfirm([session('far', '2027-01-06T12:01:00Z')], now)).toBeUndefined();
    expect(sessionToConfirm([session('edge', '2027-01-06T12:00:00Z')], now)?.sessionId).toBe('edge');
  });

  it('is the answered reminder’s session while it keeps that start', () => {
    expect(
      sessionToConfirm(sessions, now, { sessionId: 'later', start: '2027-01-06T13:00:00Z' })?.sessionId,
    ).toBe('later');
    // moved since: the reminder's start is gone, so the next session is meant
    expect(
      sessionToConfirm(sessions, now, { sessionId: 'later', start: '2027-01-06T09:00:00Z' })?.sessionId,
    ).toBe('next');
  });
});
