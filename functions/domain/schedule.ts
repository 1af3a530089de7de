import { asamMinimumHours, type Client } from './client.schema.ts';
import type { Clinician } from './clinician.schema.ts';
import type { WeeklyWindow } from './common.schema.ts';
import { deterministicId } from './ids.ts';
import { individualPolicyFor, type Program } from './program.schema.ts';
import type { Session, SessionKind, Shortfall } from './session.schema.ts';
import {
  addMinutes,
  datesOfIsoWeek,
  dayOfWeek,
  formatMinutesOfDay,
  isoWeekOfDate,
  localToUtc,
  minutesBetween,
  minutesOfDay,
} from './zoned-time.ts';

export interface WeekPlanInput {
  program: Program;
  clinicians: Clinician[];
  clients: Client[];
  /** ISO week, e.g. 2027-W01, in the program's time zone. */
  week: string;
  /** Sessions already stored for this week: kept as they are, and occupying their slots. */
  existing?: Session[];
  /** Sessions starting before this instant are not generated (a client enrolled mid-week). */
  notBefore?: string;
}

export interface UnplacedSession {
  clientId: string;
  kind: SessionKind;
  reason: string;
}

export interface WeekPlan {
  /** Every session of the week: the existing ones and the new ones. */
  sessions: Session[];
  /** Only the sessions that did not exist before. */
  created: Session[];
  shortfalls: Shortfall[];
  unplaced: UnplacedSession[];
}

/** Slot search granularity for individual and family sessions. */
const SLOT_STEP_MINUTES = 15;

interface Interval {
  start: string;
  end: string;
}

const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;

/** Clients scheduled in a week: active and started by the week's last day. */
export function isScheduledInWeek(client: Client, weekDates: string[]): boolean {
  return client.status === 'active' && client.start <= weekDates[6]!;
}

export function planWeek(input: WeekPlanInput): WeekPlan {
  const { program, week } = input;
  const zone = program.timezone;
  const weekDates = datesOfIsoWeek(week);
  const closures = new Set(program.closures);
  const cliniciansById = new Map(input.clinicians.map((c) => [c.id, c]));
  const existingById = new Map((input.existing ?? []).map((s) => [s.sessionId, s]));
  const sessions: Session[] = [...existingById.values()];
  const created: Session[] = [];
  const unplaced: UnplacedSession[] = [];
  const clients = input.clients
    .filter((c) => isScheduledInWeek(c, weekDates))
    .sort((a, b) => (a.id < b.id ? -1 : 1));

  const busyByClient = new Map<string, Interval[]>();
  const busyByClinician = new Map<string, Interval[]>();
  const sessionsByClient = new Map<string, Session[]>();
  const occupy = (s: Session) => {
    sessionsByClient.set(s.clientId, [...(sessionsByClient.get(s.clientId) ?? []), s]);
    if (s.status === 'cancelled') return;
    const interval = { start: s.start, end: s.end };
    busyByClient.set(s.clientId, [...(busyByClient.get(s.clientId) ?? []), interval]);
    if (s.clinicianId)
      busyByClinician.set(s.clinicianId, [...(busyByClinician.get(s.clinicianId) ?? []), interval]);
  };
  sessions.forEach(occupy);

  const schedulableDate = (client: Client, date: string) => date >= client.start && !closures.has(date);
  const add = (session: Session) => {
    if (existingById.has(session.sessionId)) return;
    if (input.notBefore && session.start <= input.notBefore) return;
    existingById.set(session.sessionId, session);
    sessions.push(session);
    created.push(session);
    occupy(session);
  };
  const makeSession = (
    client: Client,
    kind: SessionKind,
    idParts: string[],
    date: string,
    start: string,
    minutes: number,
    extra: Partial<Session> = {},
  ): Session => ({
    sessionId: deterministicId(kind[0]!, program.id, client.id, kind, ...idParts),
    programId: program.id,
    clientId: client.id,
    kind,
    start,
    end: addMinutes(start, minutes),
    date,
    week: isoWeekOfDate(date),
    status: 'scheduled',
    version: 1,
    ...extra,
  });

  // 1. Group sessions: fixed by the track's templates, at the same local wall-clock time all year.
  for (const client of clients) {
    const track = program.tracks.find((t) => t.id === client.track);
    if (!track) {
      unplaced.push({ clientId: client.id, kind: 'group', reason: `track ${client.track} does not exist` });
      continue;
    }
    for (const date of weekDates) {
      if (!schedulableDate(client, date)) continue;
      const weekday = dayOfWeek(date);
      track.groups.forEach((template, index) => {
        if (!template.days.includes(weekday)) return;
        const start = localToUtc(date, template.start, zone);
        add(
          makeSession(client, 'group', [date, track.id, String(index)], date, start, template.minutes, {
            topic: template.topic,
          }),
        );
      });
    }
  }

  // 2. Individual, then family sessions: placed in the clinician's availability, first fit.
  const placeWithClinician = (client: Client, kind: SessionKind, n: number, minutes: number) => {
    const sessionId = deterministicId(kind[0]!, program.id, client.id, kind, week, String(n));
    if (existingById.has(sessionId)) return;
    const clinician = client.clinicianId ? cliniciansById.get(client.clinicianId) : undefined;
    if (!clinician) {
      unplaced.push({
        clientId: client.id,
        kind,
        reason: client.clinicianId
          ? `clinician ${client.clinicianId} does not exist`
          : 'client has no clinician',
      });
      return;
    }
    const slot = findSlot({
      client,
      clinician,
      kind,
      minutes,
      zone,
      dates: weekDates.filter((d) => schedulableDate(client, d)),
      clientBusy: busyByClient.get(client.id) ?? [],
      clinicianBusy: busyByClinician.get(clinician.id) ?? [],
      sameKindDates: (sessionsByClient.get(client.id) ?? [])
        .filter((s) => s.kind === kind)
        .map((s) => s.date),
      notBefore: input.notBefore,
    });
    if (!slot) {
      unplaced.push({
        clientId: client.id,
        kind,
        reason: `no ${minutes}-minute slot in ${clinician.id}'s availability free of the client's sessions and busy hours`,
      });
      return;
    }
    add({
      ...makeSession(client, kind, [], slot.date, slot.start, minutes, { clinicianId: clinician.id }),
      sessionId,
    });
  };

  for (const client of clients) {
    const policy = individualPolicyFor(program, client.phase);
    for (let n = 0; n < (policy?.perWeek ?? 0); n++)
      placeWithClinician(client, 'individual', n, policy!.minutes);
  }
  if (program.family) {
    const { everyWeeks, minutes } = program.family;
    for (const client of clients) {
      if (!client.familyContact) continue;
      const weeksSinceStart = Math.round(
        minutesBetween(
          `${datesOfIsoWeek(isoWeekOfDate(client.start))[0]}T00:00:00Z`,
          `${weekDates[0]}T00:00:00Z`,
        ) /
          (7 * 24 * 60),
      );
      if (weeksSinceStart % everyWeeks === 0) placeWithClinician(client, 'family', 0, minutes);
    }
  }

  // 3. ASAM minimum: a short week is reported, never silent.
  const shortfalls: Shortfall[] = [];
  for (const client of clients) {
    const minutes = (sessionsByClient.get(client.id) ?? [])
      .filter((s) => s.status !== 'cancelled')
      .reduce((sum, s) => sum + minutesBetween(s.start, s.end), 0);
    const hours = Math.round((minutes / 60) * 100) / 100;
    const phase = client.phase ? program.phases.find((p) => p.id === client.phase) : undefined;
    const minimum = phase?.minimumWeeklyHours ?? asamMinimumHours(client);
    if (hours < minimum)
      shortfalls.push({ programId: program.id, clientId: client.id, week, hours, minimum });
  }

  sessions.sort((a, b) =>
    a.start === b.start ? (a.sessionId < b.sessionId ? -1 : 1) : a.start < b.start ? -1 : 1,
  );
  return { sessions, created, shortfalls, unplaced };
}

