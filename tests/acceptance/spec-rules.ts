import { asamMinimumHours } from '../../functions/domain/client.schema.ts';
import { endOfQuiet, isQuiet } from '../../functions/domain/quiet-hours.ts';
import { smsRuleViolations } from '../../functions/domain/sms-templates.ts';
import {
  addMinutes,
  dayOfWeek,
  localDateOf,
  localTimeOf,
  localToUtc,
  minutesBetween,
  minutesOfDay,
} from '../../functions/domain/zoned-time.ts';
import type { StampedEvent } from '../../local/adapters/recording-activity-log.ts';
import type { Scenario } from '../../local/simulator/scenario.schema.ts';

/**
 * The rules of the scenario format (docs/scenarios.md, version 2), checked on a run's events. Each
 * returns the violations it found, as sentences; an empty list means the rule holds. They run on
 * every scenario: rules about reschedules and faults hold trivially where there are none.
 */
type Rule = (scenario: Scenario, events: StampedEvent[]) => string[];

const of = (events: StampedEvent[], type: string) => events.filter((e) => e.type === type);
const str = (v: unknown) => String(v);

/** Under injected faults a message, alert or draw may come this late (jobs are retried a minute apart). */
export const FAULT_LATENESS_MINUTES = 15;
const hasFaults = (scenario: Scenario) => scenario.actions.some((a) => a.type === 'fault');
const lateness = (scenario: Scenario) => (hasFaults(scenario) ? FAULT_LATENESS_MINUTES : 0);

/**
 * How late paced sending may make an SMS, in seconds: 0 unless a run set it (a run at a low rate,
 * where messages due in one second go out over several). The spec's default run sends everything
 * due in a second in that second.
 */
let smsPacingSlackSeconds = 0;
export function withSmsPacingSlack<T>(seconds: number, run: () => T): T {
  smsPacingSlackSeconds = seconds;
  try {
    return run();
  } finally {
    smsPacingSlackSeconds = 0;
  }
}

/** `at` is `due`, or (with faults) at most 15 minutes after it. */
const onTime = (scenario: Scenario, at: string, due: string) =>
  at >= due && minutesBetween(due, at) <= lateness(scenario);
/** An SMS: on time, or within the pacing slack of its time. */
const smsOnTime = (scenario: Scenario, at: string, due: string) =>
  onTime(scenario, at, due) ||
  (at >= due && (Date.parse(at) - Date.parse(due)) / 1000 <= smsPacingSlackSeconds);

/** A session between two of its (re)schedulings: the start it had, and which events fall under it. */
interface SessionEpoch {
  sessionId: string;
  clientId: string;
  kind: string;
  clinicianId?: string;
  start: string;
  end: string;
  date: string;
  /** 0 as scheduled, 1 after the first reschedule, ... */
  number: number;
  /** Index (in the events) and instant of the event that gave the session this start. */
  from: number;
  fromAt: string;
  /** Index and instant of the next reschedule; Infinity and undefined while it keeps this start. */
  until: number;
  untilAt?: string;
  cancelledAt?: string;
}

const histories = new WeakMap<StampedEvent[], { length: number; history: Map<string, SessionEpoch[]> }>();

/** Every session's starts in order, from session.scheduled, session.rescheduled and session.cancelled. */
function sessionHistory(events: StampedEvent[]): Map<string, SessionEpoch[]> {
  const known = histories.get(events);
  if (known && known.length === events.length) return known.history;
  const history = new Map<string, SessionEpoch[]>();
  events.forEach((e, i) => {
    const sessionId = str(e.sessionId);
    if (e.type === 'session.scheduled') {
      history.set(sessionId, [
        {
          sessionId,
          clientId: str(e.clientId),
          kind: str(e.kind),
          ...(e.clinicianId ? { clinicianId: str(e.clinicianId) } : {}),
          start: str(e.start),
          end: str(e.end),
          date: str(e.date),
          number: 0,
          from: i,
          fromAt: str(e.at),
          until: Number.POSITIVE_INFINITY,
        },
      ]);
    } else if (e.type === 'session.rescheduled') {
      const list = history.get(sessionId) ?? [];
      const last = list.at(-1);
      if (last) {
        last.until = i;
        last.untilAt = str(e.at);
      }
      list.push({
        sessionId,
        clientId: str(e.clientId),
        kind: last?.kind ?? 'unknown',
        ...(last?.clinicianId ? { clinicianId: last.clinicianId } : {}),
        start: str(e.start),
        end: str(e.end),
        date: str(e.date),
        number: (last?.number ?? -1) + 1,
        from: i,
        fromAt: str(e.at),
        until: Number.POSITIVE_INFINITY,
      });
      history.set(sessionId, list);
    } else if (e.type === 'session.cancelled') {
      const last = history.get(sessionId)?.at(-1);
      if (last) last.cancelledAt = str(e.at);
    }
  });
  histories.set(events, { length: events.length, history });
  return history;
}

/** The start a session had when event `index` happened. */
function epochAt(history: Map<string, SessionEpoch[]>, sessionId: unknown, index: number) {
  return history.get(str(sessionId))?.find((ep) => ep.from <= index && index < ep.until);
}

/** Sessions not cancelled (as of `at`, else at the end), each with its start, end and date as of then. */
function liveSessions(events: StampedEvent[], at?: string): SessionEpoch[] {
  const live: SessionEpoch[] = [];
  for (const epochs of sessionHistory(events).values()) {
    const current = epochs.filter((ep) => at === undefined || ep.fromAt <= at).at(-1);
    if (!current) continue;
    if (current.cancelledAt !== undefined && (at === undefined || current.cancelledAt <= at)) continue;
    live.push(current);
  }
  return live;
}

/** Sessions as generated (their scheduled times), less the cancelled ones. */
function scheduledSessions(events: StampedEvent[]) {
  const cancelled = new Set(of(events, 'session.cancelled').map((e) => str(e.sessionId)));
  return of(events, 'session.scheduled').filter((s) => !cancelled.has(str(s.sessionId)));
}

const quietHoursOf = (scenario: Scenario, clientId: unknown) =>
  scenario.clients.find((c) => c.id === clientId)?.quietHours ?? scenario.program.quietHours;

/**
 * When the spec sends a reminder: at start − offset, or at the end of quiet hours if that is still
 * 30 minutes or more before the start; else it is suppressed (`at` is then its due time).
 */
function reminderPlan(scenario: Scenario, clientId: unknown, start: string, offsetMinutes: number) {
  const zone = scenario.program.timezone;
  const due = addMinutes(start, -offsetMinutes);
  const at = endOfQuiet(due, quietHoursOf(scenario, clientId), zone);
  if (at === due || minutesBetween(at, start) >= 30) return { send: true, due, at };
  return { send: false, due, at: due };
}

