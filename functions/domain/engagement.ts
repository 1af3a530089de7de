import type { FlagRule as EngagementRule } from './flag.schema.ts';
import { deterministicId } from './ids.ts';
import type { DisengagementPolicy } from './program.schema.ts';
import type { ScreenResult } from './screen.schema.ts';
import type { Session } from './session.schema.ts';
import { addMinutes, localToUtc, minutesBetween } from './zoned-time.ts';

export type { FlagRule as EngagementRule } from './flag.schema.ts';

export interface ScreenOutcome {
  date: string;
  result: ScreenResult;
  recordedAt: string;
}

export interface RuleEvaluation {
  rule: EngagementRule;
  holds: boolean;
  evidence: Record<string, unknown>;
  /**
   * What makes the rule hold, as stable ids (sessions, a screen date), never the time of the
   * evaluation: a staff dismissal sticks until an id outside the dismissed set appears.
   */
  evidenceIds: string[];
  /** One sentence a clinician reads in the alert: dates and counts, no PHI. */
  explanation: string;
}

export interface OpenFlag {
  flagId: string;
  rule: EngagementRule;
  raisedAt: string;
  acknowledgedAt?: string;
}

const DAY_MINUTES = 24 * 60;

/**
 * The disengagement rules, evaluated at `now`. Only sessions that started before now and are not
 * cancelled count, and only once attendance is known: present is attended, absent is missed;
 * excused and not-yet-checked sessions count neither way.
 */
export function evaluateEngagement(input: {
  policy: DisengagementPolicy;
  now: string;
  clientStart: string;
  zone: string;
  sessions: Session[];
  screens: ScreenOutcome[];
}): RuleEvaluation[] {
  const { policy, now } = input;
  const counted = input.sessions
    .filter(
      (s) =>
        s.start <= now &&
        s.status !== 'cancelled' &&
        (s.attendance === 'present' || s.attendance === 'absent'),
    )
    .sort((a, b) => (a.start < b.start ? -1 : 1));
  return [
    consecutiveMisses(counted, policy),
    lowAttendance(counted, policy, now),
    attendanceGap(counted, policy, now, localToUtc(input.clientStart, '00:00', input.zone)),
    screenMissed(input.screens),
  ];
}

function consecutiveMisses(counted: Session[], policy: DisengagementPolicy): RuleEvaluation {
  const n = policy.consecutiveMisses;
  let run = 0;
  for (let i = counted.length - 1; i >= 0 && counted[i]!.attendance === 'absent'; i--) run++;
  const missed = counted.slice(counted.length - run);
  const holds = run >= n;
  return {
    rule: 'consecutive-misses',
    holds,
    evidenceIds: missed.map((s) => s.sessionId),
    evidence: {
      count: run,
      threshold: n,
      sessionIds: missed.map((s) => s.sessionId),
      dates: missed.map((s) => s.date),
    },
    explanation: holds
      ? `Missed the last ${run} sessions in a row (${missed.map((s) => s.date).join(', ')}).`
      : `Missed ${run} of the last sessions in a row, under the threshold of ${n}.`,
  };
}

function lowAttendance(counted: Session[], policy: DisengagementPolicy, now: string): RuleEvaluation {
  const from = addMinutes(now, -policy.windowDays * DAY_MINUTES);
  const due = counted.filter((s) => s.start >= from);
  const attended = due.filter((s) => s.attendance === 'present').length;
  const rate = due.length ? Math.round((attended / due.length) * 100) / 100 : 1;
  const holds = due.length >= policy.minSessionsForRate && attended / due.length < policy.minAttendanceRate;
  return {
    rule: 'low-attendance',
    holds,
    evidenceIds: due.filter((s) => s.attendance === 'absent').map((s) => s.sessionId),
    evidence: {
      rate,
      attended,
      due: due.length,
      windowDays: policy.windowDays,
      threshold: policy.minAttendanceRate,
      from,
      to: now,
    },
    explanation: `Attended ${attended} of ${due.length} sessions (${Math.round(rate * 100)} %) in the last ${policy.windowDays} days; the threshold is ${Math.round(policy.minAttendanceRate * 100)} %.`,
  };
}

