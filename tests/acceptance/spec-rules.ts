import { asamMinimumHours } from '../../functions/domain/client.schema.ts';
import { isQuiet } from '../../functions/domain/quiet-hours.ts';
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
 * The rules of shared/scenario-spec.md, checked on a run's events. Each returns the violations it
 * found, as sentences; an empty list means the rule holds.
 */
type Rule = (scenario: Scenario, events: StampedEvent[]) => string[];

const of = (events: StampedEvent[], type: string) => events.filter((e) => e.type === type);
const str = (v: unknown) => String(v);

function liveSessions(events: StampedEvent[], at?: string) {
  const cancelled = new Set(
    of(events, 'session.cancelled')
      .filter((e) => at === undefined || str(e.at) <= at)
      .map((e) => str(e.sessionId)),
  );
  return of(events, 'session.scheduled').filter((s) => !cancelled.has(str(s.sessionId)));
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

export const noOverlaps: Rule = (_scenario, events) => {
  const sessions = liveSessions(events);
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
  return of(events, 'sms.sent')
    .filter((e) => isQuiet(str(e.at), override.get(str(e.clientId))!, scenario.program.timezone))
    .map((e) => `SMS to ${e.clientId} at ${e.at} in quiet hours`);
};

/** Reminders go out at start − offset, or at the end of quiet hours if still ≥ 30 min before the start. */
export const remindersFollowOffsetsAndDeferral: Rule = (scenario, events) => {
  const sessions = new Map(of(events, 'session.scheduled').map((s) => [str(s.sessionId), s]));
  const zone = scenario.program.timezone;
  const problems: string[] = [];
  for (const e of of(events, 'sms.sent').filter((x) => x.purpose === 'reminder')) {
    const session = sessions.get(str(e.sessionId));
    if (!session) {
      problems.push(`reminder for unknown session ${e.sessionId}`);
      continue;
    }
    const due = addMinutes(str(session.start), -Number(e.offsetMinutes));
    if (e.at === due) continue;
    const quiet =
      scenario.clients.find((c) => c.id === e.clientId)?.quietHours ?? scenario.program.quietHours;
    const deferredOk =
      isQuiet(due, quiet, zone) &&
      localTimeOf(str(e.at), zone) === quiet.end &&
      str(e.at) > due &&
      minutesBetween(str(e.at), str(session.start)) >= 30;
    if (!deferredOk) problems.push(`reminder ${e.sessionId}/${e.offsetMinutes} at ${e.at}, due ${due}`);
  }
  const seen = new Set<string>();
  for (const e of of(events, 'sms.sent').filter(
    (x) => x.purpose === 'reminder' || x.purpose === 'missed-session',
  )) {
    const key = `${e.sessionId}|${e.purpose}|${e.offsetMinutes}`;
    if (seen.has(key)) problems.push(`more than one SMS for ${key}`);
    seen.add(key);
  }
  return [...new Set(problems)];
};

/** Nobody without consent, opted out (between opt-out and opt-in) or discharged gets an SMS. */
export const noSmsToClientsWhoMayNotReceiveIt: Rule = (scenario, events) => {
  const zone = scenario.program.timezone;
  const at = (local: string) => localToUtc(local.slice(0, 10), local.slice(11), zone);
  const problems: string[] = [];
  for (const e of of(events, 'sms.sent')) {
    const client = scenario.clients.find((c) => c.id === e.clientId)!;
    if (e.to !== client.phone) problems.push(`SMS to ${e.to}, not ${client.id}'s number`);
    const optIns = scenario.actions.filter(
      (a) => a.clientId === client.id && a.type === 'opt-in' && at(a.at) <= str(e.at),
    );
    if (!client.smsConsent && optIns.length === 0)
      problems.push(`SMS to ${client.id} without consent at ${e.at}`);
    const lastChange = scenario.actions
      .filter(
        (a) =>
          a.clientId === client.id && (a.type === 'opt-out' || a.type === 'opt-in') && at(a.at) <= str(e.at),
      )
      .sort((a, b) => (a.at < b.at ? -1 : 1))
      .at(-1);
    if (lastChange?.type === 'opt-out') problems.push(`SMS to opted-out ${client.id} at ${e.at}`);
    const discharge = scenario.actions.find((a) => a.clientId === client.id && a.type === 'discharge');
    if (discharge && at(discharge.at) <= str(e.at))
      problems.push(`SMS to discharged ${client.id} at ${e.at}`);
  }
  return problems;
};

export const smsWordingIsNeutral: Rule = (scenario, events) =>
  of(events, 'sms.sent').flatMap((e) =>
    smsRuleViolations(str(e.body), scenario.program.name).map((p) => `SMS ${e.messageId}: ${p}`),
  );

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

/** Every absence on a session day is a missed session, and a missed session follows no check-in. */
export const absencesBecomeMissedSessions: Rule = (scenario, events) => {
  const missed = new Set(of(events, 'session.missed').map((e) => str(e.sessionId)));
  const present = new Set(
    of(events, 'attendance.recorded')
      .filter((e) => e.status === 'present')
      .map((e) => str(e.sessionId)),
  );
  const absent = new Set(scenario.absences.map((a) => `${a.clientId}|${a.date}`));
  const problems: string[] = [];
  for (const s of liveSessions(events)) {
    const sessionId = str(s.sessionId);
    if (
      absent.has(`${s.clientId}|${s.date}`) &&
      !missed.has(sessionId) &&
      addMinutes(str(s.start), scenario.program.missedSession.graceMinutes) < runEnd(scenario)
    ) {
      problems.push(`absence of ${s.clientId} at ${sessionId} not reported as missed`);
    }
    if (missed.has(sessionId) && present.has(sessionId))
      problems.push(`session ${sessionId} both attended and missed`);
  }
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
    if (Math.abs(minutesBetween(localToUtc(date, policy.drawAt, zone), str(d.at))) > 1)
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
  const drawDates = new Set(of(events, 'screen.draw').map((d) => str(d.date)));
  const selectedPerWeek = new Map<string, number>();
  for (const x of of(events, 'screen.selected')) {
    const k = `${x.clientId}|${isoWeek(str(x.date))}`;
    selectedPerWeek.set(k, (selectedPerWeek.get(k) ?? 0) + 1);
  }
  const discharged = new Set(scenario.actions.filter((a) => a.type === 'discharge').map((a) => a.clientId));
  const problems: string[] = [];
  const due = new Set(
    liveSessions(events)
      .filter((s) => drawDates.has(str(s.date)) && !discharged.has(str(s.clientId)))
      .map((s) => `${s.clientId}|${isoWeek(str(s.date))}`),
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
    if (escalations[0] && escalations[0].at !== deadline)
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
};
