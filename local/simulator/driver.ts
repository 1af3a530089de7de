import { smsKeyword } from '../../functions/domain/inbound-sms.ts';
import { addMinutes, localDateOf, localToUtc } from '../../functions/domain/zoned-time.ts';
import { recordAttendance } from '../../functions/use-cases/attendance.ts';
import { endEnrolment, optIn, optOut } from '../../functions/use-cases/client-lifecycle.ts';
import { ConflictError } from '../../functions/use-cases/deps.ts';
import { acknowledgeClientFlags } from '../../functions/use-cases/flags.ts';
import { receiveSms } from '../../functions/use-cases/inbound-sms.ts';
import { recordScreenResult } from '../../functions/use-cases/screens.ts';
import { cancelSession, rescheduleSession } from '../../functions/use-cases/session-changes.ts';
import type { FaultInjector } from '../adapters/fault-injector.ts';
import type { LocalSystem } from '../adapters/local-deps.ts';
import type { StampedEvent } from '../adapters/recording-activity-log.ts';
import type { Scenario, ScenarioAction } from './scenario.schema.ts';
import type { Timed } from './simulation.ts';

/** The number clients text: the program's origination number, as AWS would name it. */
const PROGRAM_NUMBER = '+12025550100';

/**
 * The people of a scenario: clients who check in at their sessions (unless absent), and staff or
 * clients who act at the given local times. Everything goes through the same use cases the API uses.
 */
export function scenarioDriver(
  scenario: Scenario,
  system: LocalSystem,
  options: { faults?: FaultInjector } = {},
) {
  const { deps, notifier } = system;
  const { program } = scenario;
  const zone = program.timezone;
  const queue: Timed[] = [];
  const absent = new Set(scenario.absences.map((a) => `${a.clientId}|${a.date}`));
  const phoneOf = new Map(scenario.clients.map((c) => [c.id, c.phone]));

  const localInstant = (local: string) => localToUtc(local.slice(0, 10), local.slice(11), zone);

  const push = (item: Timed) => {
    let i = queue.length;
    while (
      i > 0 &&
      (queue[i - 1]!.at > item.at || (queue[i - 1]!.at === item.at && queue[i - 1]!.order > item.order))
    )
      i--;
    queue.splice(i, 0, item);
  };
  const remove = (item: Timed) => {
    const i = queue.indexOf(item);
    if (i >= 0) queue.splice(i, 1);
  };

  const perform = async (action: ScenarioAction, index: number) => {
    switch (action.type) {
      case 'opt-out':
        notifier.markOptedOut(phoneOf.get(action.clientId)!, true);
        await optOut(deps, program.id, action.clientId);
        return;
      case 'opt-in':
        notifier.markOptedOut(phoneOf.get(action.clientId)!, false);
        await optIn(deps, program.id, action.clientId);
        return;
      case 'discharge':
        await endEnrolment(deps, program.id, action.clientId, 'discharged');
        return;
      case 'cancel-session': {
        const sessions = await deps.sessions.listSessionsByClient(program.id, action.clientId);
        for (const s of sessions.filter((x) => x.date === action.date && x.status !== 'cancelled')) {
          await cancelSession(deps, program, s);
        }
        return;
      }
      case 'acknowledge-flags':
        await acknowledgeClientFlags(deps, program.id, action.clientId, 'scenario-staff');
        return;
      case 'reschedule-session': {
        const sessions = await deps.sessions.listSessionsByClient(program.id, action.clientId);
        const session = sessions
          .filter((x) => x.date === action.date && x.status !== 'cancelled')
          .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))[0];
        if (!session)
          throw new Error(
            `reschedule-session at ${action.at}: client ${action.clientId} has no session on ${action.date} (yet)`,
          );
        await rescheduleSession(deps, {
          programId: program.id,
          sessionId: session.sessionId,
          start: localInstant(action.to),
        });
        return;
      }
      case 'sms-reply': {
        const phone = phoneOf.get(action.clientId)!;
        // The carrier acts on STOP before Cadence hears of it, as AWS does.
        if (smsKeyword(action.text) === 'stop') notifier.markOptedOut(phone, true);
        await receiveSms(
          deps,
          {
            originationNumber: phone,
            destinationNumber: PROGRAM_NUMBER,
            messageBody: action.text,
            inboundMessageId: `scenario-reply-${index}`,
          },
          { prefer: action.clientId },
        );
        return;
      }
      case 'fault':
        if (!options.faults) throw new Error('fault actions need a fault injector');
        options.faults.arm(action.port, action.count);
        return;
    }
  };

  scenario.actions.forEach((action, index) => {
    push({
      at: localInstant(action.at),
      order: 0,
      label: `${action.type}#${index}`,
      run: () => perform(action, index),
    });
  });

  // A client comes to each session at its start, as it is scheduled or moved, unless the scenario
  // says they are absent that local date.
  const checkIns = new Map<string, Timed>();
  const planCheckIn = (sessionId: string, clientId: string, start: string) => {
    const before = checkIns.get(sessionId);
    if (before) remove(before);
    checkIns.delete(sessionId);
    if (scenario.attendance.default !== 'present') return;
    if (absent.has(`${clientId}|${localDateOf(start, zone)}`)) return;
    const checkIn: Timed = {
      at: start,
      order: 0,
      label: 'check-in',
      run: async () => {
        checkIns.delete(sessionId);
        try {
          const client = await deps.clients.getClient(program.id, clientId);
          if (client?.status !== 'active') return;
          await recordAttendance(deps, { programId: program.id, sessionId, status: 'present' });
        } catch (error) {
          if (!(error instanceof ConflictError)) throw error; // a cancelled session takes no check-in
        }
      },
    };
    checkIns.set(sessionId, checkIn);
    push(checkIn);
  };
  system.activity.onEvent((event: StampedEvent) => {
    if (event.type === 'session.scheduled' || event.type === 'session.rescheduled')
      planCheckIn(event.sessionId as string, event.clientId as string, event.start as string);
  });

  // A selected client gives a sample soon after the notice: the scenario's result, else negative;
  // a `no-show` entry means nothing is given and the window's end decides.
  const resultOf = new Map(scenario.screenResults.map((r) => [`${r.clientId}|${r.date}`, r.result]));
  const windowMinutes = (program.drugScreens?.windowHours ?? 8) * 60;
  system.activity.onEvent((event: StampedEvent) => {
    if ((event.type !== 'sms.sent' && event.type !== 'sms.suppressed') || event.purpose !== 'screen-notice')
      return;
    const clientId = event.clientId as string;
    const date = localDateOf(event.at, zone);
    const result = resultOf.get(`${clientId}|${date}`) ?? 'negative';
    if (result === 'no-show') return;
    push({
      at: addMinutes(event.at, Math.min(60, windowMinutes / 2)),
      order: 0,
      label: 'screen-result',
      run: async () => {
        await recordScreenResult(deps, { programId: program.id, clientId, date, result });
      },
    });
  });
  // Results for clients not drawn that day are regular screens, recorded by staff at noon.
  for (const r of scenario.screenResults) {
    push({
      at: localToUtc(r.date, '12:00', zone),
      order: 0,
      label: 'screen-result',
      run: async () => {
        const screen = await deps.screening.getScreen(program.id, r.clientId, r.date);
        if (screen?.drawId) return;
        await recordScreenResult(deps, {
          programId: program.id,
          clientId: r.clientId,
          date: r.date,
          result: r.result,
        });
      },
    });
  }

  return {
    peek: (): Timed | undefined => queue[0],
    take: (): Timed | undefined => queue.shift(),
  };
}