const localInstant = (scenario: Scenario, local: string) =>
  localToUtc(local.slice(0, 10), local.slice(11), scenario.program.timezone);

/**
 * What the spec reads a reply as, written out here on its own (not imported from the code under
 * test): the whole text, trimmed, case-insensitive.
 */
const KEYWORDS: Record<string, string> = {
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  CANCEL: 'stop',
  END: 'stop',
  QUIT: 'stop',
  START: 'start',
  UNSTOP: 'start',
  HELP: 'help',
  INFO: 'help',
  C: 'confirm',
  CONFIRM: 'confirm',
  Y: 'confirm',
  YES: 'confirm',
  SI: 'confirm',
  SÍ: 'confirm',
};
const keywordOf = (text: string) => KEYWORDS[text.trim().toUpperCase()] ?? 'other';

interface ReplyAction {
  index: number;
  clientId: string;
  text: string;
  keyword: string;
  /** UTC instant. */
  at: string;
}

/** The scenario's sms-reply actions, in the order they happen, with the keyword each is read as. */
function replies(scenario: Scenario): ReplyAction[] {
  return scenario.actions
    .flatMap((a, index) =>
      a.type === 'sms-reply'
        ? [
            {
              index,
              clientId: a.clientId,
              text: a.text,
              keyword: keywordOf(a.text),
              at: localInstant(scenario, a.at),
            },
          ]
        : [],
    )
    .sort((a, b) => (a.at === b.at ? a.index - b.index : a.at < b.at ? -1 : 1));
}

/**
 * Every opt-out and opt-in of a client, in order: the actions, a STOP reply (an opt-out), a START
 * reply when consent was recorded (at intake or by an earlier opt-in).
 */
function optChanges(scenario: Scenario, clientId: string): { at: string; type: 'opt-out' | 'opt-in' }[] {
  const client = scenario.clients.find((c) => c.id === clientId);
  const changes = scenario.actions
    .flatMap((a, index): { at: string; index: number; type: 'opt-out' | 'opt-in' | 'start' }[] => {
      if (a.type === 'fault' || a.clientId !== clientId) return [];
      const at = localInstant(scenario, a.at);
      if (a.type === 'opt-out' || a.type === 'opt-in') return [{ at, index, type: a.type }];
      if (a.type !== 'sms-reply') return [];
      const keyword = keywordOf(a.text);
      if (keyword === 'stop') return [{ at, index, type: 'opt-out' }];
      if (keyword === 'start') return [{ at, index, type: 'start' }];
      return [];
    })
    .sort((a, b) => (a.at === b.at ? a.index - b.index : a.at < b.at ? -1 : 1));
  let consent = client?.smsConsent ?? false;
  const result: { at: string; type: 'opt-out' | 'opt-in' }[] = [];
  for (const c of changes) {
    if (c.type === 'opt-in') consent = true;
    if (c.type === 'start' && !consent) continue;
    result.push({ at: c.at, type: c.type === 'start' ? 'opt-in' : c.type });
  }
  return result;
}

/** Whether the client's last opt-out/opt-in (actions and STOP/START replies) at or before `instant` was an opt-out. */
function optedOutAt(scenario: Scenario, clientId: string, instant: string): boolean {
  return (
    optChanges(scenario, clientId)
      .filter((c) => c.at <= instant)
      .at(-1)?.type === 'opt-out'
  );
}

export const everyEventHasTypeAndUtcInstant: Rule = (_s, events) =>
  events
    .filter(
      (e) => typeof e.type !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(str(e.at)),
    )
    .map((e) => `event without type or UTC at: ${JSON.stringify(e)}`);

export const eventsAreInTimeOrder: Rule = (_s, events) =>
  events
    .slice(1)
    .flatMap((e, i) =>
      str(e.at) < str(events[i]!.at) ? [`${e.type} at ${e.at} after ${events[i]!.at}`] : [],
    );

export const groupSessionsKeepTheirLocalTime: Rule = (scenario, events) => {
  const zone = scenario.program.timezone;
  const templates = scenario.program.tracks.flatMap((t) => t.groups.map((g) => ({ track: t.id, ...g })));
  const trackOf = new Map(scenario.clients.map((c) => [c.id, c.track]));
  return of(events, 'session.scheduled')
    .filter((s) => s.kind === 'group')
    .flatMap((s) => {
      const date = str(s.date);
      const local = localTimeOf(str(s.start), zone);
      const ok = templates.some(
        (t) =>
          t.track === trackOf.get(str(s.clientId)) &&
          t.days.includes(dayOfWeek(date)) &&
          localToUtc(date, t.start, zone) === s.start &&
          minutesBetween(str(s.start), str(s.end)) === t.minutes,
      );
      const problems = ok
        ? []
        : [`group session ${s.sessionId} at ${local} on ${date} matches no template of its track`];
      if (localDateOf(str(s.start), zone) !== date)
        problems.push(`session ${s.sessionId} date ${date} is not its local date`);
      return problems;
    });
};

export const nothingOnClosures: Rule = (scenario, events) => {
  const closures = new Set(scenario.program.closures);
  return of(events, 'session.scheduled')
    .filter((s) => closures.has(str(s.date)))
    .map((s) => `session ${s.sessionId} on closure ${s.date}`);
};

export const nothingBeforeTheClientStarts: Rule = (scenario, events) => {
  const start = new Map(scenario.clients.map((c) => [c.id, c.start]));
  return of(events, 'session.scheduled')
    .filter((s) => str(s.date) < start.get(str(s.clientId))!)
    .map((s) => `session ${s.sessionId} on ${s.date} before client ${s.clientId} starts`);
};

/**
 * Every session an event is about was announced before by session.scheduled (with its time, so
 * reminders, check-ins and misses can be checked against it), and moved only by session.rescheduled.
 */
export const everySessionIsAnnounced: Rule = (_scenario, events) => {
  const announced = new Set<string>();
  const unannounced = new Map<string, string[]>();
  for (const e of events) {
    if (e.type === 'session.scheduled') announced.add(str(e.sessionId));
    else if (e.sessionId !== undefined && !announced.has(str(e.sessionId))) {
      const what = `${e.type}${e.purpose ? ` ${e.purpose}` : ''} at ${e.at}`;
      unannounced.set(str(e.sessionId), [...(unannounced.get(str(e.sessionId)) ?? []), what]);
    }
  }
  return [...unannounced].map(
    ([sessionId, what]) =>
      `session ${sessionId} never announced by session.scheduled, yet: ${what.join('; ')}`,
  );
};