interface SlotQuery {
  client: Client;
  clinician: Clinician;
  kind: SessionKind;
  minutes: number;
  zone: string;
  dates: string[];
  clientBusy: Interval[];
  clinicianBusy: Interval[];
  sameKindDates: string[];
  notBefore: string | undefined;
}

function insideWindow(windows: WeeklyWindow[], date: string, fromMinute: number, toMinute: number): boolean {
  const weekday = dayOfWeek(date);
  return windows.some(
    (w) => w.days.includes(weekday) && fromMinute < minutesOfDay(w.end) && minutesOfDay(w.start) < toMinute,
  );
}

/** The earliest free slot, preferring days without another session of the same kind. */
export function findSlot(q: SlotQuery): { date: string; start: string } | undefined {
  // Days without a session of this kind first, each in time order: the first free slot is the
  // best one, so the search stops there instead of converting every candidate to UTC.
  const preferred = q.dates.filter((d) => !q.sameKindDates.includes(d));
  const others = q.dates.filter((d) => q.sameKindDates.includes(d));
  for (const date of [...preferred, ...others]) {
    const weekday = dayOfWeek(date);
    const minutes = new Set<number>();
    for (const window of q.clinician.availability) {
      if (!window.days.includes(weekday)) continue;
      const last = minutesOfDay(window.end) - q.minutes;
      for (let m = minutesOfDay(window.start); m <= last; m += SLOT_STEP_MINUTES) minutes.add(m);
    }
    for (const m of [...minutes].sort((a, b) => a - b)) {
      if (insideWindow(q.client.busy, date, m, m + q.minutes)) continue;
      const start = localToUtc(date, formatMinutesOfDay(m), q.zone);
      if (q.notBefore && start <= q.notBefore) continue;
      const slot = { start, end: addMinutes(start, q.minutes) };
      if (q.clientBusy.some((b) => overlaps(b, slot)) || q.clinicianBusy.some((b) => overlaps(b, slot)))
        continue;
      return { date, start };
    }
  }
  return undefined;
}
