import type { Client } from '../domain/client.schema.ts';
import {
  decideFlagChanges,
  dismissedBefore,
  escalationTime,
  evaluateEngagement,
  flagIdFor,
  type RuleEvaluation,
} from '../domain/engagement.ts';
import type { Flag, FlagAudit } from '../domain/flag.schema.ts';
import type { Program } from '../domain/program.schema.ts';
import { redactError } from '../domain/redact.ts';
import { addMinutes } from '../domain/zoned-time.ts';
import type { PageRequest } from '../ports/repository.port.ts';
import { alertCareTeam } from './care-team.ts';
import { withConflictRetry } from './conflict-retry.ts';
import { type EngagementPorts, NotFoundError, type Ports } from './deps.ts';

export const escalationJobName = (flagId: string) => `esc-${flagId}`;
const SYSTEM = 'cadence';

/**
 * Evaluates a client's engagement rules now and applies the changes: a rule that newly holds
 * raises one flag (with evidence, an alert and an escalation schedule); an open flag whose rule
 * no longer holds is resolved as re-engaged with an all-clear. Every flag's follow-up steps that a
 * failed run left undone are finished here, so a retry of whatever job called this re-drives them.
 */
export async function evaluateClientEngagement(
  deps: EngagementPorts,
  programId: string,
  clientId: string,
  known: { program?: Program; client?: Client } = {},
) {
  const program = known.program ?? (await deps.programs.getProgram(programId));
  const client = known.client ?? (await deps.clients.getClient(programId, clientId));
  if (!program || !client) return { raised: 0, resolved: 0 };
  const now = deps.clock.now();
  const [sessions, screens, flags] = await Promise.all([
    client.status === 'active' ? deps.sessions.listSessionsByClient(programId, clientId, { to: now }) : [],
    client.status === 'active' ? deps.screening.listScreensByClient(programId, clientId) : [],
    deps.flags.listFlagsByClient(programId, clientId),
  ]);
  for (const flag of flags.filter(needsFollowUp)) await followUp(deps, program, flag);
  if (client.status !== 'active') return { raised: 0, resolved: 0 };
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
    // Staff closed a flag on this evidence: not raised again until new evidence appears.
    if (dismissedBefore(evaluation, flags)) continue;
    if (await raiseFlag(deps, program, clientId, evaluation, now)) raised++;
  }
  let resolved = 0;
  for (const stale of resolve) {
    const flag = open.find((f) => f.flagId === stale.flagId)!;
    if (await closeFlag(deps, program, flag, { by: SYSTEM, resolution: 're-engaged' })) resolved++;
  }
  return { raised, resolved };
}

/** A flag some of whose follow-up steps have not happened yet (a run failed after writing it). */
export function needsFollowUp(flag: Flag): boolean {
  if (flag.status === 'open') return !flag.alertedAt || (!flag.acknowledgedAt && !flag.escalationScheduledAt);
  return flag.resolution === 're-engaged' && !flag.allClearAt;
}

/** Raises a flag: the flag (with its slot and audit entry) is the commit point; its follow-up comes after. */
async function raiseFlag(
  deps: EngagementPorts,
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
    evidenceIds: evaluation.evidenceIds,
    explanation: evaluation.explanation,
    version: 1,
  };
  const audit: FlagAudit = { flagId: flag.flagId, at: now, action: 'raised', by: SYSTEM };
  if (!(await deps.flags.openFlag(flag, audit))) return false;
  await deps.activity.record({
    type: 'flag.raised',
    flagId: flag.flagId,
    clientId,
    rule: flag.rule,
    evidence: flag.evidence,
  });
  await followUp(deps, program, flag);
  return true;
}

/**
 * Ensures a flag's side effects, each marked on the flag after it happened: the alert of an open
 * flag, its escalation schedule (until acknowledged), the all-clear of a re-engaged one. Each side
 * effect is idempotent (ledger, schedule name), so a step repeated after a failed mark is harmless.
 */