/** As generated: a later reschedule is a staff decision, not the planner's. */
export const noOverlaps: Rule = (_scenario, events) => {
  const sessions = scheduledSessions(events);
  const problems: string[] = [];
  for (const [i, a] of sessions.entries()) {
    for (const b of sessions.slice(i + 1)) {
      if (!(str(a.start) < str(b.end) && str(b.start) < str(a.end))) continue;
      if (a.clientId === b.clientId)
        problems.push(`client ${a.clientId} double-booked: ${a.sessionId} and ${b.sessionId}`);
      if (a.clinicianId && a.clinicianId === b.clinicianId) {
        problems.push(`clinician ${a.clinicianId} double-booked: ${a.sessionId} and ${b.sessionId}`);
      }
    }
  }
  return problems;
};

export const individualSessionsInsideAvailabilityOutsideBusy: Rule = (scenario, events) => {
  const zone = scenario.program.timezone;
  const clinicians = new Map(scenario.clinicians.map((c) => [c.id, c]));
  const clients = new Map(scenario.clients.map((c) => [c.id, c]));
  return of(events, 'session.scheduled')
    .filter((s) => s.kind !== 'group')
    .flatMap((s) => {
      const clinician = clinicians.get(str(s.clinicianId));
      const client = clients.get(str(s.clientId))!;
      const day = dayOfWeek(str(s.date));
      const from = minutesOfDay(localTimeOf(str(s.start), zone));
      const to = from + minutesBetween(str(s.start), str(s.end));
      const problems: string[] = [];
      if (
        !clinician?.availability.some(
          (w) => w.days.includes(day) && minutesOfDay(w.start) <= from && to <= minutesOfDay(w.end),
        )
      ) {
        problems.push(`${s.kind} session ${s.sessionId} outside ${s.clinicianId}'s availability`);
      }
      if (
        client.busy.some(
          (w) => w.days.includes(day) && from < minutesOfDay(w.end) && minutesOfDay(w.start) < to,
        )
      ) {
        problems.push(`${s.kind} session ${s.sessionId} inside ${client.id}'s busy hours`);
      }
      return problems;
    });
};

/** A shortfall event exactly for each client-week under the ASAM minimum, with the right hours. */
export const shortfallsMatchScheduledHours: Rule = (scenario, events) => {
  const hours = new Map<string, number>();
  for (const s of of(events, 'session.scheduled')) {
    const key = `${s.clientId}|${isoWeek(str(s.date))}`;
    hours.set(key, (hours.get(key) ?? 0) + minutesBetween(str(s.start), str(s.end)) / 60);
  }
  const problems: string[] = [];
  const reported = new Set<string>();
  for (const e of of(events, 'schedule.shortfall')) {
    const key = `${e.clientId}|${e.week}`;
    reported.add(key);
    const client = scenario.clients.find((c) => c.id === e.clientId)!;
    if (e.minimum !== asamMinimumHours(client)) problems.push(`shortfall ${key} minimum ${e.minimum}`);
    if (Math.abs(Number(e.hours) - (hours.get(key) ?? 0)) > 0.01)
      problems.push(`shortfall ${key} says ${e.hours} h, scheduled ${hours.get(key)} h`);
    if (Number(e.hours) >= Number(e.minimum)) problems.push(`shortfall ${key} with ${e.hours} h >= minimum`);
  }
  for (const [key, h] of hours) {
    const client = scenario.clients.find((c) => c.id === key.split('|')[0])!;
    if (h < asamMinimumHours(client) && !reported.has(key))
      problems.push(`no shortfall for ${key} with ${h} h`);
  }
  return problems;
};