function attendanceGap(
  counted: Session[],
  policy: DisengagementPolicy,
  now: string,
  clientStart: string,
): RuleEvaluation {
  const lastAttended = counted.filter((s) => s.attendance === 'present').at(-1);
  const since = lastAttended?.start ?? clientStart;
  const exactDays = minutesBetween(since, now) / DAY_MINUTES;
  const days = Math.floor(exactDays * 10) / 10;
  // Nothing due in the gap (a closure, a break in the plan) is not the client's gap.
  const missedInGap = counted.filter((s) => s.start > since);
  const dueInGap = missedInGap.length;
  const holds = exactDays > policy.maxGapDays && dueInGap > 0;
  return {
    rule: 'attendance-gap',
    holds,
    evidenceIds: missedInGap.map((s) => s.sessionId),
    evidence: {
      lastAttended: lastAttended?.date ?? null,
      days,
      maxGapDays: policy.maxGapDays,
      missedInGap: dueInGap,
    },
    explanation: lastAttended
      ? `No session attended for ${days} days (last on ${lastAttended.date}); the limit is ${policy.maxGapDays}.`
      : `No session attended in the ${days} days since enrolment; the limit is ${policy.maxGapDays}.`,
  };
}

function screenMissed(screens: ScreenOutcome[]): RuleEvaluation {
  const latest = [...screens].sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : 1)).at(-1);
  const holds = latest?.result === 'no-show' || latest?.result === 'refused';
  return {
    rule: 'screen-missed',
    holds,
    evidenceIds: latest && holds ? [`screen:${latest.date}`] : [],
    evidence:
      latest && holds ? { date: latest.date, outcome: latest.result } : { date: latest?.date ?? null },
    explanation: holds
      ? `The screen of ${latest!.date} was ${latest!.result === 'no-show' ? 'not completed in its window' : 'refused'}.`
      : 'The latest screen was completed.',
  };
}

/** Whether staff dismissed exactly this evidence (or more of it): every current id was in a dismissed flag. */
export function dismissedBefore(
  evaluation: Pick<RuleEvaluation, 'rule' | 'evidenceIds'>,
  flags: { rule: EngagementRule; resolution?: string | undefined; evidenceIds: string[] }[],
): boolean {
  return flags.some(
    (f) =>
      f.rule === evaluation.rule &&
      f.resolution === 'staff' &&
      evaluation.evidenceIds.length > 0 &&
      evaluation.evidenceIds.every((id) => f.evidenceIds.includes(id)),
  );
}

/** At most one open flag per client and rule: raise what newly holds, resolve what no longer does. */
export function decideFlagChanges(open: OpenFlag[], evaluations: RuleEvaluation[]) {
  const openRules = new Set(open.map((f) => f.rule));
  const holding = new Set(evaluations.filter((e) => e.holds).map((e) => e.rule));
  return {
    raise: evaluations.filter((e) => e.holds && !openRules.has(e.rule)),
    resolve: open.filter((f) => !holding.has(f.rule)),
  };
}

export function flagIdFor(
  programId: string,
  clientId: string,
  rule: EngagementRule,
  raisedAt: string,
): string {
  return deterministicId('f', programId, clientId, rule, raisedAt);
}

export function escalationTime(
  flag: Pick<OpenFlag, 'raisedAt'>,
  policy: Pick<DisengagementPolicy, 'escalateAfterHours'>,
): string {
  return addMinutes(flag.raisedAt, Math.round(policy.escalateAfterHours * 60));
}

export function escalationDue(flag: OpenFlag, policy: DisengagementPolicy, now: string): boolean {
  return !flag.acknowledgedAt && escalationTime(flag, policy) <= now;
}
