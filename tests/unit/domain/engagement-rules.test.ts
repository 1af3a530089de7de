import { describe, expect, it } from 'vitest';
import {
  decideFlagChanges,
  escalationDue,
  escalationTime,
  evaluateEngagement,
  type RuleEvaluation,
  type ScreenOutcome,
} from '../../../functions/domain/engagement.ts';
import { disengagementPolicySchema } from '../../../functions/domain/program.schema.ts';
import type { AttendanceStatus, Session } from '../../../functions/domain/session.schema.ts';

const policy = disengagementPolicySchema.parse({});
const zone = 'America/New_York';

/** A session on day `day` of March 2027 at 14:00 UTC with the given attendance. */
function session(
  day: number,
  attendance?: AttendanceStatus,
  status: Session['status'] = 'scheduled',
): Session {
  const date = `2027-03-${String(day).padStart(2, '0')}`;
  return {
    sessionId: `s-${day}`,
    programId: 'p',
    clientId: 'c-001',
    kind: 'group',
    start: `${date}T14:00:00Z`,
    end: `${date}T17:00:00Z`,
    date,
    week: '2027-W10',
    status,
    version: 1,
    ...(attendance ? { attendance } : {}),
  };
}

function evaluate(
  sessions: Session[],
  now = '2027-03-20T00:00:00Z',
  screens: ScreenOutcome[] = [],
  clientStart = '2027-03-01',
) {
  const byRule = Object.fromEntries(
    evaluateEngagement({ policy, now, clientStart, zone, sessions, screens }).map((e) => [e.rule, e]),
  );
  return byRule as Record<RuleEvaluation['rule'], RuleEvaluation>;
}

describe('rule: consecutive misses', () => {
  it('flags exactly N misses in a row', () => {
    const r = evaluate([session(15, 'present'), session(16, 'absent'), session(17, 'absent')]);
    expect(r['consecutive-misses'].holds).toBe(true);
    expect(r['consecutive-misses'].evidence).toMatchObject({ count: 2, dates: ['2027-03-16', '2027-03-17'] });
    expect(r['consecutive-misses'].explanation).toMatch(/^Missed the last 2 sessions in a row/);
  });

  it('does not flag N - 1 misses', () => {
    expect(evaluate([session(15, 'present'), session(17, 'absent')])['consecutive-misses'].holds).toBe(false);
  });

  it('is broken by an attended session between misses', () => {
    const r = evaluate([session(14, 'absent'), session(15, 'present'), session(16, 'absent')]);
    expect(r['consecutive-misses'].holds).toBe(false);
  });

  it('neither breaks nor extends a run with cancelled or excused sessions', () => {
    const run = [
      session(14, 'absent'),
      session(15, 'present', 'cancelled'),
      session(16, 'excused'),
      session(17, 'absent'),
    ];
    const r = evaluate(run);
    expect(r['consecutive-misses'].holds).toBe(true);
    expect(r['consecutive-misses'].evidence).toMatchObject({ count: 2, sessionIds: ['s-14', 's-17'] });
    expect(evaluate([session(16, 'excused'), session(17, 'absent')])['consecutive-misses'].holds).toBe(false);
  });

  it('ignores sessions in the future and sessions not yet checked', () => {
    const r = evaluate([session(16, 'absent'), session(17), session(25, 'absent')], '2027-03-20T00:00:00Z');
    expect(r['consecutive-misses'].holds).toBe(false);
  });
});

describe('rule: low attendance', () => {
  it('does not flag a rate exactly at the threshold', () => {
    const sessions = [
      session(10, 'present'),
      session(11, 'present'),
      session(12, 'present'),
      session(13, 'absent'),
    ];
    expect(evaluate(sessions)['low-attendance'].holds).toBe(false); // 3/4 = 75 %
  });

  it('flags a rate just under the threshold', () => {
    const sessions = [
      session(9, 'present'),
      session(10, 'present'),
      session(11, 'absent'),
      session(12, 'present'),
      session(13, 'absent'),
    ];
    const r = evaluate(sessions); // 3/5 = 60 %
    expect(r['low-attendance'].holds).toBe(true);
    expect(r['low-attendance'].evidence).toMatchObject({ rate: 0.6, attended: 3, due: 5, windowDays: 14 });
  });

  it('never flags fewer than four counted sessions (a client newer than the window)', () => {
    expect(
      evaluate([session(17, 'absent'), session(18, 'present'), session(19, 'absent')])['low-attendance']
        .holds,
    ).toBe(false);
  });

  it('counts only the last windowDays days', () => {
    const old = [session(1, 'absent'), session(2, 'absent'), session(3, 'absent')];
    const recent = [
      session(16, 'present'),
      session(17, 'present'),
      session(18, 'present'),
      session(19, 'present'),
    ];
    expect(evaluate([...old, ...recent])['low-attendance'].holds).toBe(false);
  });
});