function isoWeek(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  const day = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - day + 3);
  const firstThursday = new Date(Date.UTC(d.getUTCFullYear(), 0, 4));
  const week =
    1 +
    Math.round(
      ((d.getTime() - firstThursday.getTime()) / 86400000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7,
    );
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

export const noSmsInQuietHours: Rule = (scenario, events) => {
  const quiet = scenario.program.quietHours;
  const override = new Map(scenario.clients.map((c) => [c.id, c.quietHours ?? quiet]));
  return (
    of(events, 'sms.sent')
      // A HELP answer goes at once, even at night: the client just wrote.
      .filter((e) => e.purpose !== 'help')
      .filter((e) => isQuiet(str(e.at), override.get(str(e.clientId))!, scenario.program.timezone))
      .map((e) => `SMS to ${e.clientId} at ${e.at} in quiet hours`)
  );
};

/**
 * Reminders go out at start − offset, or at the end of quiet hours if still ≥ 30 min before the
 * start, for the start the session has when they go out (a moved session's reminders follow its new
 * start); never after the start; with faults, at most 15 minutes late. One per session start.
 */
export const remindersFollowOffsetsAndDeferral: Rule = (scenario, events) => {
  const history = sessionHistory(events);
  const problems: string[] = [];
  const seen = new Set<string>();
  events.forEach((e, i) => {
    if (e.type !== 'sms.sent' || (e.purpose !== 'reminder' && e.purpose !== 'missed-session')) return;
    const epoch = epochAt(history, e.sessionId, i);
    if (!epoch) return; // everySessionIsAnnounced
    const key = `${e.sessionId}|${e.purpose}|${e.offsetMinutes}|${epoch.start}`;
    if (seen.has(key)) problems.push(`more than one SMS for ${key}`);
    seen.add(key);
    if (e.purpose !== 'reminder') return;
    const plan = reminderPlan(scenario, e.clientId, epoch.start, Number(e.offsetMinutes));
    const what = `reminder ${e.sessionId}/${e.offsetMinutes} at ${e.at}`;
    if (!plan.send)
      problems.push(`${what}: due ${plan.due} in quiet hours, too close to the start ${epoch.start}`);
    else if (!smsOnTime(scenario, str(e.at), plan.at))
      problems.push(`${what}, due ${plan.at} for the start ${epoch.start}`);
    if (str(e.at) >= epoch.start) problems.push(`${what}: the session started at ${epoch.start}`);
  });
  return [...new Set(problems)];
};

/**
 * For every start a session has (as scheduled, and after each reschedule), every offset whose
 * time is still ahead when the session gets that start is sent or suppressed exactly once, even
 * if it was already sent for an earlier start; none is sent or suppressed twice for one start.
 * Not required once the session is cancelled (it may be recorded as suppressed), while the client
 * is opted out (their reminder jobs are deleted), or near the run's end.
 */
export const everyReminderOncePerStart: Rule = (scenario, events) => {
  const end = addMinutes(runEnd(scenario), -FAULT_LATENESS_MINUTES);
  const byKey = new Map<string, number[]>();
  events.forEach((e, i) => {
    if ((e.type !== 'sms.sent' && e.type !== 'sms.suppressed') || e.purpose !== 'reminder') return;
    const key = `${e.sessionId}|${e.offsetMinutes}`;
    byKey.set(key, [...(byKey.get(key) ?? []), i]);
  });
  const problems: string[] = [];
  for (const epochs of sessionHistory(events).values()) {
    for (const epoch of epochs) {
      for (const offset of scenario.program.reminders.offsetsMinutes) {
        const plan = reminderPlan(scenario, epoch.clientId, epoch.start, offset);
        const found = (byKey.get(`${epoch.sessionId}|${offset}`) ?? []).filter(
          (i) => epoch.from <= i && i < epoch.until,
        );
        const what = `${epoch.sessionId}/${offset} for the start ${epoch.start}`;
        if (found.length > 1) {
          problems.push(
            `${what}: ${found.length} reminders sent or suppressed (at ${found.map((i) => events[i]!.at).join(', ')})`,
          );
          continue;
        }
        const required =
          plan.due > epoch.fromAt &&
          (epoch.untilAt === undefined || plan.at < epoch.untilAt) &&
          plan.at < end &&
          !(epoch.cancelledAt !== undefined && epoch.cancelledAt <= plan.at) &&
          !optedOutAt(scenario, epoch.clientId, plan.at);
        if (required && found.length === 0)
          problems.push(
            `${what}: no reminder sent or suppressed (due ${plan.at}, start set at ${epoch.fromAt})`,
          );
      }
    }
  }
  return problems;
};

/**
 * Nobody without consent, opted out (between opt-out or STOP and opt-in or START) or discharged
 * gets an SMS; the answer to HELP is stopped by an opt-out only.
 */
export const noSmsToClientsWhoMayNotReceiveIt: Rule = (scenario, events) => {
  const zone = scenario.program.timezone;
  const at = (local: string) => localToUtc(local.slice(0, 10), local.slice(11), zone);
  const problems: string[] = [];
  for (const e of of(events, 'sms.sent')) {
    const client = scenario.clients.find((c) => c.id === e.clientId)!;
    if (e.to !== client.phone) problems.push(`SMS to ${e.to}, not ${client.id}'s number`);
    if (optedOutAt(scenario, client.id, str(e.at))) problems.push(`SMS to opted-out ${client.id} at ${e.at}`);
    if (e.purpose === 'help') continue;
    const optIns = optChanges(scenario, client.id).filter((c) => c.type === 'opt-in' && c.at <= str(e.at));
    if (!client.smsConsent && optIns.length === 0)
      problems.push(`SMS to ${client.id} without consent at ${e.at}`);
    const discharge = scenario.actions.find((a) => a.type === 'discharge' && a.clientId === client.id);
    if (discharge && at(discharge.at) <= str(e.at))
      problems.push(`SMS to discharged ${client.id} at ${e.at}`);
  }
  return problems;
};

/**
 * Every SMS is neutral (no word that reveals treatment, in English or Spanish), one segment, names
 * the program and ends with the STOP line of the client's language.
 */
export const smsWordingIsNeutral: Rule = (scenario, events) =>
  of(events, 'sms.sent').flatMap((e) => {
    const language = scenario.clients.find((c) => c.id === e.clientId)?.language ?? 'en';
    const problems = smsRuleViolations(str(e.body), scenario.program.name, language);
    const footer = language === 'es' ? 'Responda STOP para darse de baja.' : 'Reply STOP to opt out.';
    if (!str(e.body).endsWith(footer)) problems.push(`a ${language} client's SMS must end with "${footer}"`);
    return [...new Set(problems)].map((p) => `SMS ${e.messageId} to ${e.clientId}: ${p}`);
  });

export const noReminderForCancelledSessions: Rule = (_scenario, events) => {
  const cancelledAt = new Map(of(events, 'session.cancelled').map((e) => [str(e.sessionId), str(e.at)]));
  return of(events, 'sms.sent')
    .filter(
      (e) =>
        e.purpose === 'reminder' &&
        cancelledAt.has(str(e.sessionId)) &&
        str(e.at) >= cancelledAt.get(str(e.sessionId))!,
    )
    .map((e) => `reminder for cancelled session ${e.sessionId} at ${e.at}`);
};

/**
 * Every absence on a session day is a missed session, and a missed session follows no check-in;
 * both by the session's start as it is at the time (absences follow a moved session to its new date).
 */
export const absencesBecomeMissedSessions: Rule = (scenario, events) => {
  const history = sessionHistory(events);
  const keyOf = (e: StampedEvent, i: number) => {
    const epoch = epochAt(history, e.sessionId, i);
    return epoch ? `${epoch.sessionId}|${epoch.number}` : undefined;
  };
  const missed = new Set(events.map((e, i) => (e.type === 'session.missed' ? keyOf(e, i) : undefined)));
  const present = new Set(
    events.map((e, i) =>
      e.type === 'attendance.recorded' && e.status === 'present' ? keyOf(e, i) : undefined,
    ),
  );
  const absent = new Set(scenario.absences.map((a) => `${a.clientId}|${a.date}`));
  const problems: string[] = [];
  for (const epochs of history.values()) {
    for (const epoch of epochs) {
      const key = `${epoch.sessionId}|${epoch.number}`;
      const last = epoch === epochs.at(-1);
      if (
        last &&
        epoch.cancelledAt === undefined &&
        absent.has(`${epoch.clientId}|${epoch.date}`) &&
        !missed.has(key) &&
        addMinutes(epoch.start, scenario.program.missedSession.graceMinutes + lateness(scenario)) <
          runEnd(scenario)
      ) {
        problems.push(
          `absence of ${epoch.clientId} at ${epoch.sessionId} (${epoch.start}) not reported as missed`,
        );
      }
      if (missed.has(key) && present.has(key))
        problems.push(`session ${epoch.sessionId} both attended and missed for its start ${epoch.start}`);
    }
  }
  return problems;
};

/**
 * A session is missed once per start, at start + grace of the start it has then (with faults, at
 * most 15 minutes later), and only when its client was absent that
 * local date (everyone else checks in at the start, wherever it moved).
 */
export const missesFollowTheSessionStart: Rule = (scenario, events) => {
  const history = sessionHistory(events);
  const grace = scenario.program.missedSession.graceMinutes;
  const absent = new Set(scenario.absences.map((a) => `${a.clientId}|${a.date}`));
  const problems: string[] = [];
  const seen = new Map<string, string[]>();
  events.forEach((e, i) => {
    if (e.type !== 'session.missed') return;
    const epoch = epochAt(history, e.sessionId, i);
    if (!epoch) return; // everySessionIsAnnounced
    const due = addMinutes(epoch.start, grace);
    if (!onTime(scenario, str(e.at), due))
      problems.push(`${epoch.sessionId} missed at ${e.at}, due ${due} for the start ${epoch.start}`);
    const key = `${epoch.sessionId}|${epoch.start}`;
    seen.set(key, [...(seen.get(key) ?? []), str(e.at)]);
    if (scenario.attendance.default === 'present' && !absent.has(`${epoch.clientId}|${epoch.date}`))
      problems.push(
        `${epoch.sessionId} missed at ${e.at} though ${epoch.clientId} was not absent on ${epoch.date} (checks in at ${epoch.start})`,
      );
  });
  for (const [key, times] of seen)
    if (times.length > 1) problems.push(`${key} reported missed ${times.length} times (${times.join(', ')})`);
  return problems;
};

const runEnd = (scenario: Scenario) =>
  localToUtc(
    new Date(Date.parse(`${scenario.run.from}T00:00:00Z`) + scenario.run.days * 86400000)
      .toISOString()
      .slice(0, 10),
    '00:00',
    scenario.program.timezone,
  );

export const drawsFollowThePolicy: Rule = (scenario, events) => {
  const policy = scenario.program.drugScreens;
  const draws = of(events, 'screen.draw');
  if (!policy) return draws.length ? ['draws without a drug-screen policy'] : [];
  const zone = scenario.program.timezone;
  const problems: string[] = [];
  const selected = of(events, 'screen.selected');
  for (const d of draws) {
    const date = str(d.date);
    if (!policy.days.includes(dayOfWeek(date))) problems.push(`draw on ${date}, not a policy day`);
    const late = minutesBetween(localToUtc(date, policy.drawAt, zone), str(d.at));
    if (late < -1 || late > 1 + lateness(scenario))
      problems.push(`draw ${date} at ${d.at}, not ${policy.drawAt}`);
    const mine = selected.filter((x) => x.drawId === d.drawId);
    if (mine.length !== d.selectedCount)
      problems.push(`draw ${date} selectedCount ${d.selectedCount} but ${mine.length} selected`);
    const random = mine.filter((x) => x.reason === 'random').length;
    if (random !== Math.round(policy.rate * Number(d.poolSize)))
      problems.push(`draw ${date}: ${random} random of pool ${d.poolSize}`);
    if (new Set(mine.map((x) => x.clientId)).size !== mine.length)
      problems.push(`draw ${date} selects a client twice`);
    const discharged = new Map(
      scenario.actions
        .filter((a) => a.type === 'discharge')
        .map((a) => [a.clientId, localToUtc(a.at.slice(0, 10), a.at.slice(11), zone)]),
    );
    const pool = new Set(
      liveSessions(events, str(d.at))
        .filter(
          (s) =>
            s.date === date &&
            !(discharged.has(str(s.clientId)) && discharged.get(str(s.clientId))! <= str(d.at)),
        )
        .map((s) => str(s.clientId)),
    );
    if (pool.size !== d.poolSize) problems.push(`draw ${date} pool ${d.poolSize}, expected ${pool.size}`);
    for (const x of mine)
      if (!pool.has(str(x.clientId))) problems.push(`draw ${date} selects ${x.clientId}, not in the pool`);
  }
  return problems;
};

/** Each selected client gets one screen notice that day (sent or, with a reason, suppressed); nobody else does. */
export const oneNoticePerSelection: Rule = (scenario, events) => {
  const zone = scenario.program.timezone;
  const key = (clientId: unknown, date: string) => `${clientId}|${date}`;
  const counts = new Map<string, number>();
  for (const n of events.filter(
    (e) => (e.type === 'sms.sent' || e.type === 'sms.suppressed') && e.purpose === 'screen-notice',
  )) {
    const k = key(n.clientId, localDateOf(str(n.at), zone));
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const problems: string[] = [];
  const selections = of(events, 'screen.selected');
  const selected = new Set(selections.map((x) => key(x.clientId, str(x.date))));
  for (const x of selections) {
    const k = key(x.clientId, str(x.date));
    // a draw near the run's end may have its notice after it (deferred past quiet hours)
    if ((counts.get(k) ?? 0) !== 1 && addMinutes(str(x.at), 24 * 60) < runEnd(scenario))
      problems.push(`${k}: ${counts.get(k) ?? 0} notices`);
  }
  for (const k of counts.keys()) if (!selected.has(k)) problems.push(`notice to ${k} without a selection`);
  return problems;
};

/** Over every whole ISO week of the run, each client with a session on a draw day is selected ≥ minPerWeek. */
export const weeklyMinimumIsMet: Rule = (scenario, events) => {
  const policy = scenario.program.drugScreens;
  if (!policy || policy.minPerWeek === 0) return [];
  const selectedPerWeek = new Map<string, number>();
  for (const x of of(events, 'screen.selected')) {
    const k = `${x.clientId}|${isoWeek(str(x.date))}`;
    selectedPerWeek.set(k, (selectedPerWeek.get(k) ?? 0) + 1);
  }
  const discharged = new Set(scenario.actions.filter((a) => a.type === 'discharge').map((a) => a.clientId));
  const problems: string[] = [];
  // who had a session on a draw's date when it was drawn (a session moved later does not count)
  const due = new Set(
    of(events, 'screen.draw').flatMap((d) =>
      liveSessions(events, str(d.at))
        .filter((s) => s.date === d.date && !discharged.has(s.clientId))
        .map((s) => `${s.clientId}|${isoWeek(s.date)}`),
    ),
  );
  const firstWeek = isoWeek(scenario.run.from);
  for (const k of due) {
    const week = k.split('|')[1]!;
    if (week === firstWeek) continue; // the run may start mid-week
    if ((selectedPerWeek.get(k) ?? 0) < policy.minPerWeek)
      problems.push(`${k} selected ${selectedPerWeek.get(k) ?? 0} times`);
  }
  return problems;
};

export const atMostOneOpenFlagPerClientAndRule: Rule = (_scenario, events) => {
  const open = new Map<string, string>();
  const problems: string[] = [];
  const ruleOf = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'flag.raised') {
      const k = `${e.clientId}|${e.rule}`;
      if (open.has(k)) problems.push(`second open ${k} flag ${e.flagId}`);
      open.set(k, str(e.flagId));
      ruleOf.set(str(e.flagId), k);
      if (!e.evidence || typeof e.evidence !== 'object') problems.push(`flag ${e.flagId} without evidence`);
    }
    if (e.type === 'flag.resolved') open.delete(ruleOf.get(str(e.flagId))!);
  }
  return problems;
};

