import { describe, expect, it } from 'vitest';
import type { Program } from '../../../functions/domain/program.schema.ts';
import { replanGroupSessions } from '../../../functions/domain/program-changes.ts';
import { planWeek } from '../../../functions/domain/schedule.ts';
import type { Session } from '../../../functions/domain/session.schema.ts';
import { localToUtc } from '../../../functions/domain/zoned-time.ts';
import { aClient, aProgram } from '../../support/fixtures.ts';

const NOW = '2027-01-04T15:00:00Z'; // Monday 10:00 in New York
const WEEK = '2027-W01';
const at = (date: string, time: string) => localToUtc(date, time, 'America/New_York');
const clients = [aClient({ id: 'c-001', track: 'evening' })];

/** The program with the evening track's one group changed. */
const withEvening = (group: Partial<Program['tracks'][number]['groups'][number]>) => {
  const base = aProgram({ individual: { perWeek: 0, minutes: 60 } });
  const evening = base.tracks.find((t) => t.id === 'evening')!;
  return {
    ...base,
    tracks: [base.tracks[0]!, { ...evening, groups: [{ ...evening.groups[0]!, ...group }] }],
  };
};
const before = withEvening({});
const stored = planWeek({ program: before, clinicians: [], clients, week: WEEK }).sessions;
const on = (date: string) => stored.find((s) => s.date === date)!;
const replan = (after: Program, sessions: Session[] = stored) =>
  replanGroupSessions({ before, after, clients, week: WEEK, stored: sessions, now: NOW });

describe('re-planning a week after a program change', () => {
  it("moves the coming group sessions to the new time, keeping their ids, and leaves alone what is not the program's", () => {
    const tuesday = on('2027-01-05');
    const movedByStaff = {
      ...tuesday,
      start: at('2027-01-05', '12:00'),
      end: at('2027-01-05', '15:00'),
      version: 2,
    };
    const thursday = on('2027-01-07');
    const checkedIn = { ...thursday, attendance: 'present' as const, version: 2 };
    const { move, cancel } = replan(withEvening({ start: '17:00' }), [
      on('2027-01-04'),
      movedByStaff,
      checkedIn,
    ]);
    expect(cancel).toEqual([]);
    expect(move).toEqual([
      {
        before: on('2027-01-04'),
        after: {
          ...on('2027-01-04'),
          start: at('2027-01-04', '17:00'),
          end: at('2027-01-04', '20:00'),
          version: 2,
        },
      },
    ]);
  });

  it('cancels the sessions of a dropped day, and lists one already cancelled again (its cancellation is finished)', () => {
    const after = withEvening({ days: ['MON', 'THU'] });
    const tuesday = on('2027-01-05');
    expect(replan(after).cancel).toEqual([tuesday]);
    expect(replan(after, [{ ...tuesday, status: 'cancelled', version: 2 }]).cancel).toEqual([
      { ...tuesday, status: 'cancelled', version: 2 },
    ]);
  });

  it('keeps a session staff cancelled cancelled when the program still has it, and changes a topic in place', () => {
    const tuesday = { ...on('2027-01-05'), status: 'cancelled' as const, version: 2 };
    const { move, cancel } = replan(withEvening({ topic: 'relapse prevention' }), [
      tuesday,
      on('2027-01-07'),
    ]);
    expect(cancel).toEqual([]);
    expect(move.map((m) => [m.after.sessionId, m.after.start, m.after.topic])).toEqual([
      [on('2027-01-07').sessionId, on('2027-01-07').start, 'relapse prevention'],
    ]);
  });

  it('finds nothing to do on a retry: a session already moved is no longer where the old program put it', () => {
    const after = withEvening({ start: '17:00' });
    const moved = replan(after).move.map((m) => m.after);
    expect(moved.length).toBeGreaterThan(0);
    expect(replan(after, moved)).toEqual({ cancel: [], move: [] });
    // and once the new program is stored, it is the one to compare with
    expect(
      replanGroupSessions({ before: after, after, clients, week: WEEK, stored: moved, now: NOW }),
    ).toEqual({
      cancel: [],
      move: [],
    });
  });

  it('never touches a session that has started', () => {
    const monday = on('2027-01-04');
    const later = { ...monday, start: NOW };
    expect(
      replanGroupSessions({
        before,
        after: withEvening({ days: ['TUE'] }),
        clients,
        week: WEEK,
        stored: [later],
        now: NOW,
      }),
    ).toEqual({ cancel: [], move: [] });
  });
});
