import type { Client } from '../domain/client.schema.ts';
import {
  decideFlagChanges,
  escalationTime,
  evaluateEngagement,
  flagIdFor,
  type RuleEvaluation,
} from '../domain/engagement.ts';
import type { Flag } from '../domain/flag.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import { addMinutes } from '../domain/zoned-time.ts';
import { alertCareTeam } from './care-team.ts';
import { type Deps, NotFoundError } from './deps.ts';

export const escalationJobName = (flagId: string) => `esc-${flagId}`;
const SYSTEM = 'cadence';

/**
 * Evaluates a client's engagement rules now and applies the changes: a rule that newly holds
 * raises one flag (with evidence, an alert and an escalation schedule); an open flag whose rule
 * no longer holds is resolved as re-engaged with an all-clear.
 */
export async function evaluateClientEngagement(
  deps: Deps,
  programId: string,
  clientId: string,
  known: { program?: Program; client?: Client } = {},
) {
  const program = known.program ?? (await deps.programs.getProgram(programId));
  const client = known.client ?? (await deps.clients.getClient(programId, clientId));
  if (!program || client?.status !== 'active') return { raised: 0, resolved: 0 };
  const now = deps.clock.now();
  const [sessions, screens, flags] = await Promise.all([
    deps.sessions.listSessionsByClient(programId, clientId, { to: now }),
    deps.screening.listScreensByClient(programId, clientId),
    deps.flags.listFlagsByClient(programId, clientId),
  ]);
  const evaluations = evaluateEngagement({
    policy: program.disengagement,
    now,
    clientStart: client.start,
    zone: program.timezone,
    sessions,
    screens: screens
      .filter((s) => s.result && s.recordedAt)
      .map((s) => ({ date: s.date, result: s.result!, recordedAt: s.recordedAt! })),
  });
  const open = flags.filter((f) => f.status === 'open');
  const { raise, resolve } = decideFlagChanges(
    open.map((f) => ({
      flagId: f.flagId,
      rule: f.rule,
      raisedAt: f.raisedAt,
      ...(f.acknowledgedAt ? { acknowledgedAt: f.acknowledgedAt } : {}),
    })),
    evaluations,
  );
  let raised = 0;
  for (const evaluation of raise) {
    // Staff closed a flag on exactly this evidence: not raised again until something changes.
    const dismissed = flags.some(
      (f) =>
        f.rule === evaluation.rule &&
        f.resolution === 'staff' &&
        JSON.stringify(f.evidence) === JSON.stringify(evaluation.evidence),
    );
    if (!dismissed && (await raiseFlag(deps, program, clientId, evaluation, now))) raised++;
  }
  for (const stale of resolve) {
    const flag = open.find((f) => f.flagId === stale.flagId)!;
    await closeFlag(deps, program, flag, { by: SYSTEM, resolution: 're-engaged' });
  }
  return { raised, resolved: resolve.length };
}

async function raiseFlag(
  deps: Deps,
  program: Program,
  clientId: string,
  evaluation: RuleEvaluation,
  now: string,
) {
  const flag: Flag = {
    flagId: flagIdFor(program.id, clientId, evaluation.rule, now),
    programId: program.id,
    clientId,
    rule: evaluation.rule,
    status: 'open',
    raisedAt: now,
    evidence: evaluation.evidence,
    explanation: evaluation.explanation,
  };
  if (!(await deps.flags.openFlag(flag))) return false;
  await deps.flags.addAudit(program.id, { flagId: flag.flagId, at: now, action: 'raised', by: SYSTEM });
  await deps.activity.record({
    type: 'flag.raised',
    flagId: flag.flagId,
    clientId,
    rule: flag.rule,
    evidence: flag.evidence,
  });
  await alertCareTeam(deps, {
    programId: program.id,
    clientId,
    reason: 'disengagement',
    subjectId: flag.flagId,
    flagId: flag.flagId,
    text: `Disengagement (${flag.rule}): ${flag.explanation}`,
  });
  await deps.scheduler.scheduleOnce({
    name: escalationJobName(flag.flagId),
    target: 'escalate-flag',
    at: escalationTime({ raisedAt: now }, program.disengagement),
    payload: { programId: program.id, flagId: flag.flagId },
  });
  return true;
}