/** A missed-session flag follows the miss that triggers it within an hour. */
export const flagsFollowTheirMissWithinAnHour: Rule = (_scenario, events) =>
  of(events, 'flag.raised')
    .filter((f) => f.rule === 'consecutive-misses')
    .flatMap((f) => {
      const miss = of(events, 'session.missed')
        .filter((m) => m.clientId === f.clientId && str(m.at) <= str(f.at))
        .at(-1);
      return miss && minutesBetween(str(miss.at), str(f.at)) <= 60
        ? []
        : [`flag ${f.flagId} not within an hour of a miss`];
    });

/** One escalation when nobody acknowledges in time, none when someone does; an all-clear per re-engagement. */
export const escalationAndAllClear: Rule = (scenario, events) => {
  const hours = scenario.program.disengagement.escalateAfterHours;
  const end = runEnd(scenario);
  const alerts = of(events, 'careteam.alert');
  const problems: string[] = [];
  for (const f of of(events, 'flag.raised')) {
    const deadline = addMinutes(str(f.at), hours * 60);
    const ack = of(events, 'flag.acknowledged').find((a) => a.flagId === f.flagId);
    const resolved = of(events, 'flag.resolved').find((r) => r.flagId === f.flagId);
    const escalations = alerts.filter((a) => a.reason === 'escalation' && a.flagId === f.flagId);
    const expected =
      deadline < end && !(ack && str(ack.at) <= deadline) && !(resolved && str(resolved.at) <= deadline)
        ? 1
        : 0;
    if (escalations.length !== expected)
      problems.push(`flag ${f.flagId}: ${escalations.length} escalations, expected ${expected}`);
    if (escalations[0] && !onTime(scenario, str(escalations[0].at), deadline))
      problems.push(`flag ${f.flagId} escalated at ${escalations[0].at}, due ${deadline}`);
    if (!alerts.some((a) => a.reason === 'disengagement' && a.flagId === f.flagId))
      problems.push(`flag ${f.flagId} without its alert`);
  }
  for (const r of of(events, 'flag.resolved').filter((x) => x.reason === 're-engaged')) {
    const clears = alerts.filter((a) => a.reason === 'all-clear' && a.flagId === r.flagId);
    if (clears.length !== 1)
      problems.push(`flag ${r.flagId} resolved with ${clears.length} all-clear alerts`);
  }
  return problems;
};

