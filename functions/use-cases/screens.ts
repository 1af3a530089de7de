import type { Client } from '../domain/client.schema.ts';
import { deterministicId } from '../domain/ids.ts';
import type { Program } from '../domain/program.schema.ts';
import { planReminder, planUntimedMessage, quietHoursFor } from '../domain/reminders.ts';
import type { Screen, ScreenResult } from '../domain/screen.schema.ts';
import {
  DRAW_ALGORITHM,
  type DrawRecord,
  drawIdFor,
  drawScreens,
  newSeed,
  verifyDraw,
} from '../domain/screening.ts';
import type { Session } from '../domain/session.schema.ts';
import { smsTemplatesFor } from '../domain/sms-templates.ts';
import {
  addDays,
  addMinutes,
  addSeconds,
  datesOfIsoWeek,
  dayOfWeek,
  isoWeekOfDate,
  localDateOf,
} from '../domain/zoned-time.ts';
import type { SmsPacing } from '../ports/sms-queue.port.ts';
import { alertCareTeam } from './care-team.ts';
import { withConflictRetry } from './conflict-retry.ts';
import { ConflictError, type EngagementPorts, InvalidFieldError, NotFoundError, type Ports } from './deps.ts';
import { afterEngagementChange } from './engagement-hook.ts';
import { sendClientSms } from './send-sms.ts';
import { inParallel } from './session-jobs.ts';

/**
 * A selected client's notice and deadline jobs: unique across programs (two programs may both have
 * a client `c-001` drawn the same day) and short enough for the Scheduler's 64 characters.
 */
export const screenJobName = (
  phase: 'notice' | 'deadline',
  programId: string,
  date: string,
  clientId: string,
) => `scr-${phase[0]}-${date}-${deterministicId('', programId, clientId).slice(1)}`;

/** The draw a recurring schedule asks for: the local date it was due, even if delivered late or retried. */
export async function drawScreensWhenDue(
  deps: EngagementPorts & Ports<'random' | 'sms'>,
  job: { programId: string; scheduledTime?: string | undefined },
) {
  const program = await deps.programs.getProgram(job.programId);
  if (!program) throw new NotFoundError(`program ${job.programId} does not exist`);
  const date = localDateOf(job.scheduledTime ?? deps.clock.now(), program.timezone);
  const result = await drawScreensForDay(deps, program.id, date);
  return 'draw' in result
    ? { drawId: result.draw!.drawId, reused: result.reused, selected: result.draw!.selections.length }
    : result;
}

/**
 * The day's random drug-screen draw for a program. The draw record (pool, seed, selections) is the
 * decision, written once: a rerun (a retried or duplicated schedule) finds it and never draws
 * again. What follows from it is a sequence of idempotent steps, ensured for every selection on
 * every run: the screen, the deadline job, the notice (now, or a job at the end of quiet hours).
 * A run that failed half-way is finished by its retry. The clock is read once.
 */
export async function drawScreensForDay(
  deps: EngagementPorts & Ports<'random' | 'sms'>,
  programId: string,
  date: string,
) {
  const now = deps.clock.now();
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const policy = program.drugScreens;
  if (!policy) return { skipped: 'the program has no drug-screen policy' };
  if (!policy.days.includes(dayOfWeek(date))) return { skipped: `${date} is not a draw day` };
  const stored = await deps.screening.getDraw(programId, date);
  const draw = stored ?? (await makeDraw(deps, program, date, now));
  if (!draw) return { skipped: 'the program has no drug-screen policy' };
  const reused = stored !== undefined || draw.drawnAt !== now;
  // The notice goes out at the draw, or when quiet hours end (after that moment's reminders); the
  // window starts then, so the deadline is fixed with the draw and every run computes the same one.
  const noticeAt =
    draw.noticeAt ?? planUntimedMessage(draw.drawnAt, quietHoursFor(program), program.timezone);
  const deadline = addMinutes(noticeAt, policy.windowHours * 60);
  await inParallel(draw.selections, SELECTION_CONCURRENCY, (selection) =>
    ensureSelection(deps, {
      program,
      draw,
      clientId: selection.clientId,
      reason: selection.reason,
      noticeAt,
      deadline,
      now,
    }),
  );
  deps.log.info('screens drawn', {
    programId,
    date,
    poolSize: draw.pool.length,
    selected: draw.selections.length,
    reused,
  });
  return { draw, reused };
}

/** Selections followed up at once: each step is a few requests, and the draw job has minutes, not hours. */
const SELECTION_CONCURRENCY = 8;