async function closeFlag(
  deps: Deps,
  program: Program,
  flag: Flag,
  how: { by: string; resolution: 're-engaged' | 'staff'; note?: string },
) {
  const now = deps.clock.now();
  const resolved: Flag = {
    ...flag,
    status: 'resolved',
    resolvedAt: now,
    resolvedBy: how.by,
    resolution: how.resolution,
    ...(how.note ? { note: how.note } : {}),
  };
  await deps.flags.updateFlag(resolved);
  await deps.scheduler.cancel([escalationJobName(flag.flagId)]);
  await deps.flags.addAudit(program.id, {
    flagId: flag.flagId,
    at: now,
    action: 'resolved',
    by: how.by,
    ...(how.note ? { note: how.note } : {}),
  });
  await deps.activity.record({
    type: 'flag.resolved',
    flagId: flag.flagId,
    clientId: flag.clientId,
    reason: how.resolution,
  });
  if (how.resolution === 're-engaged') {
    await alertCareTeam(deps, {
      programId: program.id,
      clientId: flag.clientId,
      reason: 'all-clear',
      subjectId: flag.flagId,
      flagId: flag.flagId,
      text: `All clear (${flag.rule}): the client is engaging again.`,
    });
  }
  return resolved;
}

/** Acknowledging stops the escalation; the flag stays open until its rule stops holding or staff resolve it. */
export async function acknowledgeFlag(deps: Deps, programId: string, flagId: string, by: string) {
  const flag = await deps.flags.getFlag(programId, flagId);
  if (!flag) throw new NotFoundError(`flag ${flagId} does not exist`);
  if (flag.status !== 'open' || flag.acknowledgedAt) return flag;
  const now = deps.clock.now();
  const updated: Flag = { ...flag, acknowledgedAt: now, acknowledgedBy: by };
  await deps.flags.updateFlag(updated);
  await deps.scheduler.cancel([escalationJobName(flagId)]);
  await deps.flags.addAudit(programId, { flagId, at: now, action: 'acknowledged', by });
  await deps.activity.record({ type: 'flag.acknowledged', flagId, clientId: flag.clientId });
  return updated;
}

export async function acknowledgeClientFlags(deps: Deps, programId: string, clientId: string, by: string) {
  const open = (await deps.flags.listFlagsByClient(programId, clientId)).filter(
    (f) => f.status === 'open' && !f.acknowledgedAt,
  );
  return Promise.all(open.map((f) => acknowledgeFlag(deps, programId, f.flagId, by)));
}

export async function resolveFlag(deps: Deps, programId: string, flagId: string, by: string, note?: string) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const flag = await deps.flags.getFlag(programId, flagId);
  if (!flag) throw new NotFoundError(`flag ${flagId} does not exist`);
  if (flag.status === 'resolved') return flag;
  return closeFlag(deps, program, flag, { by, resolution: 'staff', ...(note ? { note } : {}) });
}

/** Fires escalateAfterHours after a flag: one escalation alert if nobody acknowledged it. */
export async function escalateFlag(deps: Deps, programId: string, flagId: string) {
  const flag = await deps.flags.getFlag(programId, flagId);
  if (flag?.status !== 'open' || flag.acknowledgedAt || flag.escalatedAt) return { escalated: false };
  const now = deps.clock.now();
  await deps.flags.updateFlag({ ...flag, escalatedAt: now });
  await deps.flags.addAudit(programId, { flagId, at: now, action: 'escalated', by: SYSTEM });
  await alertCareTeam(deps, {
    programId,
    clientId: flag.clientId,
    reason: 'escalation',
    subjectId: flagId,
    flagId,
    text: `Escalation: flag ${flag.rule} raised ${flag.raisedAt} has not been acknowledged. ${flag.explanation}`,
  });
  return { escalated: true };
}

/** The daily sweep: rules that only change with time (a growing gap) are caught here. */
export async function sweepEngagement(deps: Deps, programId: string) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const clients = (await deps.clients.listClients(programId)).filter((c) => c.status === 'active');
  let raised = 0;
  let resolved = 0;
  for (const client of clients) {
    const r = await evaluateClientEngagement(deps, programId, client.id, { program, client });
    raised += r.raised;
    resolved += r.resolved;
  }
  // The exactly-once crash window: a send claimed but never confirmed (the function died between
  // claim and publish, or between publish and confirm). It is never re-sent automatically: it is
  // logged as an error (an ops alarm watches the metric filter) for a human to check.
  const stuck = await deps.ledger.listUnconfirmed(
    programId,
    addMinutes(deps.clock.now(), -UNCONFIRMED_AFTER_MINUTES),
  );
  if (stuck.length) {
    deps.log.error('unconfirmed SMS sends', {
      programId,
      count: stuck.length,
      sends: stuck
        .slice(0, 20)
        .map((s) => ({ subjectId: s.key.subjectId, purpose: s.key.purpose, claimedAt: s.claimedAt })),
    });
  }
  return { clients: clients.length, raised, resolved, unconfirmedSends: stuck.length };
}

/** A claim older than this without a message id is stuck, not in flight. */
const UNCONFIRMED_AFTER_MINUTES = 10;