/**
 * What each care-team alert is about: its flag; for a missed session, the miss it follows (the
 * client's latest session.missed, by session start); for a screen, the client's latest result.
 */
function alertSubjects(events: StampedEvent[]) {
  const history = sessionHistory(events);
  const lastMiss = new Map<string, string>();
  const lastResult = new Map<string, string>();
  const subjects: { alert: StampedEvent; subject: string }[] = [];
  events.forEach((e, i) => {
    if (e.type === 'session.missed') {
      const epoch = epochAt(history, e.sessionId, i);
      lastMiss.set(str(e.clientId), `session ${e.sessionId} starting ${epoch?.start ?? '(unknown)'}`);
    }
    if (e.type === 'screen.result') lastResult.set(str(e.clientId), `screen of ${e.date}`);
    if (e.type !== 'careteam.alert') return;
    const clientId = str(e.clientId);
    const subject = e.flagId
      ? `flag ${e.flagId}`
      : e.reason === 'missed-session'
        ? (lastMiss.get(clientId) ?? 'no miss')
        : e.reason === 'screen-missed' || e.reason === 'screen-positive'
          ? (lastResult.get(clientId) ?? 'no result')
          : `at ${e.at}`;
    subjects.push({ alert: e, subject: `${clientId} ${e.reason} about ${subject}` });
  });
  return subjects;
}

/**
 * Nothing doubled (under retries and faults as without): one care-team alert per client, reason
 * and subject (flag, missed session start, screen); one flag.raised per flag; one draw per date;
 * a client selected once per draw. (One SMS per session start and purpose: remindersFollowOffsetsAndDeferral
 * and everyReminderOncePerStart; one notice per selection: oneNoticePerSelection.)
 */
export const nothingDoubled: Rule = (_scenario, events) => {
  const problems: string[] = [];
  const count = (keys: string[], what: string) => {
    const n = new Map<string, number>();
    for (const k of keys) n.set(k, (n.get(k) ?? 0) + 1);
    for (const [k, c] of n) if (c > 1) problems.push(`${c} ${what} for ${k}`);
  };
  const alerts = alertSubjects(events);
  count(
    alerts.map((a) => a.subject),
    'care-team alerts',
  );
  for (const a of alerts)
    if (/about (no miss|no result)$/.test(a.subject))
      problems.push(`care-team alert at ${a.alert.at}: ${a.subject}`);
  count(
    of(events, 'flag.raised').map((e) => str(e.flagId)),
    'flag.raised',
  );
  count(
    of(events, 'screen.draw').map((e) => str(e.date)),
    'draws',
  );
  count(
    of(events, 'screen.selected').map((e) => `${e.clientId} on ${e.date}`),
    'selections',
  );
  return problems;
};

/**
 * Every miss is announced once for its start: one care-team alert, one missed-session note to the
 * client (sent or suppressed; deferred past quiet hours, so not required near the run's end).
 * Every result that is not a clean one gets its alert (screen-missed or screen-positive), once.
 * Every flag gets its disengagement alert.
 */
