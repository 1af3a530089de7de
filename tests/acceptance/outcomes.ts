import { minutesBetween } from '../../functions/domain/zoned-time.ts';
import type { StampedEvent } from '../../local/adapters/recording-activity-log.ts';
import { FAULT_LATENESS_MINUTES } from './spec-rules.ts';

/**
 * What a run sent and decided, by identity: SMS by client, purpose, session and offset; alerts by
 * client, reason and subject; flags by client and rule; draws by date, pool and random picks;
 * missed sessions (once each: a repeated session.missed is a spec violation of its own).
 * Who a draw picks is random, so notices and screen results are left out (each selection's one
 * notice is a spec rule). Each identity maps to the instants it happened at.
 */
export function outcomes(events: StampedEvent[]): Map<string, string[]> {
  const flags = new Map<string, string>();
  const lastMiss = new Map<string, string>();
  const lastResult = new Map<string, string>();
  const random = new Map<string, number>();
  for (const e of events)
    if (e.type === 'screen.selected' && e.reason === 'random')
      random.set(String(e.drawId), (random.get(String(e.drawId)) ?? 0) + 1);
  const found = new Map<string, string[]>();
  const add = (key: string, at: unknown) => found.set(key, [...(found.get(key) ?? []), String(at)]);
  for (const e of events) {
    switch (e.type) {
      case 'session.missed':
        lastMiss.set(String(e.clientId), String(e.sessionId));
        if (!found.has(`missed ${e.sessionId}`)) add(`missed ${e.sessionId}`, e.at);
        break;
      case 'screen.result':
        lastResult.set(String(e.clientId), String(e.date));
        break;
      case 'sms.sent':
      case 'sms.suppressed':
        if (e.purpose === 'screen-notice') break;
        add(
          `${e.type} ${e.purpose} to ${e.clientId} ${e.sessionId ?? ''} ${e.offsetMinutes ?? ''} ${e.reason ?? ''}`,
          e.at,
        );
        break;
      case 'flag.raised':
        flags.set(String(e.flagId), `${e.clientId} ${e.rule}`);
        add(`flag ${e.clientId} ${e.rule}`, e.at);
        break;
      case 'careteam.alert': {
        const subject = e.flagId
          ? `flag ${flags.get(String(e.flagId))}`
          : e.reason === 'missed-session'
            ? `session ${lastMiss.get(String(e.clientId))}`
            : `screen ${lastResult.get(String(e.clientId))}`;
        add(`alert ${e.reason} for ${e.clientId} about ${subject}`, e.at);
        break;
      }
      case 'screen.draw':
        add(`draw ${e.date} pool ${e.poolSize}, ${random.get(String(e.drawId)) ?? 0} random`, e.at);
        break;
    }
  }
  return found;
}

/** Each identity's count, for comparing two runs. */
export const outcomeCounts = (m: Map<string, string[]>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, v.length]).sort(([a], [b]) => (a! < b! ? -1 : 1)));

/** What a run with faults did later than the same run without them, beyond the allowed lateness. */
export function lateOutcomes(withFaults: Map<string, string[]>, expected: Map<string, string[]>): string[] {
  const late: string[] = [];
  for (const [key, times] of expected) {
    const actual = withFaults.get(key) ?? [];
    times.forEach((at, i) => {
      const got = actual[i];
      if (got === undefined) return;
      const minutes = minutesBetween(at, got);
      if (minutes < 0 || minutes > FAULT_LATENESS_MINUTES) late.push(`${key}: ${got}, without faults ${at}`);
    });
  }
  return late;
}
