import type { Clinician } from './clinician.schema.ts';
import type { Session } from './session.schema.ts';
import { addMinutes, dayOfWeek, localDateOf, localTimeOf } from './zoned-time.ts';

/** Attendance may be recorded from this long before a session's start (early arrivals check in). */
export const ATTENDANCE_OPENS_MINUTES_BEFORE = 30;

/** Why attendance cannot be recorded yet, or undefined when it can. */
export function attendanceTooEarly(session: Session, now: string): string | undefined {
  const opens = addMinutes(session.start, -ATTENDANCE_OPENS_MINUTES_BEFORE);
  if (now >= opens) return undefined;
  return `session ${session.sessionId} starts at ${session.start}: attendance can be recorded from ${opens}, ${ATTENDANCE_OPENS_MINUTES_BEFORE} minutes before its start`;
}

/**
 * Why `session` cannot move to [start, end), or undefined when it can: another live session of
 * the client (or, for a session with a clinician, of the clinician) overlaps it, or the new time
 * lies outside the clinician's availability (local time of the program's zone).
 */
export function rescheduleConflict(input: {
  session: Session;
  start: string;
  end: string;
  /** Sessions around the new time: the client's and the clinician's. */
  others: readonly Session[];
  clinician?: Clinician;
  zone: string;
}): string | undefined {
  const { session, start, end, zone } = input;
  const clinicianId = session.kind === 'group' ? undefined : session.clinicianId;
  const overlapping = input.others.find(
    (s) =>
      s.sessionId !== session.sessionId &&
      s.status !== 'cancelled' &&
      s.start < end &&
      start < s.end &&
      (s.clientId === session.clientId || (clinicianId !== undefined && s.clinicianId === clinicianId)),
  );
  if (overlapping) {
    const whose = overlapping.clientId === session.clientId ? 'the client' : `clinician ${clinicianId}`;
    return `overlaps session ${overlapping.sessionId} of ${whose} (${overlapping.kind}, ${overlapping.start} to ${overlapping.end})`;
  }
  const clinician = input.clinician;
  if (clinicianId && clinician && clinician.availability.length > 0) {
    const date = localDateOf(start, zone);
    const from = localTimeOf(start, zone);
    const to = localDateOf(end, zone) === date ? localTimeOf(end, zone) : '24:00';
    const day = dayOfWeek(date);
    const fits = clinician.availability.some((w) => w.days.includes(day) && w.start <= from && to <= w.end);
    if (!fits)
      return `${day} ${from}-${to} is outside clinician ${clinician.id}'s availability (${clinician.availability
        .map((w) => `${w.days.join('/')} ${w.start}-${w.end}`)
        .join(', ')})`;
  }
  return undefined;
}