export const everyMissResultAndFlagIsAlerted: Rule = (scenario, events) => {
  const history = sessionHistory(events);
  const zone = scenario.program.timezone;
  const subjects = new Map<string, number>();
  for (const { subject } of alertSubjects(events)) subjects.set(subject, (subjects.get(subject) ?? 0) + 1);
  const problems: string[] = [];
  const misses = new Map<string, { e: StampedEvent; epoch: SessionEpoch }>();
  events.forEach((e, i) => {
    if (e.type !== 'session.missed') return;
    const epoch = epochAt(history, e.sessionId, i);
    if (epoch && !misses.has(`${epoch.sessionId}|${epoch.number}`))
      misses.set(`${epoch.sessionId}|${epoch.number}`, { e, epoch });
  });
  for (const { e, epoch } of misses.values()) {
    const subject = `${epoch.clientId} missed-session about session ${epoch.sessionId} starting ${epoch.start}`;
    if (!subjects.has(subject))
      problems.push(`no care-team alert for the miss of ${epoch.sessionId} at ${e.at}`);
    const noteDue = endOfQuiet(str(e.at), quietHoursOf(scenario, epoch.clientId), zone);
    const notes = events.filter(
      (n, i) =>
        (n.type === 'sms.sent' || n.type === 'sms.suppressed') &&
        n.purpose === 'missed-session' &&
        n.sessionId === epoch.sessionId &&
        epoch.from <= i &&
        i < epoch.until,
    );
    if (notes.length > 1)
      problems.push(`${notes.length} missed-session notes for ${epoch.sessionId} starting ${epoch.start}`);
    if (notes.length === 0 && addMinutes(noteDue, FAULT_LATENESS_MINUTES) < runEnd(scenario))
      problems.push(`no missed-session note (sent or suppressed) for ${epoch.sessionId} missed at ${e.at}`);
  }
  for (const r of of(events, 'screen.result')) {
    const reason =
      r.result === 'no-show' || r.result === 'refused'
        ? 'screen-missed'
        : r.result === 'positive'
          ? 'screen-positive'
          : undefined;
    if (reason && !subjects.has(`${r.clientId} ${reason} about screen of ${r.date}`))
      problems.push(`no ${reason} alert for ${r.clientId}'s ${r.result} screen of ${r.date}`);
  }
  for (const f of of(events, 'flag.raised')) {
    if (!subjects.has(`${f.clientId} disengagement about flag ${f.flagId}`))
      problems.push(`no disengagement alert for flag ${f.flagId}`);
  }
  return problems;
};

/**
 * A failed job is retried a minute later with the same payload, up to 10 times: its failures are
 * attempts 1, 2, ... a minute apart, each naming the retry; none gives up (that would lose what
 * it was for). A scenario without faults has no failed job at all.
 */
export const failedJobsAreRetried: Rule = (scenario, events) => {
  const failures = of(events, 'job.failed');
  if (!hasFaults(scenario))
    return failures.map(
      (f) => `${f.target} ${f.job} failed at ${f.at} without an injected fault: ${f.error}`,
    );
  const problems: string[] = [];
  const chains = new Map<string, StampedEvent[]>();
  for (const f of failures) {
    const key = `${f.job} (due ${f.scheduledTime})`;
    chains.set(key, [...(chains.get(key) ?? []), f]);
  }
  for (const [key, chain] of chains) {
    chain.forEach((f, i) => {
      if (Number(f.attempt) !== i + 1) problems.push(`${key}: failure ${i + 1} says attempt ${f.attempt}`);
      const previous = chain[i - 1];
      if (previous && previous.retryAt !== f.at)
        problems.push(`${key}: attempt ${f.attempt} at ${f.at}, the retry was due ${previous.retryAt}`);
      if (f.retryAt === undefined)
        problems.push(`${key}: gave up after attempt ${f.attempt} at ${f.at} (${f.error})`);
      else if (f.retryAt !== addMinutes(str(f.at), 1))
        problems.push(`${key}: attempt ${f.attempt} at ${f.at} retried at ${f.retryAt}, not a minute later`);
    });
  }
  return problems;
};

export const SPEC_RULES: Record<string, Rule> = {
  drawsFollowThePolicy,
  oneNoticePerSelection,
  weeklyMinimumIsMet,
  atMostOneOpenFlagPerClientAndRule,
  flagsFollowTheirMissWithinAnHour,
  escalationAndAllClear,
  everyEventHasTypeAndUtcInstant,
  eventsAreInTimeOrder,
  groupSessionsKeepTheirLocalTime,
  nothingOnClosures,
  nothingBeforeTheClientStarts,
  noOverlaps,
  individualSessionsInsideAvailabilityOutsideBusy,
  shortfallsMatchScheduledHours,
  noSmsInQuietHours,
  remindersFollowOffsetsAndDeferral,
  noSmsToClientsWhoMayNotReceiveIt,
  smsWordingIsNeutral,
  noReminderForCancelledSessions,
  absencesBecomeMissedSessions,
  // version 2: reschedules, faults
  everySessionIsAnnounced,
  everyReminderOncePerStart,
  missesFollowTheSessionStart,
  nothingDoubled,
  everyMissResultAndFlagIsAlerted,
  failedJobsAreRetried,
};

// --- version 2: sms-reply ---------------------------------------------------------------------

/** The session.confirmed, sms.received, help SMS and client-reply alerts of each reply, in order. */
function replyEffects(scenario: Scenario, events: StampedEvent[]) {
  const received = of(events, 'sms.received');
  const used = new Set<StampedEvent>();
  return replies(scenario).map((reply) => {
    const event = received.find((e) => !used.has(e) && e.clientId === reply.clientId && e.at === reply.at);
    if (event) used.add(event);
    const index = event ? events.indexOf(event) : -1;
    // What the reply caused: the events at its instant, for its client, up to the next reply.
    const next = events.findIndex((e, i) => i > index && e.type === 'sms.received');
    const caused =
      index < 0
        ? []
        : events
            .slice(index + 1, next < 0 ? undefined : next)
            .filter((e) => e.at === reply.at && e.clientId === reply.clientId);
    return { reply, event, index, caused };
  });
}

/** Every reply gives one sms.received at its instant with the keyword the spec reads it as; nothing else does. */
export const repliesAreReadAsKeywords: Rule = (scenario, events) => {
  const problems: string[] = [];
  const effects = replyEffects(scenario, events);
  for (const { reply, event } of effects) {
    const what = `reply #${reply.index} of ${reply.clientId} at ${reply.at}`;
    if (!event) problems.push(`${what}: no sms.received`);
    else if (event.keyword !== reply.keyword)
      problems.push(`${what}: read as ${event.keyword}, the spec reads it as ${reply.keyword}`);
  }
  const received = of(events, 'sms.received').length;
  if (received !== effects.length) problems.push(`${received} sms.received for ${effects.length} replies`);
  return problems;
};

/** STOP opts out at that instant, and Cadence sends nothing for it (the carrier confirms). */
export const stopOptsOutAndSendsNothing: Rule = (scenario, events) =>
  replyEffects(scenario, events)
    .filter(({ reply }) => reply.keyword === 'stop')
    .flatMap(({ reply, caused }) =>
      caused
        .filter((e) => e.type === 'sms.sent')
        .map((e) => `STOP of ${reply.clientId} at ${reply.at} answered by an SMS (${e.purpose})`),
    );

/**
 * Every opt-in (the action, or START where consent was recorded) gets one opt-in SMS, at once or,
 * inside quiet hours, when they end; none when the client opted out again or left by then, or when
 * that is past the run's end. No other opt-in SMS goes out.
 */