/** Draws and stores the record; when another run stored one first, that one is the draw. */
async function makeDraw(
  deps: Ports<'sessions' | 'clients' | 'screening' | 'random' | 'activity' | 'pacing'>,
  program: Program,
  date: string,
  now: string,
) {
  const policy = program.drugScreens!;
  const programId = program.id;
  const week = isoWeekOfDate(date);
  const weekDates = datesOfIsoWeek(week);
  const [sessions, clients, earlierDraws] = await Promise.all([
    deps.sessions.listSessionsByWeek(programId, week),
    deps.clients.listClients(programId),
    date > weekDates[0]!
      ? deps.screening.listDraws(programId, weekDates[0]!, addDays(date, -1))
      : Promise.resolve([]),
  ]);
  const active = new Set(clients.filter((c) => c.status === 'active' && c.start <= date).map((c) => c.id));
  const live = sessions.filter((s) => s.status !== 'cancelled' && active.has(s.clientId));
  const pool = [...new Set(live.filter((s) => s.date === date).map((s) => s.clientId))];
  // each client's session dates, so the minimum rule costs one lookup per client and day
  const sessionDates = new Map<string, Set<string>>();
  for (const s of live) sessionDates.set(s.clientId, (sessionDates.get(s.clientId) ?? new Set()).add(s.date));
  const selectedThisWeek: Record<string, number> = {};
  for (const d of earlierDraws)
    for (const s of d.selections) selectedThisWeek[s.clientId] = (selectedThisWeek[s.clientId] ?? 0) + 1;
  const laterDrawDays = weekDates.filter(
    (d) => d > date && policy.days.includes(dayOfWeek(d)) && !program.closures.includes(d),
  );
  const remainingDrawDaysWithSession: Record<string, number> = {};
  for (const clientId of pool) {
    const dates = sessionDates.get(clientId)!;
    remainingDrawDaysWithSession[clientId] = laterDrawDays.filter((d) => dates.has(d)).length;
  }
  const seed = newSeed((n) => deps.random.bytes(n));
  const policySnapshot = {
    rate: policy.rate,
    minPerWeek: policy.minPerWeek,
    ...(policy.maxPerWeek ? { maxPerWeek: policy.maxPerWeek } : {}),
  };
  const result = drawScreens({
    seed,
    pool,
    policy: policySnapshot,
    selectedThisWeek,
    remainingDrawDaysWithSession,
  });
  const draw: DrawRecord = {
    programId,
    date,
    drawId: drawIdFor(programId, date),
    algorithm: DRAW_ALGORITHM,
    seed,
    pool: result.pool,
    policy: policySnapshot,
    selectedThisWeek,
    remainingDrawDaysWithSession,
    selections: result.selections,
    drawnAt: now,
    // Reminders released with the notices are for this day's sessions and (a day ahead) the next's.
    noticeAt: noticeTime(
      program,
      now,
      live.filter((s) => s.date === date || s.date === addDays(date, 1)),
      clients,
      deps.pacing,
    ),
  };
  if (!(await deps.screening.createDraw(draw))) {
    // Another invocation won the race: its draw is the draw.
    return deps.screening.getDraw(programId, date);
  }
  // Recorded with the decision, once: the steps after it may be retried, these events are not.
  await deps.activity.record({
    type: 'screen.draw',
    drawId: draw.drawId,
    date,
    poolSize: draw.pool.length,
    selectedCount: draw.selections.length,
    seed,
  });
  for (const selection of draw.selections) {
    await deps.activity.record({
      type: 'screen.selected',
      drawId: draw.drawId,
      clientId: selection.clientId,
      date,
      reason: selection.reason,
    });
  }
  return draw;
}

/**
 * When a draw's notices go out. At the draw, unless it falls in quiet hours: then when they end,
 * but after the reminders released at that same instant (issue 16). Those have a session to beat
 * and go first anyway (earliest deadline first); planning the notices after them keeps them out
 * of the burst, so each notice goes within moments of its time and the screen's window, which
 * starts with the notice, is the one the client is told.
 */
export function noticeTime(
  program: Program,
  drawnAt: string,
  sessions: readonly Session[],
  clients: readonly Client[],
  pacing: Pick<SmsPacing, 'perSecond' | 'identities'> | undefined,
): string {
  const quietEnd = planUntimedMessage(drawnAt, quietHoursFor(program), program.timezone);
  if (quietEnd === drawnAt || !pacing) return quietEnd;
  const byId = new Map(clients.map((c) => [c.id, c]));
  let released = 0;
  for (const session of sessions) {
    const client = byId.get(session.clientId);
    if (!client?.smsConsent || client.smsOptedOut) continue;
    for (const offset of program.reminders.offsetsMinutes) {
      const plan = planReminder(session.start, offset, quietHoursFor(program, client), program.timezone);
      if (plan.action === 'send' && plan.at === quietEnd) released++;
    }
  }
  const seconds = Math.floor(released / (pacing.perSecond * Math.max(1, pacing.identities.length)));
  return addSeconds(quietEnd, seconds);
}

