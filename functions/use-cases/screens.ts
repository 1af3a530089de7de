import type { Program } from '../domain/program.schema.ts';
import { planUntimedMessage } from '../domain/reminder-plan.ts';
import type { Screen, ScreenResult } from '../domain/screen.schema.ts';
import { DRAW_ALGORITHM, type DrawRecord, drawIdFor, drawScreens, newSeed } from '../domain/screening.ts';
import { quietHoursFor } from '../domain/session-jobs.ts';
import { smsTemplates } from '../domain/sms-templates.ts';
import {
  addDays,
  addMinutes,
  datesOfIsoWeek,
  dayOfWeek,
  isoWeekOfDate,
  localDateOf,
} from '../domain/zoned-time.ts';
import { alertCareTeam } from './care-team.ts';
import { ConflictError, type Deps, NotFoundError } from './deps.ts';
import { afterEngagementChange } from './engagement-hook.ts';
import { sendClientSms } from './send-sms.ts';

export const screenJobName = (phase: 'notice' | 'deadline', date: string, clientId: string) =>
  `scr-${phase[0]}-${date}-${clientId}`;

/**
 * The day's random drug-screen draw for a program, made once: a rerun (a retried or duplicated
 * schedule) returns the stored draw. Pool: clients active that day with a session that day.
 */
export async function drawScreensForDay(deps: Deps, programId: string, date: string) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const policy = program.drugScreens;
  if (!policy) return { skipped: 'the program has no drug-screen policy' };
  if (!policy.days.includes(dayOfWeek(date))) return { skipped: `${date} is not a draw day` };
  const stored = await deps.screening.getDraw(programId, date);
  if (stored) return { draw: stored, reused: true };

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
    drawnAt: deps.clock.now(),
  };
  if (!(await deps.screening.createDraw(draw))) {
    // Another invocation won the race: its draw is the draw.
    return { draw: (await deps.screening.getDraw(programId, date))!, reused: true };
  }
  await deps.activity.record({
    type: 'screen.draw',
    drawId: draw.drawId,
    date,
    poolSize: draw.pool.length,
    selectedCount: draw.selections.length,
    seed,
  });
  // The notice goes out now, or when quiet hours end; the window starts then, so the deadline is
  // known at draw time and both jobs are scheduled here.
  const noticeAt = planUntimedMessage(deps.clock.now(), quietHoursFor(program), program.timezone);
  const deadline = addMinutes(noticeAt, policy.windowHours * 60);
  for (const selection of draw.selections) {
    const clientId = selection.clientId;
    await deps.screening.putScreen({
      programId,
      clientId,
      date,
      drawId: draw.drawId,
      reason: selection.reason,
      noticeAt,
      deadline,
    });
    await deps.activity.record({
      type: 'screen.selected',
      drawId: draw.drawId,
      clientId,
      date,
      reason: selection.reason,
    });
    await deps.scheduler.scheduleOnce({
      name: screenJobName('deadline', date, clientId),
      target: 'check-screen',
      at: deadline,
      payload: { programId, clientId, date, phase: 'deadline' },
    });
    if (noticeAt === deps.clock.now()) await sendScreenNotice(deps, programId, clientId, date);
    else {
      await deps.scheduler.scheduleOnce({
        name: screenJobName('notice', date, clientId),
        target: 'check-screen',
        at: noticeAt,
        payload: { programId, clientId, date, phase: 'notice' },
      });
    }
  }
  deps.log.info('screens drawn', {
    programId,
    date,
    poolSize: draw.pool.length,
    selected: draw.selections.length,
  });
  return { draw, reused: false };
}

/** The neutral notice, once (ledger), naming the deadline set at draw time. */
export async function sendScreenNotice(deps: Deps, programId: string, clientId: string, date: string) {
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
    body: smsTemplates['screen-notice']({
      programName: program.name,
      deadline: screen.deadline,
      zone: program.timezone,
    }),
    context: {},
  });
}

/** At the window's end: no result is a no-show. */
export async function checkScreenDeadline(deps: Deps, programId: string, clientId: string, date: string) {
  const screen = await deps.screening.getScreen(programId, clientId, date);
  if (!screen || screen.result) return { skipped: 'result recorded' };
  const client = await deps.clients.getClient(programId, clientId);
  if (client?.status !== 'active') return { skipped: 'client left' };
  return recordScreenResult(deps, { programId, clientId, date, result: 'no-show' });
}

/** A result, from staff or the deadline. A positive alerts the care team, never the client. */
export async function recordScreenResult(
  deps: Deps,
  input: { programId: string; clientId: string; date: string; result: ScreenResult },
) {
  const program = await deps.programs.getProgram(input.programId);
  if (!program) throw new NotFoundError(`program ${input.programId} does not exist`);
  const client = await deps.clients.getClient(input.programId, input.clientId);
  if (!client) throw new NotFoundError(`client ${input.clientId} does not exist`);
  const existing = await deps.screening.getScreen(input.programId, input.clientId, input.date);
  if (existing?.result === input.result) return existing;
  if (existing?.result && existing.result !== 'no-show') {
    throw new ConflictError(`a ${input.date} result is recorded already for client ${input.clientId}`);
  }
  const screen: Screen = {
    ...(existing ?? {
      programId: input.programId,
      clientId: input.clientId,
      date: input.date,
      reason: 'staff' as const,
    }),
    result: input.result,
    recordedAt: deps.clock.now(),
  };
  await deps.screening.putScreen(screen);
  await deps.activity.record({
    type: 'screen.result',
    clientId: input.clientId,
    date: input.date,
    result: input.result,
  });
  if (input.result === 'no-show' || input.result === 'refused') {
    await alertCareTeam(deps, {
      programId: program.id,
      clientId: client.id,
      reason: 'screen-missed',
      subjectId: `screen-${input.date}-${client.id}`,
      text: `Screen of ${input.date} not completed (${input.result === 'no-show' ? 'no sample in the window' : 'refused'}).`,
    });
  }
  if (input.result === 'positive') {
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
export async function screensReport(deps: Deps, program: Program, from: string, to: string) {
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

export const localDateNow = (deps: Deps, program: Program) => localDateOf(deps.clock.now(), program.timezone);