describe('rule: attendance gap', () => {
  it('does not flag a gap of exactly maxGapDays', () => {
    const r = evaluate([session(10, 'present'), session(12, 'absent')], '2027-03-17T14:00:00Z');
    expect(r['attendance-gap'].holds).toBe(false);
  });

  it('flags a longer gap with sessions missed in it', () => {
    const r = evaluate([session(10, 'present'), session(12, 'absent')], '2027-03-17T15:00:00Z');
    expect(r['attendance-gap'].holds).toBe(true);
    expect(r['attendance-gap'].evidence).toMatchObject({ lastAttended: '2027-03-10' });
  });

  it('does not flag a gap with nothing due in it (a closure, a break)', () => {
    expect(evaluate([session(1, 'present')], '2027-03-20T00:00:00Z')['attendance-gap'].holds).toBe(false);
  });

  it('measures from enrolment when nothing was attended', () => {
    const r = evaluate([session(5, 'absent')], '2027-03-10T00:00:00Z', [], '2027-03-01');
    expect(r['attendance-gap'].holds).toBe(true);
  });
});

describe('rule: screen missed', () => {
  it('flags a no-show or a refusal, and a later completed screen clears it', () => {
    const missed: ScreenOutcome = {
      date: '2027-03-10',
      result: 'no-show',
      recordedAt: '2027-03-10T22:00:00Z',
    };
    expect(evaluate([], undefined, [missed])['screen-missed'].holds).toBe(true);
    expect(evaluate([], undefined, [{ ...missed, result: 'refused' }])['screen-missed'].holds).toBe(true);
    const later: ScreenOutcome = {
      date: '2027-03-12',
      result: 'negative',
      recordedAt: '2027-03-12T15:00:00Z',
    };
    expect(evaluate([], undefined, [missed, later])['screen-missed'].holds).toBe(false);
  });
});

describe('flag lifecycle', () => {
  const holding = (rule: RuleEvaluation['rule'], holds: boolean): RuleEvaluation => ({
    rule,
    holds,
    evidence: {},
    evidenceIds: [],
    explanation: '',
  });

  it('never raises a second open flag for the same rule', () => {
    const open = [{ flagId: 'f-1', rule: 'consecutive-misses' as const, raisedAt: '2027-03-17T14:20:00Z' }];
    const changes = decideFlagChanges(open, [
      holding('consecutive-misses', true),
      holding('low-attendance', true),
    ]);
    expect(changes.raise.map((r) => r.rule)).toEqual(['low-attendance']);
    expect(changes.resolve).toEqual([]);
  });

  it('resolves an open flag when its rule stops holding', () => {
    const open = [{ flagId: 'f-1', rule: 'consecutive-misses' as const, raisedAt: '2027-03-17T14:20:00Z' }];
    expect(decideFlagChanges(open, [holding('consecutive-misses', false)]).resolve).toEqual(open);
  });

  it('escalates escalateAfterHours after raising, unless acknowledged', () => {
    const flag = { flagId: 'f-1', rule: 'consecutive-misses' as const, raisedAt: '2027-03-17T14:20:00Z' };
    expect(escalationTime(flag, policy)).toBe('2027-03-18T14:20:00Z');
    expect(escalationDue(flag, policy, '2027-03-18T14:19:59Z')).toBe(false);
    expect(escalationDue(flag, policy, '2027-03-18T14:20:00Z')).toBe(true);
    expect(
      escalationDue({ ...flag, acknowledgedAt: '2027-03-17T15:00:00Z' }, policy, '2027-03-19T00:00:00Z'),
    ).toBe(false);
  });

  it('explains every rule in one sentence without contact details', () => {
    const all = evaluateEngagement({
      policy,
      now: '2027-03-20T00:00:00Z',
      clientStart: '2027-03-01',
      zone,
      sessions: [session(16, 'absent'), session(17, 'absent')],
      screens: [{ date: '2027-03-10', result: 'no-show', recordedAt: '2027-03-10T22:00:00Z' }],
    });
    for (const e of all) {
      expect(e.explanation).toMatch(/^[A-Z].*\.$/);
      expect(e.explanation.split('. ').length).toBe(1);
      expect(e.explanation).not.toMatch(/\+\d{7,}/);
    }
  });
});