/** One selection's steps, each idempotent: the screen, the deadline job, the notice. */
async function ensureSelection(
  deps: EngagementPorts & Ports<'sms'>,
  s: {
    program: Program;
    draw: DrawRecord;
    clientId: string;
    reason: 'random' | 'minimum';
    noticeAt: string;
    deadline: string;
    now: string;
  },
) {
  const { program, draw, clientId } = s;
  const programId = program.id;
  await deps.screening.createScreen({
    programId,
    clientId,
    date: draw.date,
    drawId: draw.drawId,
    reason: s.reason,
    noticeAt: s.noticeAt,
    deadline: s.deadline,
    history: [],
    version: 1,
  });
  if (s.deadline > s.now) {
    await deps.scheduler.scheduleOnce({
      name: screenJobName('deadline', programId, draw.date, clientId),
      target: 'check-screen',
      at: s.deadline,
      payload: { programId, clientId, date: draw.date, phase: 'deadline' },
    });
  } else {
    // A rerun after the window closed: the deadline is decided now rather than scheduled in the past.
    await checkScreenDeadline(deps, programId, clientId, draw.date);
  }
  if (s.noticeAt > s.now) {
    await deps.scheduler.scheduleOnce({
      name: screenJobName('notice', programId, draw.date, clientId),
      target: 'check-screen',
      at: s.noticeAt,
      payload: { programId, clientId, date: draw.date, phase: 'notice' },
    });
  } else if (s.deadline > s.now) {
    await sendScreenNotice(deps, programId, clientId, draw.date);
  }
}

/** The neutral notice, once (ledger), naming the deadline set at draw time. */
export async function sendScreenNotice(
  deps: Ports<'programs' | 'clients' | 'screening' | 'sms' | 'ledger' | 'clock' | 'activity' | 'log'>,
  programId: string,
  clientId: string,
  date: string,
) {
  const [program, client, screen] = await Promise.all([
    deps.programs.getProgram(programId),
    deps.clients.getClient(programId, clientId),
    deps.screening.getScreen(programId, clientId, date),
  ]);
  if (!program?.drugScreens || !client || !screen?.deadline) return { skipped: 'gone' };
  if (screen.result) return { skipped: 'result recorded already' };
  return sendClientSms(deps, {
    program,
    client,
    purpose: 'screen-notice',
    key: { programId, subjectId: `screen-${date}-${clientId}`, purpose: 'screen-notice' },
    body: smsTemplatesFor(client.language)['screen-notice']({
      programName: program.name,
      deadline: screen.deadline,
      zone: program.timezone,
    }),
    context: {},
  });
}

/** At the window's end: no result is a no-show (unless staff recorded one meanwhile: theirs wins). */
export async function checkScreenDeadline(
  deps: EngagementPorts,
  programId: string,
  clientId: string,
  date: string,
) {
  const screen = await deps.screening.getScreen(programId, clientId, date);
  if (!screen) return { skipped: 'no screen' };
  if (screen.result && screen.result !== 'no-show') return { skipped: 'result recorded' };
  const client = await deps.clients.getClient(programId, clientId);
  if (client?.status !== 'active') return { skipped: 'client left' };
  return recordScreenResult(deps, { programId, clientId, date, result: 'no-show', by: SYSTEM });
}

const SYSTEM = 'cadence';

/**
 * A result, from staff or the deadline (`by: 'cadence'`, always `no-show`). Conditional on the
 * screen's version and re-decided on conflict: the deadline's no-show never replaces a result; a
 * staff result replaces a no-show, which moves to the screen's history (the audit trail); a
 * second, different staff result is a conflict. The alert (a positive alerts the care team,
 * never the client; a no-show or refusal too) and the engagement evaluation are ensured on every
 * call, so a retry after a failed alert sends it.
 */