async function followUp(deps: EngagementPorts, program: Program, flag: Flag): Promise<Flag> {
  if (flag.status === 'open' && !flag.alertedAt) {
    await alertCareTeam(deps, {
      programId: program.id,
      clientId: flag.clientId,
      reason: 'disengagement',
      subjectId: flag.flagId,
      flagId: flag.flagId,
      text: `Disengagement (${flag.rule}): ${flag.explanation}`,
    });
    flag = (await markFlag(deps, flag, (f) => (f.alertedAt ? undefined : { alertedAt: deps.clock.now() })))
      .flag;
  }
  if (flag.status === 'open' && !flag.acknowledgedAt && !flag.escalationScheduledAt) {
    const now = deps.clock.now();
    const due = escalationTime(flag, program.disengagement);
    await deps.scheduler.scheduleOnce({
      name: escalationJobName(flag.flagId),
      target: 'escalate-flag',
      // A follow-up finished late still escalates, a minute from now (never a schedule in the past).
      at: due > now ? due : addMinutes(now, 1),
      payload: { programId: program.id, flagId: flag.flagId },
    });
    flag = (
      await markFlag(deps, flag, (f) =>
        f.escalationScheduledAt ? undefined : { escalationScheduledAt: deps.clock.now() },
      )
    ).flag;
  }
  if (flag.status === 'resolved' && flag.resolution === 're-engaged' && !flag.allClearAt) {
    await deps.scheduler.cancel([escalationJobName(flag.flagId)]);
    await alertCareTeam(deps, {
      programId: program.id,
      clientId: flag.clientId,
      reason: 'all-clear',
      subjectId: flag.flagId,
      flagId: flag.flagId,
      text: `All clear (${flag.rule}): the client is engaging again.`,
    });
    flag = (await markFlag(deps, flag, (f) => (f.allClearAt ? undefined : { allClearAt: deps.clock.now() })))
      .flag;
  }
  return flag;
}

/**
 * A conditional change to a flag, re-read and re-decided on conflict. `change` returns the fields
 * to set on the flag as it is now, or undefined when there is nothing to do; `audit` (if any) is
 * written in the same transaction.
 */
async function markFlag(
  deps: Ports<'flags'>,
  flag: Flag,
  change: (current: Flag) => Partial<Flag> | undefined,
  audit?: (current: Flag) => FlagAudit,
): Promise<{ flag: Flag; changed: boolean }> {
  let current = flag;
  return withConflictRetry(async () => {
    const fields = change(current);
    if (!fields) return { flag: current, changed: false };
    const next: Flag = { ...current, ...fields, version: current.version + 1 };
    if (await deps.flags.updateFlag(next, current.version, audit?.(current)))
      return { flag: next, changed: true };
    const fresh = await deps.flags.getFlag(flag.programId, flag.flagId);
    if (!fresh) throw new NotFoundError(`flag ${flag.flagId} does not exist`);
    current = fresh;
    return undefined;
  }, `flag ${flag.flagId}`);
}

/** Resolves an open flag (conditionally); false when it was resolved already. Then its follow-up. */
async function closeFlag(
  deps: EngagementPorts,
  program: Program,
  flag: Flag,
  how: { by: string; resolution: 're-engaged' | 'staff'; note?: string },
): Promise<Flag | undefined> {
  const now = deps.clock.now();
  const { flag: resolved, changed } = await markFlag(
    deps,
    flag,
    (f) =>
      f.status !== 'open'
        ? undefined
        : {
            status: 'resolved',
            resolvedAt: now,
            resolvedBy: how.by,
            resolution: how.resolution,
            ...(how.note ? { note: how.note } : {}),
          },
    () => ({
      flagId: flag.flagId,
      at: now,
      action: 'resolved',
      by: how.by,
      ...(how.note ? { note: how.note } : {}),
    }),
  );
  if (!changed) return undefined;
  await deps.activity.record({
    type: 'flag.resolved',
    flagId: flag.flagId,
    clientId: flag.clientId,
    reason: how.resolution,
  });
  if (how.resolution === 'staff') await deps.scheduler.cancel([escalationJobName(flag.flagId)]);
  return followUp(deps, program, resolved);
}

/**
 * Acknowledging stops the escalation; the flag stays open until its rule stops holding or staff
 * resolve it. Conditional on the flag's version: acknowledging a flag resolved meanwhile changes
 * nothing (the resolution wins).
 */
export async function acknowledgeFlag(
  deps: Ports<'flags' | 'clock' | 'activity' | 'scheduler'>,
  programId: string,
  flagId: string,
  by: string,
) {
  const flag = await deps.flags.getFlag(programId, flagId);
  if (!flag) throw new NotFoundError(`flag ${flagId} does not exist`);
  const now = deps.clock.now();
  const { flag: updated, changed } = await markFlag(
    deps,
    flag,
    (f) =>
      f.status !== 'open' || f.acknowledgedAt ? undefined : { acknowledgedAt: now, acknowledgedBy: by },
    () => ({ flagId, at: now, action: 'acknowledged', by }),
  );
  if (!changed) return updated;
  await deps.activity.record({ type: 'flag.acknowledged', flagId, clientId: flag.clientId });
  // The escalation job checks the flag when it fires, so deleting it only saves an invocation.
  await deps.scheduler.cancel([escalationJobName(flagId)]);
  return updated;
}

export async function acknowledgeClientFlags(
  deps: Ports<'flags' | 'clock' | 'activity' | 'scheduler'>,
  programId: string,
  clientId: string,
  by: string,
) {
  const open = (await deps.flags.listFlagsByClient(programId, clientId)).filter(
    (f) => f.status === 'open' && !f.acknowledgedAt,
  );
  return Promise.all(open.map((f) => acknowledgeFlag(deps, programId, f.flagId, by)));
}

