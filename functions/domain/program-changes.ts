import type { Client } from './client.schema.ts';
import type { Program } from './program.schema.ts';
import { planWeek } from './schedule.ts';
import type { Session } from './session.schema.ts';

/** What a program change does to one week's stored group sessions. */
export interface GroupReplan {
  /** Sessions the changed program no longer has (a group, a day or a track removed, a closure added). */
  cancel: Session[];
  /** Sessions at another time, length or topic: as stored, and as they are to be (version bumped). */
  move: { before: Session; after: Session }[];
}

/** The group sessions a program puts in a week for these clients, starting after `now`, by id. */
function groupTemplates(program: Program, clients: Client[], week: string, now: string) {
  const plan = planWeek({ program, clinicians: [], clients, week, existing: [], notBefore: now });
  return new Map(plan.created.filter((s) => s.kind === 'group').map((s) => [s.sessionId, s]));
}

/**
 * How changing a program from `before` to `after` re-plans one week's group sessions that have not
 * started. Only a session still where `before` put it follows the change: one that staff moved, or
 * one of a track its client has left, stays as it is; so does one that started or has attendance
 * recorded, and one staff cancelled stays cancelled. Group session ids are (client, date, track,
 * group index), so a group at a new time keeps its id and moves. Sessions the change adds are
 * created by weekly generation (generateWeek with `notBefore`), not here. Pure: a retry before
 * `after` is stored finds the sessions already moved no longer where `before` put them, and leaves
 * them; the ones already cancelled are listed again, so their cancellation is finished.
 */
export function replanGroupSessions(input: {
  before: Program;
  after: Program;
  clients: Client[];
  week: string;
  stored: Session[];
  now: string;
}): GroupReplan {
  const { before, after, clients, week, stored, now } = input;
  const was = groupTemplates(before, clients, week, now);
  const willBe = groupTemplates(after, clients, week, now);
  const replan: GroupReplan = { cancel: [], move: [] };
  for (const session of stored) {
    if (session.kind !== 'group' || session.start <= now || session.attendance || session.missedAt) continue;
    const old = was.get(session.sessionId);
    if (!old || old.start !== session.start || old.end !== session.end) continue;
    const next = willBe.get(session.sessionId);
    if (!next) {
      replan.cancel.push(session);
      continue;
    }
    if (session.status === 'cancelled') continue;
    if (next.start !== session.start || next.end !== session.end || next.topic !== session.topic) {
      replan.move.push({
        before: session,
        after: {
          ...session,
          start: next.start,
          end: next.end,
          date: next.date,
          week: next.week,
          topic: next.topic,
          version: session.version + 1,
        },
      });
    }
  }
  return replan;
}