export const everyOptInIsConfirmedOnce: Rule = (scenario, events) => {
  const zone = scenario.program.timezone;
  const end = addMinutes(runEnd(scenario), -FAULT_LATENESS_MINUTES);
  const problems: string[] = [];
  for (const client of scenario.clients) {
    const discharge = scenario.actions.find((a) => a.type === 'discharge' && a.clientId === client.id);
    const leftAt = discharge ? localInstant(scenario, discharge.at) : undefined;
    const expected = new Map<string, number>();
    for (const change of optChanges(scenario, client.id)) {
      if (change.type !== 'opt-in') continue;
      if (leftAt !== undefined && leftAt <= change.at) continue; // refused: the client left
      const due = endOfQuiet(change.at, quietHoursOf(scenario, client.id), zone);
      if (due >= end || optedOutAt(scenario, client.id, due) || (leftAt !== undefined && leftAt <= due))
        continue;
      expected.set(due, (expected.get(due) ?? 0) + 1);
    }
    const sent = new Map<string, number>();
    for (const e of of(events, 'sms.sent'))
      if (e.clientId === client.id && e.purpose === 'opt-in')
        sent.set(str(e.at), (sent.get(str(e.at)) ?? 0) + 1);
    for (const [due, n] of expected) {
      const found = [...sent.entries()].filter(([at]) => smsOnTime(scenario, at, due));
      const count = found.reduce((sum, [, c]) => sum + c, 0);
      if (count !== n) problems.push(`${client.id}: ${count} opt-in SMS due ${due}, expected ${n}`);
      for (const [at] of found) sent.delete(at);
    }
    for (const [at, n] of sent)
      problems.push(`${client.id}: ${n} opt-in SMS at ${at} that no opt-in called for`);
  }
  return problems;
};

/** HELP gets one help SMS at once, even inside quiet hours, unless the client is opted out; nothing else sends one. */
export const helpGetsOneAnswer: Rule = (scenario, events) => {
  const problems: string[] = [];
  let expectedTotal = 0;
  for (const { reply, caused } of replyEffects(scenario, events)) {
    if (reply.keyword !== 'help') continue;
    const sent = caused.filter((e) => e.type === 'sms.sent' && e.purpose === 'help');
    const expected = optedOutAt(scenario, reply.clientId, reply.at) ? 0 : 1;
    expectedTotal += expected;
    if (sent.length !== expected)
      problems.push(`HELP of ${reply.clientId} at ${reply.at}: ${sent.length} answers, expected ${expected}`);
  }
  const total = of(events, 'sms.sent').filter((e) => e.purpose === 'help').length;
  if (total !== expectedTotal)
    problems.push(`${total} help SMS in all, ${expectedTotal} HELP replies to answer`);
  return problems;
};

/**
 * A confirm gives session.confirmed for the client's next session that has not started and starts
 * within 48 hours (as the sessions stand when the reply comes), nothing when there is none; no
 * session is confirmed otherwise.
 */
export const confirmConfirmsTheNextSession: Rule = (scenario, events) => {
  const problems: string[] = [];
  let expectedTotal = 0;
  const history = sessionHistory(events);
  for (const { reply, index, caused } of replyEffects(scenario, events)) {
    if (reply.keyword !== 'confirm' || index < 0) continue;
    const cancelledBefore = new Set(
      events
        .slice(0, index)
        .filter((e) => e.type === 'session.cancelled')
        .map((e) => str(e.sessionId)),
    );
    const limit = addMinutes(reply.at, 48 * 60);
    const next = [...history.values()]
      .map((epochs) => epochs.filter((ep) => ep.from < index).at(-1))
      .filter((ep): ep is SessionEpoch => ep !== undefined)
      .filter(
        (ep) =>
          ep.clientId === reply.clientId &&
          !cancelledBefore.has(ep.sessionId) &&
          ep.start > reply.at &&
          ep.start <= limit,
      )
      .sort((a, b) => (a.start < b.start ? -1 : 1))[0];
    const confirmed = caused.filter((e) => e.type === 'session.confirmed');
    const what = `confirm of ${reply.clientId} at ${reply.at}`;
    if (next) expectedTotal += 1;
    if (!next && confirmed.length > 0)
      problems.push(`${what}: confirmed ${confirmed[0]!.sessionId}, no session within 48 h`);
    if (next && (confirmed.length !== 1 || confirmed[0]!.sessionId !== next.sessionId))
      problems.push(
        `${what}: confirmed ${confirmed.map((e) => e.sessionId).join(', ') || 'nothing'}, expected ${next.sessionId} starting ${next.start}`,
      );
  }
  const total = of(events, 'session.confirmed').length;
  if (total !== expectedTotal) problems.push(`${total} session.confirmed in all, ${expectedTotal} expected`);
  return problems;
};

/**
 * Any other reply gives one care-team alert `client-reply` whose body does not contain the text
 * (staff read it where they sign in); nothing else gives one.
 */
export const otherRepliesAlertWithoutTheText: Rule = (scenario, events) => {
  const problems: string[] = [];
  let expectedTotal = 0;
  for (const { reply, caused } of replyEffects(scenario, events)) {
    if (reply.keyword !== 'other') continue;
    expectedTotal += 1;
    const alerts = caused.filter((e) => e.type === 'careteam.alert' && e.reason === 'client-reply');
    if (alerts.length !== 1)
      problems.push(`reply of ${reply.clientId} at ${reply.at}: ${alerts.length} client-reply alerts`);
    const text = reply.text.trim();
    for (const a of alerts)
      if (text.length >= 3 && str(a.body).toLowerCase().includes(text.toLowerCase()))
        problems.push(`client-reply alert for ${reply.clientId} at ${reply.at} contains the reply's text`);
  }
  const total = of(events, 'careteam.alert').filter((e) => e.reason === 'client-reply').length;
  if (total !== expectedTotal)
    problems.push(`${total} client-reply alerts in all, ${expectedTotal} other replies`);
  return problems;
};

SPEC_RULES.repliesAreReadAsKeywords = repliesAreReadAsKeywords;
SPEC_RULES.stopOptsOutAndSendsNothing = stopOptsOutAndSendsNothing;
SPEC_RULES.everyOptInIsConfirmedOnce = everyOptInIsConfirmedOnce;
SPEC_RULES.helpGetsOneAnswer = helpGetsOneAnswer;
SPEC_RULES.confirmConfirmsTheNextSession = confirmConfirmsTheNextSession;
SPEC_RULES.otherRepliesAlertWithoutTheText = otherRepliesAlertWithoutTheText;