export async function resolveFlag(
  deps: EngagementPorts,
  programId: string,
  flagId: string,
  by: string,
  note?: string,
) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  const flag = await deps.flags.getFlag(programId, flagId);
  if (!flag) throw new NotFoundError(`flag ${flagId} does not exist`);
  if (flag.status === 'resolved') return flag;
  return (
    (await closeFlag(deps, program, flag, { by, resolution: 'staff', ...(note ? { note } : {}) })) ??
    (await deps.flags.getFlag(programId, flagId))!
  );
}

/**
 * Fires escalateAfterHours after a flag: one escalation alert if nobody acknowledged it. The alert
 * goes out first (once, through the ledger); `escalatedAt` is marked after it, so a refused alert
 * is retried rather than marked done.
 */
export async function escalateFlag(
  deps: Ports<'flags' | 'clock' | 'activity' | 'careTeam' | 'ledger' | 'appBaseUrl'>,
  programId: string,
  flagId: string,
) {
  const flag = await deps.flags.getFlag(programId, flagId);
  if (flag?.status !== 'open' || flag.acknowledgedAt || flag.escalatedAt) return { escalated: false };
  await alertCareTeam(deps, {
    programId,
    clientId: flag.clientId,
    reason: 'escalation',
    subjectId: flagId,
    flagId,
    text: `Escalation: flag ${flag.rule} raised ${flag.raisedAt} has not been acknowledged. ${flag.explanation}`,
  });
  const now = deps.clock.now();
  await markFlag(
    deps,
    flag,
    (f) => (f.escalatedAt ? undefined : { escalatedAt: now }),
    () => ({ flagId, at: now, action: 'escalated', by: SYSTEM }),
  );
  return { escalated: true };
}

/**
 * The daily sweep: rules that only change with time (a growing gap) are caught here. Each client
 * is evaluated on its own: a failure is logged (ids only) and counted and the rest go on; the
 * unconfirmed-sends check always runs. When any client failed, the job fails at the end so that
 * its retry evaluates again (evaluation is idempotent).
 */
export async function sweepEngagement(deps: EngagementPorts, programId: string) {
  const program = await deps.programs.getProgram(programId);
  if (!program) throw new NotFoundError(`program ${programId} does not exist`);
  let clients = 0;
  let raised = 0;
  let resolved = 0;
  const failed: string[] = [];
  // Page by page (the memory stays one page whatever the roster), each page evaluated with a
  // bounded number of clients in flight: the sweep's time is its slowest page, not its sum.
  let cursor: string | undefined;
  do {
    const page = await deps.clients.listClientsPage(
      programId,
      { status: 'active' },
      { limit: SWEEP_PAGE, cursor },
    );
    cursor = page.cursor;
    clients += page.items.length;
    await eachBounded(page.items, SWEEP_CONCURRENCY, async (client) => {
      try {
        const r = await evaluateClientEngagement(deps, programId, client.id, { program, client });
        raised += r.raised;
        resolved += r.resolved;
      } catch (error) {
        failed.push(client.id);
        deps.log.error('engagement evaluation failed', {
          programId,
          clientId: client.id,
          error: redactError(error),
        });
      }
    });
  } while (cursor);
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
  if (failed.length) {
    throw new SweepIncompleteError(
      `engagement evaluation failed for ${failed.length} of ${clients} clients; the retry evaluates again`,
    );
  }
  return { clients, raised, resolved, unconfirmedSends: stuck.length };
}

/** Clients read per page by the sweep, and evaluated at once within a page. */
export const SWEEP_PAGE = 200;
export const SWEEP_CONCURRENCY = 16;

/** Runs `work` on every item, at most `limit` at a time; `work` handles its own failures. */
async function eachBounded<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class SweepIncompleteError extends Error {
  override readonly name = 'SweepIncompleteError';
}

/** A claim older than this without a message id is stuck, not in flight. */
const UNCONFIRMED_AFTER_MINUTES = 10;

/** A page of a program's open flags: critical ones are those escalated, warnings those not. */
export async function listOpenFlags(
  deps: Ports<'flags'>,
  programId: string,
  filter: { severity?: 'warning' | 'critical' | undefined; rule?: string | undefined },
  page: PageRequest,
) {
  const escalated = filter.severity === undefined ? undefined : filter.severity === 'critical';
  return deps.flags.listOpenFlagsPage(programId, { rule: filter.rule, escalated }, page);
}

/** A flag and its audit trail. */
export async function getFlagWithAudit(deps: Ports<'flags'>, programId: string, flagId: string) {
  const flag = await deps.flags.getFlag(programId, flagId);
  if (!flag) throw new NotFoundError(`flag ${flagId} does not exist`);
  return { flag, audit: await deps.flags.listAudit(programId, flagId) };
}