export async function recordScreenResult(
  deps: EngagementPorts,
  input: { programId: string; clientId: string; date: string; result: ScreenResult; by?: string },
) {
  const program = await deps.programs.getProgram(input.programId);
  if (!program) throw new NotFoundError(`program ${input.programId} does not exist`);
  const client = await deps.clients.getClient(input.programId, input.clientId);
  if (!client) throw new NotFoundError(`client ${input.clientId} does not exist`);
  const by = input.by ?? 'staff';
  let changed = false;
  const screen = await withConflictRetry(async () => {
    changed = false;
    const existing = await deps.screening.getScreen(input.programId, input.clientId, input.date);
    if (existing?.result === input.result) return existing;
    if (existing?.result && (by === SYSTEM || existing.result !== 'no-show')) {
      if (by === SYSTEM) return existing;
      throw new ConflictError(`a ${input.date} result is recorded already for client ${input.clientId}`);
    }
    const now = deps.clock.now();
    const next: Screen = {
      ...(existing ?? {
        programId: input.programId,
        clientId: input.clientId,
        date: input.date,
        reason: 'staff' as const,
        history: [],
      }),
      result: input.result,
      recordedAt: now,
      recordedBy: by,
      history: existing?.result
        ? [
            ...existing.history,
            {
              result: existing.result,
              recordedAt: existing.recordedAt ?? now,
              ...(existing.recordedBy ? { recordedBy: existing.recordedBy } : {}),
            },
          ]
        : (existing?.history ?? []),
      version: (existing?.version ?? 0) + 1,
    };
    const written = existing
      ? await deps.screening.updateScreen(next, existing.version)
      : await deps.screening.createScreen(next);
    if (!written) return undefined;
    changed = true;
    return next;
  }, `screen ${input.date} of client ${input.clientId}`);
  if (changed) {
    await deps.activity.record({
      type: 'screen.result',
      clientId: input.clientId,
      date: input.date,
      result: screen.result,
    });
  }
  if (screen.result === 'no-show' || screen.result === 'refused') {
    await alertCareTeam(deps, {
      programId: program.id,
      clientId: client.id,
      reason: 'screen-missed',
      subjectId: `screen-${input.date}-${client.id}`,
      text: `Screen of ${input.date} not completed (${screen.result === 'no-show' ? 'no sample in the window' : 'refused'}).`,
    });
  }
  if (screen.result === 'positive') {
    await alertCareTeam(deps, {
      programId: program.id,
      clientId: client.id,
      reason: 'screen-positive',
      subjectId: `screen-${input.date}-${client.id}`,
      text: `Screen of ${input.date} needs clinical review.`,
    });
  }
  await afterEngagementChange(deps, program.id, client.id);
  return screen;
}

/** Per client: the draws they were eligible for, times selected, last selected; and who was never selected. */
export async function screensReport(deps: Ports<'screening'>, program: Program, from: string, to: string) {
  const draws = await deps.screening.listDraws(program.id, from, to);
  const rows = new Map<
    string,
    { clientId: string; eligible: number; selected: number; lastSelected: string | null }
  >();
  for (const draw of draws) {
    for (const clientId of draw.pool) {
      const row = rows.get(clientId) ?? { clientId, eligible: 0, selected: 0, lastSelected: null };
      row.eligible += 1;
      rows.set(clientId, row);
    }
    for (const s of draw.selections) {
      const row = rows.get(s.clientId)!;
      row.selected += 1;
      if (!row.lastSelected || row.lastSelected < draw.date) row.lastSelected = draw.date;
    }
  }
  const clients = [...rows.values()].sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
  return {
    programId: program.id,
    from,
    to,
    draws: draws.length,
    clients,
    neverSelected: clients.filter((c) => c.selected === 0).map((c) => c.clientId),
  };
}

export const localDateNow = (deps: Ports<'clock'>, program: Program) =>
  localDateOf(deps.clock.now(), program.timezone);

/** Staff record a screen's result: for today or a past day (local to the program); see recordScreenResult. */
export async function recordStaffScreenResult(
  deps: EngagementPorts,
  input: { programId: string; clientId: string; date: string; result: ScreenResult },
) {
  const program = await deps.programs.getProgram(input.programId);
  if (!program) throw new NotFoundError(`program ${input.programId} does not exist`);
  const today = localDateNow(deps, program);
  if (input.date > today)
    throw new InvalidFieldError(
      'body.date',
      `${input.date} is in the future (today is ${today} in ${program.timezone})`,
    );
  return recordScreenResult(deps, input);
}

/** The fairness report of an existing program (see screensReport). */
export async function programScreensReport(
  deps: Ports<'programs' | 'screening'>,
  programId: string,
  from: string,
  to: string,
) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  return screensReport(deps, program, from, to);
}

/** A day's draw, and whether its selections follow from its seed and pool. */
export async function getVerifiedDraw(deps: Ports<'screening'>, programId: string, date: string) {
  const draw = await deps.screening.getDraw(programId, date);
  if (!draw) throw new NotFoundError(`no draw on ${date}`);
  return { ...draw, verified: verifyDraw(draw) };
}
